// Who signed a POP RPC call, checked as STS checks it: the common parameters, the timestamp
// window, the HMAC-SHA1 signature over the method and parameters (recomputed by local/verify, not
// by the product's STS client), and a nonce used only once.

import { timingSafeEqual } from 'node:crypto';
import { POP_SIGNATURE_METHOD, POP_SIGNATURE_VERSION, type PopParams, popSignature, popStringToSign } from '../verify';
import type { IamStore, Principal } from '../iam/store';
import { missing, StsApiError } from './errors';

/** STS refuses a Timestamp more than 15 minutes away from its own clock, in either direction. */
export const TIMESTAMP_WINDOW_MS = 15 * 60 * 1000;

const REQUIRED = ['AccessKeyId', 'Signature', 'SignatureMethod', 'SignatureVersion', 'SignatureNonce', 'Timestamp'] as const;
// pop-core sends whole seconds; other clients (ali-oss's STS) send milliseconds, which STS accepts.
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

/** Nonces seen inside the timestamp window, per key; older ones can no longer pass the window check. */
export class NonceLog {
  private readonly seen = new Map<string, number>();

  /** Records the nonce; false when it was already used. */
  use(accessKeyId: string, nonce: string, timestampMs: number, nowMs: number): boolean {
    if (this.seen.size > 1024) this.forgetBefore(nowMs);
    const id = `${accessKeyId}\n${nonce}`;
    if (this.seen.has(id)) return false;
    this.seen.set(id, timestampMs + TIMESTAMP_WINDOW_MS);
    return true;
  }

  private forgetBefore(nowMs: number): void {
    for (const [id, until] of this.seen) if (until < nowMs) this.seen.delete(id);
  }
}

function parseTimestamp(value: string): number {
  const ms = TIMESTAMP.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(ms)) throw new StsApiError(400, 'InvalidTimeStamp.Format', 'Specified time stamp or date value is not well formatted.');
  return ms;
}

function resolveCaller(iam: IamStore, params: PopParams, now: Date): Principal {
  const token = params.SecurityToken;
  const r = iam.resolve(params.AccessKeyId, token, now);
  if (r.ok) return r.principal;
  switch (r.fault) {
    case 'UnknownAccessKey':
      throw new StsApiError(404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.');
    case 'SecurityTokenExpired':
      throw new StsApiError(400, 'InvalidSecurityToken.Expired', 'Specified SecurityToken is expired.');
    case 'MissingSecurityToken':
      throw missing('SecurityToken');
    case 'SecurityTokenMismatch':
    case 'UnexpectedSecurityToken':
      throw new StsApiError(400, 'InvalidSecurityToken.MismatchWithAccessKey', 'Specified SecurityToken mismatch with the AccessKey.');
  }
}

function signaturesMatch(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The principal that signed this call, or StsApiError as STS would answer. */
export function authenticate(iam: IamStore, nonces: NonceLog, method: string, params: PopParams, now: Date): Principal {
  for (const name of REQUIRED) if (params[name] === undefined || params[name] === '') throw missing(name);
  if (params.SignatureMethod !== POP_SIGNATURE_METHOD || params.SignatureVersion !== POP_SIGNATURE_VERSION) {
    throw new StsApiError(400, 'IncompleteSignature', 'The request signature does not conform to Aliyun standards.');
  }
  const timestampMs = parseTimestamp(params.Timestamp);
  if (Math.abs(timestampMs - now.getTime()) > TIMESTAMP_WINDOW_MS) {
    throw new StsApiError(400, 'InvalidTimeStamp.Expired', 'Specified time stamp or date value is expired.');
  }
  const caller = resolveCaller(iam, params, now);
  if (!signaturesMatch(params.Signature, popSignature(caller.accessKeySecret, method, params))) {
    // STS echoes its string to sign (which holds the SecurityToken): callers must never log this text.
    throw new StsApiError(
      400,
      'SignatureDoesNotMatch',
      `Specified signature is not matched with our calculation. server string to sign is:${popStringToSign(method, params)}`,
    );
  }
  if (!nonces.use(params.AccessKeyId, params.SignatureNonce, timestampMs, now.getTime())) {
    throw new StsApiError(400, 'SignatureNonceUsed', 'Specified signature nonce was used already.');
  }
  return caller;
}
