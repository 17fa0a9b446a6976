// STS credentials for one grant: the grant's session policy and the user's session name, assumed
// through pop-core with bounded retries, cached per (user, access level) until the safety margin.

import type { Config } from '../config';
import { roleSessionName, type Grant } from '../policy/rules';
import { sessionPolicyJson } from '../policy/session-policy';
import type { Credentials } from '../signer/credentials';
import { assumeRole, type StsCredentials } from './assume-role';
import { CredentialCache, type CacheOutcome } from './cache';
import { classifyStsError, StsCallFailed, stsApiError } from './errors';
import { withRetry } from './retry';

export interface Vended {
  credentials: StsCredentials;
  cache: CacheOutcome;
  /** STS calls this request made itself (0 on a hit, or when it joined another request's call). */
  stsCalls: number;
}

// One cache per configuration: a new configuration (the local runtime restarting, say) starts empty.
const caches = new WeakMap<Config, CredentialCache<StsCredentials>>();

/**
 * The caller's STS credentials, from the cache or from one AssumeRole shared by concurrent requests,
 * signed with the function role's own credentials. Throws ApiError: StsUnavailable (503) or a 500
 * naming what the operator must fix, with STS's code and request id for the log line.
 */
export async function vendCredentials(grant: Grant, config: Config, roleArn: string, own: Credentials): Promise<Vended> {
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
      durationSeconds: grant.rules.stsDurationSeconds,
      policy: sessionPolicyJson(grant),
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
      throw stsApiError(classifyStsError(err), stsCalls);
    }
  };
  const { value, outcome } = await cache.get(`${grant.uid}\n${grant.access}`, fetch);
  return { credentials: value, cache: outcome, stsCalls };
}
