// Is this upload callback from OSS? RSA PKCS#1 v1.5 with MD5 over exactly what OSS signed: the
// percent-decoded path, `?` and the raw query only when there is one, a newline, and the raw body
// bytes (never a re-serialisation of the parsed body).

import { verify as rsaVerify, type KeyObject } from 'node:crypto';
import { ApiError } from '../api/errors';
import { strictBase64 } from '../base64';
import { KeyStore, trustedKeys } from './key-store';
import { keyUrlFromHeader } from './key-url';

export interface SignedCallback {
  /** The percent-decoded path (strict percent-decoding: `+` stays `+`). */
  path: string;
  /** The query exactly as sent, without `?`; undefined or '' when the URL has none. */
  rawQuery?: string;
  body: Buffer;
  /** The `Authorization` header: Base64 of the signature, no scheme. */
  authorization?: string;
  /** The `x-oss-pub-key-url` header: Base64 of the key's URL. */
  pubKeyUrl?: string;
}

export interface VerifyOptions {
  /** PEM keys trusted besides OSS's own (CALLBACK_TRUSTED_KEYS); explicit configuration only. */
  trustedKeys?: readonly string[];
  keyStore?: KeyStore;
}

// Generous for RSA-4096; OSS's key is RSA-512 (64-byte signatures).
const MAX_SIGNATURE_BYTES = 512;

const defaultStore = new KeyStore();

export function callbackStringToSign(path: string, rawQuery: string | undefined, body: Buffer): Buffer {
  const head = rawQuery ? `${path}?${rawQuery}\n` : `${path}\n`;
  return Buffer.concat([Buffer.from(head, 'utf8'), body]);
}

/** Resolves when OSS (or an explicitly trusted key) signed the callback; otherwise throws ApiError (a CallbackSignature* or CallbackKey* code). */
export async function verifyCallback(cb: SignedCallback, opts: VerifyOptions = {}): Promise<void> {
  if (cb.authorization === undefined || cb.authorization.trim() === '') {
    throw new ApiError('CallbackSignatureMissing', 'the Authorization header with the OSS signature is missing');
  }
  const signature = strictBase64(cb.authorization.trim(), MAX_SIGNATURE_BYTES);
  if (!signature) throw new ApiError('CallbackSignatureMalformed', 'the Authorization header is not a Base64 signature');
  // Every header check happens before any key is looked up, so a refused request costs no network.
  const url = keyUrlFromHeader(cb.pubKeyUrl);
  const candidates: KeyObject[] = [...trustedKeys(opts.trustedKeys ?? []), await (opts.keyStore ?? defaultStore).keyFor(url)];
  const signed = callbackStringToSign(cb.path, cb.rawQuery, cb.body);
  if (!candidates.some((key) => rsaVerify('md5', signed, key, signature))) {
    throw new ApiError('CallbackSignatureInvalid', 'the callback signature does not verify');
  }
}
