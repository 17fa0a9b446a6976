// The upload callback OSS makes after a PutObject, PostObject or CompleteMultipartUpload. The body
// carries OSS's own variables, which decide what was stored, and the MAC the sign function puts in
// (shared/callback-auth/mac.ts), which proves the callback was pinned by us for this key and owner:
// nothing that decides whose upload it was comes from the client.

import { ApiError } from '../api/errors';
import { CALLBACK_MAC_MAX_SECONDS, callbackMac, type CallbackScope } from '../callback-auth/mac';
import type { SecretRing } from '../secrets';
import { encodeFilename, filenameDigest } from './filename';
import type { Grant } from './rules';

export const CALLBACK_BODY_TYPE = 'application/json';
/** OSS's variables, substituted as JSON values (callbackBodyType application/json). */
const OSS_VARIABLES = '"bucket":${bucket},"object":${object},"etag":${etag},"size":${size},"mimeType":${mimeType},"operation":${operation}';

/**
 * Seconds a callback stays usable after the signature that carries it expires: an upload that starts
 * just before a URL expires finishes, and calls back, after it (5 GB at 1.5 MB/s is about an hour).
 */
export const CALLBACK_GRACE_SECONDS = 3600;

/** The callback parameter's JSON: the shape OSS takes Base64-encoded, and the SDKs take as it is. */
export interface CallbackParam {
  callbackUrl: string;
  callbackBody: string;
  callbackBodyType: string;
}

/**
 * Which keys a pinned callback is for: one exact key, with the exact file name the upload is signed
 * with when it has one, or every key a `${filename}` form may name (OSS names those after the file).
 */
export type CallbackTarget = { key: string; filename?: string } | { keyPrefix: string };

/** What pins a callback: the functions' MAC key ring (CALLBACK_MAC_KEY) and the time it is pinned at. */
export interface Pinning {
  keys?: SecretRing;
  now: Date;
}

/** A pinned callback: its parameter (JSON and Base64), and when its MAC expires. */
export interface PinnedCallback {
  param: CallbackParam;
  /** Base64 of the JSON: the `callback` form field, query parameter or `x-oss-callback` header. */
  base64: string;
  /** Unix seconds. */
  exp: number;
}

/**
 * The callback for uploads of `target` by the grant's user, its MAC valid `seconds` from `pin.now`
 * (at most CALLBACK_MAC_MAX_SECONDS), or undefined when the rules pin no callback. Throws ApiError
 * Misconfigured when the rules pin a callback and no MAC key is configured (the configuration refuses that).
 */
export function pinnedCallback(grant: Grant, target: CallbackTarget, seconds: number, pin: Pinning): PinnedCallback | undefined {
  const { callbackUrl, bucket } = grant.rules;
  if (!callbackUrl) return undefined;
  if (!pin.keys) throw new ApiError('Misconfigured', 'CALLBACK_URL is set without CALLBACK_MAC_KEY');
  const exp = Math.floor(pin.now.getTime() / 1000) + Math.min(seconds, CALLBACK_MAC_MAX_SECONDS);
  const filenameSha256 = 'key' in target && target.filename !== undefined ? filenameDigest(encodeFilename(target.filename)) : undefined;
  const scope: CallbackScope = 'key' in target ? { bucket, owner: grant.user, exp, key: target.key, filenameSha256 } : { bucket, owner: grant.user, exp, keyPrefix: target.keyPrefix };
  const prefix = 'keyPrefix' in target ? `,"keyPrefix":${JSON.stringify(target.keyPrefix)}` : '';
  const name = filenameSha256 === undefined ? '' : `,"filenameSha256":"${filenameSha256}"`;
  const callbackBody = `{${OSS_VARIABLES},"owner":${JSON.stringify(grant.user)},"exp":${exp}${prefix}${name},"mac":"${callbackMac(pin.keys, scope)}"}`;
  const param: CallbackParam = { callbackUrl, callbackBody, callbackBodyType: CALLBACK_BODY_TYPE };
  return { param, base64: Buffer.from(JSON.stringify(param), 'utf8').toString('base64'), exp };
}
