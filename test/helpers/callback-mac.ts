// The callback the sign function pins, written out independently of shared/policy/callback.ts from
// its documented form (README, "POST /callback"): OSS's variables as JSON values, then owner, exp,
// an optional keyPrefix, an optional filename (the percent-encoded x-oss-meta-filename), and the
// Base64url HMAC-SHA256, under CALLBACK_MAC_KEY, of JSON
// ["oss-upload-callback/1", bucket, key or null, keyPrefix or null, owner, exp], or with a filename
// ["oss-upload-callback/2", bucket, key or null, keyPrefix or null, owner, exp, filename].

import { createHmac } from 'node:crypto';

export interface PinnedFor {
  callbackUrl: string;
  bucket: string;
  owner: string;
  /** Unix seconds. */
  exp: number;
  key?: string;
  keyPrefix?: string;
  /** The x-oss-meta-filename value (percent-encoded) the upload is signed with. */
  filename?: string;
  /** Base64, as CALLBACK_MAC_KEY holds it. */
  macKey: string;
}

/** The MAC of one scope, as the callback checks it. */
export function macFor(p: Omit<PinnedFor, 'callbackUrl'>): string {
  const scope = [p.bucket, p.key ?? null, p.keyPrefix ?? null, p.owner, p.exp];
  const input = JSON.stringify(p.filename === undefined ? ['oss-upload-callback/1', ...scope] : ['oss-upload-callback/2', ...scope, p.filename]);
  return createHmac('sha256', Buffer.from(p.macKey, 'base64')).update(input).digest('base64url');
}

/** The callback body template as OSS receives it. */
export function callbackBodyFor(p: Omit<PinnedFor, 'callbackUrl'>): string {
  const prefix = p.keyPrefix === undefined ? '' : `,"keyPrefix":${JSON.stringify(p.keyPrefix)}`;
  const filename = p.filename === undefined ? '' : `,"filename":${JSON.stringify(p.filename)}`;
  return (
    '{"bucket":${bucket},"object":${object},"etag":${etag},"size":${size},"mimeType":${mimeType},"operation":${operation}' +
    `,"owner":${JSON.stringify(p.owner)},"exp":${p.exp}${prefix}${filename},"mac":"${macFor(p)}"}`
  );
}

/** The Base64 callback parameter (form field, query parameter, x-oss-callback header). */
export function callbackParamFor(p: PinnedFor): string {
  const { callbackUrl, ...scope } = p;
  return Buffer.from(JSON.stringify({ callbackUrl, callbackBody: callbackBodyFor(scope), callbackBodyType: 'application/json' })).toString('base64');
}
