// What can go wrong calling STS, sorted by what to do about it: retry (throttling, 5xx, timeouts,
// broken answers) or tell the operator what to fix. Only codes and ids are kept: STS messages and
// pop-core's error text can carry the signed request (key id, security token), so they never leave.

import { ApiError, type ApiErrorCode } from '../api/errors';

export type StsFailureReason = 'api' | 'timeout' | 'network' | 'malformed';

/** Safe to log: STS's own code and request id, never its message. */
export type StsFailureDetail = {
  stsFailure: StsFailureReason;
  stsCode?: string;
  stsRequestId?: string;
  stsStatus?: number;
};

export class StsCallFailed extends Error {
  override name = 'StsCallFailed';
  constructor(
    readonly retryable: boolean,
    readonly detail: StsFailureDetail,
  ) {
    super(`STS call failed: ${detail.stsCode ?? detail.stsFailure}`);
  }
}

const RETRYABLE_CODES = /^(Throttling(\..*)?|ServiceUnavailable(Temporary)?|InternalError|InternalFailure|UnknownError|SignatureNonceUsed)$/;
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND', 'ECONNABORTED']);

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object';

/** An upstream code or id goes to the log only if it looks like one: short, and no room for a secret. */
const loggable = (v: unknown, shape: RegExp): string | undefined => (typeof v === 'string' && shape.test(v) ? v : undefined);

/** Turn whatever pop-core or httpx threw into a StsCallFailed, keeping nothing of its text. */
export function classifyStsError(err: unknown): StsCallFailed {
  if (err instanceof StsCallFailed) return err;
  if (!isObject(err)) return new StsCallFailed(true, { stsFailure: 'malformed' });
  // pop-core: an STS answer with a Code it does not count as success.
  if (typeof err.code === 'string' && isObject(err.data)) {
    const entry = isObject(err.entry) && isObject(err.entry.response) ? err.entry.response : {};
    const detail: StsFailureDetail = {
      stsFailure: 'api',
      stsCode: loggable(err.code, /^[A-Za-z][A-Za-z0-9.]{0,63}$/) ?? 'Unrecognised',
      stsRequestId: loggable(err.data.RequestId, /^[A-Za-z0-9-]{1,64}$/),
      stsStatus: typeof entry.statusCode === 'number' ? entry.statusCode : undefined,
    };
    return new StsCallFailed(RETRYABLE_CODES.test(err.code) || (detail.stsStatus ?? 0) >= 500, detail);
  }
  // httpx names its connect and read timeouts RequestTimeoutError.
  if (typeof err.name === 'string' && /Timeout/.test(err.name)) return new StsCallFailed(true, { stsFailure: 'timeout' });
  if (typeof err.code === 'string' && NETWORK_CODES.has(err.code)) {
    return new StsCallFailed(true, { stsFailure: err.code === 'ETIMEDOUT' ? 'timeout' : 'network' });
  }
  // A body that is not JSON (a gateway's HTML page, say): json-bigint throws a plain
  // {name:'SyntaxError', text:<the whole body>}, its substitute in a bundle (pop-core/json-bigint.ts)
  // a SyntaxError. Treat it like the 5xx it usually is.
  return new StsCallFailed(true, { stsFailure: 'malformed' });
}

interface Misconfiguration {
  code: ApiErrorCode;
  fix: string;
}

const CREDENTIALS: Misconfiguration = {
  code: 'StsCredentialsRejected',
  fix: "STS did not accept the function's own credentials (context.credentials): give the function a role in s.yaml, and check the instance clock",
};

function misconfiguration(stsCode: string): Misconfiguration {
  switch (stsCode) {
    case 'NoPermission':
      return {
        code: 'StsNoPermission',
        fix: "the function's role needs sts:AssumeRole on STS_ROLE_ARN (deploy/ram/<function>-function-policy.json), and that role's trust policy must name the function's role (deploy/ram/upload-role-trust.json)",
      };
    case 'EntityNotExist.Role':
      return { code: 'StsRoleNotFound', fix: 'STS_ROLE_ARN names a role that does not exist in this account' };
    case 'InvalidParameter.RoleArn':
      return { code: 'StsRoleArnInvalid', fix: 'STS_ROLE_ARN is not a role ARN of the form acs:ram::<account id>:role/<name>' };
    case 'InvalidParameter.PolicyGrammar':
    case 'InvalidParameter.PolicySize':
      return { code: 'StsPolicyRejected', fix: 'STS refused the session policy compiled from OSS_BUCKET and UPLOAD_PREFIX' };
    case 'InvalidParameter.DurationSeconds':
      return { code: 'StsDurationRejected', fix: "STS_DURATION_SECONDS is above STS_ROLE_ARN's maximum session duration" };
    case 'InvalidParameter.ExternalId':
      return { code: 'StsExternalIdRejected', fix: "STS_EXTERNAL_ID is malformed or not the one the role's trust policy expects" };
  }
  if (/^(InvalidAccessKeyId|InvalidSecurityToken|MissingSecurityToken|SignatureDoesNotMatch|IncompleteSignature|InvalidTimeStamp)/.test(stsCode)) {
    return CREDENTIALS;
  }
  if (/^(InvalidParameter|Missing)/.test(stsCode)) {
    return { code: 'StsParameterRejected', fix: 'STS refused a parameter of the AssumeRole call; check the STS_* settings' };
  }
  return { code: 'StsRejected', fix: 'STS refused the AssumeRole call; its code is in the function log' };
}

/**
 * The answer a caller gets, with what its log line says (STS's code and request id, the attempts):
 * 503 StsUnavailable with Retry-After (longer when STS throttles) when retrying may help, else a 500
 * naming the fix.
 */
export function stsApiError(failure: StsCallFailed, attempts: number): ApiError {
  const log = { ...failure.detail, stsAttempts: attempts };
  if (failure.retryable) {
    const throttled = /^Throttling/.test(failure.detail.stsCode ?? '');
    return new ApiError('StsUnavailable', 'the credential service is unavailable; retry later', { retryAfter: throttled ? 5 : undefined, log });
  }
  const m = misconfiguration(failure.detail.stsCode ?? '');
  return new ApiError(m.code, `the function is misconfigured: ${m.fix}`, { log });
}

/**
 * 503 StsUnavailable for a caller whose turn at STS did not come in time: `waited` says for what, the
 * quota's queue (shared/sts/gate.ts) or another instance's call for the same credential (the shared
 * cache). Nothing failed: the answer asks the caller to come back in `retryAfterSeconds`.
 */
export function stsBusy(waited: 'queue' | 'shared', retryAfterSeconds: number, attempts: number): ApiError {
  return new ApiError('StsUnavailable', 'the credential service is busy; retry later', {
    retryAfter: retryAfterSeconds,
    log: { stsFailure: waited === 'queue' ? 'queued' : 'shared-wait', stsAttempts: attempts },
  });
}
