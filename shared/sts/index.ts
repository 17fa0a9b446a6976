// STS credentials for one grant: the grant's session policy and the user's session name, assumed
// through pop-core with bounded retries, cached per (user, access level) until the safety margin.

import type { Config } from '../config';
import { HttpError, type FcCredentials } from '../http';
import { PolicyError, roleSessionName, sessionPolicyJson, type Grant } from '../policy';
import { assumeRole, type StsCredentials } from './assume-role';
import { CredentialCache, type CacheOutcome } from './cache';
import { classifyStsError, StsCallFailed, stsHttpError, type StsFailureDetail } from './errors';
import { withRetry } from './retry';

export { stsCallCount, type StsCredentials } from './assume-role';

/** An STS failure as the caller sees it, plus what the request's log line should say about it. */
export class StsError extends HttpError {
  constructor(
    failure: StsCallFailed,
    readonly log: StsFailureDetail & { stsAttempts: number },
  ) {
    const http = stsHttpError(failure);
    super(http.status, http.code, http.message, http.headers);
  }
}

export interface Vended {
  credentials: StsCredentials;
  cache: CacheOutcome;
  /** STS calls this request made itself (0 on a hit, or when it joined another request's call). */
  stsCalls: number;
}

// One cache per configuration: a new configuration (the local runtime restarting, say) starts empty.
const caches = new WeakMap<Config, CredentialCache<StsCredentials>>();

function sessionPolicyOf(grant: Grant): string {
  try {
    return sessionPolicyJson(grant);
  } catch (err) {
    if (err instanceof PolicyError) {
      throw new HttpError(500, 'SessionPolicyTooLarge', `the token function is misconfigured: ${err.message}; shorten UPLOAD_PREFIX`);
    }
    throw err;
  }
}

/** The caller's STS credentials, from the cache or from one AssumeRole shared by concurrent requests. */
export async function vendCredentials(grant: Grant, config: Config, roleArn: string, own: FcCredentials): Promise<Vended> {
  let cache = caches.get(config);
  if (!cache) caches.set(config, (cache = new CredentialCache<StsCredentials>()));
  let stsCalls = 0;
  // Only a miss compiles the policy: a hit costs a map lookup.
  const fetch = async () => {
    const request = {
      credentials: own,
      endpoint: config.sts.endpoint,
      roleArn,
      sessionName: roleSessionName(grant.uid),
      durationSeconds: config.stsDurationSeconds,
      policy: sessionPolicyOf(grant),
      externalId: config.sts.externalId,
      timeoutMs: config.sts.timeoutMs,
    };
    try {
      const credentials = await withRetry(
        () => {
          stsCalls++;
          return assumeRole(request);
        },
        (err) => err instanceof StsCallFailed && err.retryable,
      );
      return { value: credentials, expiresAt: Date.parse(credentials.Expiration) };
    } catch (err) {
      const failure = classifyStsError(err);
      throw new StsError(failure, { ...failure.detail, stsAttempts: stsCalls });
    }
  };
  const { value, outcome } = await cache.get(`${grant.uid}\n${grant.access}`, fetch);
  return { credentials: value, cache: outcome, stsCalls };
}
