// STS credentials for one grant: the grant's session policy and the user's session name, assumed
// through pop-core with bounded retries, and cached per (user, scope) while they last for the use
// asked. The scope is the compiled session policy itself, so the token function and the sign
// function share an entry exactly when they would ask STS for the same policy: never widened to share.

import { createHash } from 'node:crypto';
import type { Config } from '../config';
import { roleSessionName, type Grant } from '../policy/rules';
import { sessionPolicyJson } from '../policy/session-policy';
import type { Credentials } from '../signer/credentials';
import { assumeRole, type StsCredentials } from './assume-role';
import { CredentialCache, type CacheOutcome } from './cache';
import { classifyStsError, StsCallFailed, stsApiError } from './errors';
import { STS_RETRY, withRetry } from './retry';

export interface Vended {
  credentials: StsCredentials;
  cache: CacheOutcome;
  /** STS calls this request made itself (0 on a hit, or when it joined another request's call). */
  stsCalls: number;
}

/** How one caller uses what it is vended. */
export interface VendOptions {
  /** Seconds the credentials must still serve after they are handed out (a URL's lifetime, a client's refresh window). */
  useSeconds: number;
  /** STS attempts (default 3, with backoff); the callback makes one, inside OSS's 5 s. */
  attempts?: number;
  /** Per attempt; default STS_TIMEOUT_MS. */
  timeoutMs?: number;
}

// One cache per configuration: a new configuration (the local runtime restarting, say) starts empty.
const caches = new WeakMap<Config, CredentialCache<StsCredentials>>();

/** The cache key of a grant's credentials: whose they are, and exactly what they may do. */
function scopeKey(user: string, policy: string): string {
  return `${user}\n${createHash('sha256').update(policy).digest('base64url')}`;
}

/**
 * The caller's STS credentials, from the cache or from one AssumeRole shared by concurrent requests,
 * signed with the function role's own credentials. Throws ApiError: StsUnavailable (503) or a 500
 * naming what the operator must fix, with STS's code and request id for the log line.
 */
export async function vendCredentials(grant: Grant, config: Config, roleArn: string, own: Credentials, options: VendOptions): Promise<Vended> {
  let cache = caches.get(config);
  if (!cache) caches.set(config, (cache = new CredentialCache<StsCredentials>()));
  const policy = sessionPolicyJson(grant);
  let stsCalls = 0;
  const fetch = async () => {
    const request = {
      credentials: own,
      endpoint: config.sts.endpoint,
      roleArn,
      sessionName: roleSessionName(grant.uid),
      durationSeconds: grant.rules.stsDurationSeconds,
      policy,
      externalId: config.sts.externalId,
      timeoutMs: options.timeoutMs ?? config.sts.timeoutMs,
    };
    try {
      const credentials = await withRetry(
        () => {
          stsCalls++;
          return assumeRole(request);
        },
        (err) => err instanceof StsCallFailed && err.retryable,
        { ...STS_RETRY, attempts: options.attempts ?? STS_RETRY.attempts },
      );
      return { value: credentials, expiresAt: Date.parse(credentials.Expiration) };
    } catch (err) {
      throw stsApiError(classifyStsError(err), stsCalls);
    }
  };
  const { value, outcome } = await cache.get(scopeKey(grant.user, policy), options.useSeconds, fetch);
  return { credentials: value, cache: outcome, stsCalls };
}

/** Vended credentials as the signer takes them, their expiry included so no signature outlives them. */
export function signingCredentials(c: StsCredentials): Credentials {
  return { accessKeyId: c.AccessKeyId, accessKeySecret: c.AccessKeySecret, securityToken: c.SecurityToken, expiration: c.Expiration };
}
