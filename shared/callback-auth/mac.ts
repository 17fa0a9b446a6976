// Is this callback one the sign function pinned? OSS's RSA signature proves only that some OSS sent
// the request: with STS credentials, or from a bucket of their own, a client writes the whole
// callback body, so a genuine callback can name anyone's key. The sign function therefore puts a MAC
// into every callback it pins, keyed by a secret only the functions hold (CALLBACK_MAC_KEY) and bound
// to the bucket, the exact key (or, for a form whose key ends in `${filename}`, the signed key
// prefix), a digest of the file name the upload was signed with (when one was), the owner and an expiry; the
// callback gives out a download URL or user data only when that MAC verifies against the bucket and
// object OSS reports.

import { createHmac, timingSafeEqual } from 'node:crypto';
import type { SecretRing } from '../secrets';

/** The longest a MAC may be valid for, in seconds: a day, for multipart uploads that run for hours. */
export const CALLBACK_MAC_MAX_SECONDS = 24 * 3600;

/** Seconds a MAC's `exp` may be behind or ahead of this clock (the sign and callback functions' clocks may differ). */
const CLOCK_SKEW_SECONDS = 30;

/** What one MAC vouches for. Exactly one of `key` and `keyPrefix`. */
export interface CallbackScope {
  bucket: string;
  /** The exact object key. */
  key?: string;
  /** For a form key ending in `${filename}`: what precedes it; the object must start with it. */
  keyPrefix?: string;
  /** Base64url SHA-256 of the x-oss-meta-filename value the upload was signed with, when it was signed with one. */
  filenameSha256?: string;
  /** The owner's key segment (the user id, or `~` and a hash of it). */
  owner: string;
  /** Unix seconds after which the MAC is refused. */
  exp: number;
}

// A versioned, length-safe encoding: JSON of an array cannot be made to read as another array. A
// scope without a file name keeps version 1's input, so MACs pinned before names were bound (a
// multipart upload's lasts a day) still verify; one with a name is version 2, which no version 1
// input can equal.
function macInput(s: CallbackScope): string {
  const scope = [s.bucket, s.key ?? null, s.keyPrefix ?? null, s.owner, s.exp];
  return JSON.stringify(s.filenameSha256 === undefined ? ['oss-upload-callback/1', ...scope] : ['oss-upload-callback/2', ...scope, s.filenameSha256]);
}

function hmac(key: Buffer, s: CallbackScope): Buffer {
  return createHmac('sha256', key).update(macInput(s)).digest();
}

/** Base64url HMAC-SHA256 of the scope with the ring's current key. */
export function callbackMac(keys: SecretRing, scope: CallbackScope): string {
  return hmac(keys.current, scope).toString('base64url');
}

/** What a callback body carries besides OSS's variables. */
export interface MacFields {
  owner?: unknown;
  exp?: unknown;
  keyPrefix?: unknown;
  filenameSha256?: unknown;
  mac?: unknown;
}

export type MacVerdict =
  /** `filenameSha256`: the digest of the x-oss-meta-filename value the MAC binds, when it binds one. */
  | { ok: true; owner: string; filenameSha256?: string }
  | { ok: false; reason: 'missing' | 'invalid' | 'expired' };

/** Base64url of 32 bytes: a MAC, and a file name's digest. */
const SHA256_TEXT = /^[A-Za-z0-9_-]{43}$/;

/**
 * Whether `fields` carry a MAC, valid now under one of the ring's keys, for the bucket and object OSS
 * reports. `missing`: no MAC at all (a callback the sign function did not pin); `invalid`: a MAC or
 * scope that does not verify (another key, another bucket, a forged field, an object outside a
 * signed prefix); `expired`: a valid MAC past its `exp`, or one whose `exp` lies further ahead than
 * CALLBACK_MAC_MAX_SECONDS (no key the functions hold issues such a MAC).
 */
export function verifyCallbackMac(keys: SecretRing, reported: { bucket: string; object: string }, fields: MacFields, now: Date): MacVerdict {
  if (fields.mac === undefined) return { ok: false, reason: 'missing' };
  const { mac, owner, exp, keyPrefix, filenameSha256 } = fields;
  const expSeconds = typeof exp === 'string' && /^\d{1,12}$/.test(exp) ? Number(exp) : exp;
  if (typeof mac !== 'string' || !SHA256_TEXT.test(mac) || typeof owner !== 'string' || typeof expSeconds !== 'number' || !Number.isSafeInteger(expSeconds)) {
    return { ok: false, reason: 'invalid' };
  }
  if (keyPrefix !== undefined && (typeof keyPrefix !== 'string' || !reported.object.startsWith(keyPrefix))) return { ok: false, reason: 'invalid' };
  if (filenameSha256 !== undefined && (typeof filenameSha256 !== 'string' || !SHA256_TEXT.test(filenameSha256))) return { ok: false, reason: 'invalid' };
  const target = keyPrefix === undefined ? { key: reported.object } : { keyPrefix };
  const scope: CallbackScope = { bucket: reported.bucket, ...target, owner, exp: expSeconds, filenameSha256 };
  const given = Buffer.from(mac, 'base64url');
  if (!keys.accepted.some((key) => timingSafeEqual(hmac(key, scope), given))) return { ok: false, reason: 'invalid' };
  const nowSeconds = Math.floor(now.getTime() / 1000);
  if (expSeconds < nowSeconds - CLOCK_SKEW_SECONDS || expSeconds > nowSeconds + CALLBACK_MAC_MAX_SECONDS + CLOCK_SKEW_SECONDS) {
    return { ok: false, reason: 'expired' };
  }
  return filenameSha256 === undefined ? { ok: true, owner } : { ok: true, owner, filenameSha256 };
}
