// What every signature form shares: the 15-minute clock window, resolving the key id (and its STS
// token) to a principal, constant-time comparison, and keeping the token out of error documents.

import { timingSafeEqual } from 'node:crypto';
import type { CredentialFault, IamStore, Principal } from '../iam/store';
import { OssError } from './errors';
import { ossIsoTime } from './time';

export const MAX_SKEW_MS = 15 * 60 * 1000;

export interface VerifyOptions {
  iam: IamStore;
  /** Region as signed in V4 scopes, e.g. `cn-hangzhou`. */
  region: string;
  now: Date;
}

export function checkSkew(requestTime: Date, now: Date): void {
  if (Math.abs(requestTime.getTime() - now.getTime()) > MAX_SKEW_MS) {
    throw new OssError(403, 'RequestTimeTooSkewed', 'The difference between the request time and the current time is too large.', {
      RequestTime: ossIsoTime(requestTime),
      ServerTime: ossIsoTime(now),
      MaxAllowedSkewMilliseconds: String(MAX_SKEW_MS),
    });
  }
}

const unknownKey = (accessKeyId: string) =>
  new OssError(403, 'InvalidAccessKeyId', 'The OSS Access Key Id you provided does not exist in our records.', { OSSAccessKeyId: accessKeyId });

/**
 * OSS's answer to each credential fault. An STS key id without its token is unknown to OSS (the
 * token carries the key: "The OSS Access Key Id you provided does not exist in our records", the
 * PostObject troubleshooting page), and so is a long-term key sent with a token, which OSS takes
 * for an STS request (EC 0002-00000002). A token that is not the key's own is InvalidSecurityToken
 * (EC 0002-00000006), an expired one SecurityTokenExpired (EC 0002-00000007).
 */
const FAULTS: Record<CredentialFault, (accessKeyId: string) => OssError> = {
  UnknownAccessKey: unknownKey,
  MissingSecurityToken: unknownKey,
  UnexpectedSecurityToken: unknownKey,
  SecurityTokenMismatch: () => new OssError(403, 'InvalidSecurityToken', 'The security token you provided is invalid.'),
  SecurityTokenExpired: () => new OssError(403, 'SecurityTokenExpired', 'The security token you provided has expired.'),
};

export function resolvePrincipal(iam: IamStore, accessKeyId: string, securityToken: string | undefined, now: Date): Principal {
  const r = iam.resolve(accessKeyId, securityToken || undefined, now);
  if (!r.ok) throw FAULTS[r.fault](accessKeyId);
  return r.principal;
}

export function sameSignature(provided: string, expected: string): boolean {
  const a = Buffer.from(provided, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The STS token is a credential: diagnostics echo what was signed, but never the token itself. */
export function withoutToken(text: string): string {
  return text.replace(/(x-oss-security-token:|security-token=)[^\n&]*/g, '$1<security-token>');
}

export function signatureDoesNotMatch(details: Record<string, string>): OssError {
  return new OssError(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.', details);
}
