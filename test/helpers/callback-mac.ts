// The callback the sign function pins, written out independently of shared/policy/callback.ts from
// its documented form (README, "POST /callback"): OSS's variables as JSON values, then owner, exp,
// an optional keyPrefix, and the Base64url HMAC-SHA256, under CALLBACK_MAC_KEY, of
// JSON ["oss-upload-callback/1", bucket, key or null, keyPrefix or null, owner, exp].

import { createHmac } from 'node:crypto';

export interface PinnedFor {
  callbackUrl: string;
  bucket: string;
  owner: string;
  /** Unix seconds. */
  exp: number;
  key?: string;
  keyPrefix?: string;
  /** Base64, as CALLBACK_MAC_KEY holds it. */
  macKey: string;
}

/** The MAC of one scope, as the callback checks it. */
export function macFor(p: Omit<PinnedFor, 'callbackUrl'>): string {
  const input = JSON.stringify(['oss-upload-callback/1', p.bucket, p.key ?? null, p.keyPrefix ?? null, p.owner, p.exp]);
  return createHmac('sha256', Buffer.from(p.macKey, 'base64')).update(input).digest('base64url');
}

/** The callback body template as OSS receives it. */
export function callbackBodyFor(p: Omit<PinnedFor, 'callbackUrl'>): string {
  const prefix = p.keyPrefix === undefined ? '' : `,"keyPrefix":${JSON.stringify(p.keyPrefix)}`;
  return (
    '{"bucket":${bucket},"object":${object},"etag":${etag},"size":${size},"mimeType":${mimeType},"operation":${operation}' +
    `,"owner":${JSON.stringify(p.owner)},"exp":${p.exp}${prefix},"mac":"${macFor(p)}"}`
  );
}

/** The Base64 callback parameter (form field, query parameter, x-oss-callback header). */
export function callbackParamFor(p: PinnedFor): string {
  const { callbackUrl, ...scope } = p;
  return Buffer.from(JSON.stringify({ callbackUrl, callbackBody: callbackBodyFor(scope), callbackBodyType: 'application/json' })).toString('base64');
}
