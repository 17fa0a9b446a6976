// The callback the sign function pins, written out independently of shared/policy/callback.ts from
// its documented form (README, "POST /callback"): OSS's variables as JSON values, then owner, exp,
// an optional keyPrefix, an optional filenameSha256 (Base64url SHA-256 of the x-oss-meta-filename value),
// and the Base64url HMAC-SHA256, under CALLBACK_MAC_KEY, of JSON
// ["oss-upload-callback/1", bucket, key or null, keyPrefix or null, owner, exp], or with a file name
// ["oss-upload-callback/2", bucket, key or null, keyPrefix or null, owner, exp, filenameSha256].

import { createHash, createHmac } from 'node:crypto';

export interface PinnedFor {
  callbackUrl: string;
  bucket: string;
  owner: string;
  /** Unix seconds. */
  exp: number;
  key?: string;
  keyPrefix?: string;
  /** The x-oss-meta-filename value (percent-encoded) the upload is signed with; the MAC binds its SHA-256. */
  filename?: string;
  /** Base64, as CALLBACK_MAC_KEY holds it. */
  macKey: string;
}

/** What the MAC binds of an x-oss-meta-filename value. */
export function filenameSha256(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('base64url');
}

/** The MAC of one scope, as the callback checks it. */
export function macFor(p: Omit<PinnedFor, 'callbackUrl'>): string {
  const scope = [p.bucket, p.key ?? null, p.keyPrefix ?? null, p.owner, p.exp];
  const input = JSON.stringify(p.filename === undefined ? ['oss-upload-callback/1', ...scope] : ['oss-upload-callback/2', ...scope, filenameSha256(p.filename)]);
  return createHmac('sha256', Buffer.from(p.macKey, 'base64')).update(input).digest('base64url');
}

/** The callback body template as OSS receives it. */
export function callbackBodyFor(p: Omit<PinnedFor, 'callbackUrl'>): string {
  const prefix = p.keyPrefix === undefined ? '' : `,"keyPrefix":${JSON.stringify(p.keyPrefix)}`;
  const filename = p.filename === undefined ? '' : `,"filenameSha256":"${filenameSha256(p.filename)}"`;
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
