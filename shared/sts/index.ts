// STS credentials for one grant: the grant's session policy and the user's session name, assumed
// through pop-core with bounded retries, and cached per (user, scope) while they last for the use
// asked. The scope is the compiled session policy itself, so the token function and the sign
// function share an entry exactly when they would ask STS for the same policy: never widened to share.
//
// Three tiers, each asked only when the one before it cannot serve: the instance's own cache
// (cache.ts), the shared cache on Redis when CREDENTIAL_CACHE_URL is set (shared-cache/, loaded only
// then), and STS behind the quota's gate (gate.ts). Everything a request waits for, its turn at STS,
// another instance's call, every attempt and backoff, ends by its budget.

import { createHash } from 'node:crypto';
import type { Config, CredentialCacheConfig } from '../config';
import { log } from '../log';
import { roleSessionName, type Grant } from '../policy/rules';
import { sessionPolicyJson } from '../policy/session-policy';
import type { Credentials } from '../signer/credentials';
import { assumeRole, type StsCredentials } from './assume-role';
import { CredentialCache, type CacheOutcome, type Expiring } from './cache';
import { classifyStsError, type StsCallFailed, stsApiError, stsBusy } from './errors';
import { LocalBucket, QueueRefused, type RateBucket, StsGate } from './gate';
import { backoffMs, STS_RETRY } from './retry';
import type { SharedCache, SharedSource } from './shared-cache';

export interface Vended {
  credentials: StsCredentials;
  /** `shared`: this instance's cache missed and Redis served (an entry, or another instance's call). */
  cache: CacheOutcome | 'shared';
  /** STS calls this request made itself (0 on a hit, or when it joined another request's call). */
  stsCalls: number;
}

/** How one caller uses what it is vended. */
export interface VendOptions {
  /** Seconds the credentials must still serve after they are handed out (a URL's lifetime, a client's refresh window). */
  useSeconds: number;
  /**
   * Ms the whole vend may take: waiting for its turn at STS or for another instance's call, every
   * attempt and backoff; what remains of the function's timeout after everything else it does.
   * Default: the attempts, their timeouts and the backoff between them, with no time to wait.
   */
  budgetMs?: number;
  /** STS attempts (default 3, with backoff); the callback makes one, inside OSS's 5 s. */
  attempts?: number;
  /** Per attempt, and never past the budget; default STS_TIMEOUT_MS. */
  timeoutMs?: number;
}

/** An attempt is not started with less time than this left (STS_TIMEOUT_MS's own minimum). */
const MIN_ATTEMPT_MS = 100;

/** A shared-cache lock outlives one STS attempt by this much before another instance may take over. */
const LEASE_MARGIN_MS = 1000;

interface Tiers {
  memory: CredentialCache<StsCredentials>;
  gate: StsGate;
  /** Undefined without CREDENTIAL_CACHE_URL; resolves to undefined when the shared cache could not be loaded. */
  shared?: Promise<SharedCache | undefined>;
}

// One set per configuration: a new configuration (the local runtime restarting, say) starts empty.
const tiersByConfig = new WeakMap<Config, Tiers>();

function loadShared(config: Config, cache: CredentialCacheConfig, local: LocalBucket): Promise<SharedCache | undefined> {
  // Its own file in a deployed bundle (scripts/bundle-options.ts): required only here, on first use.
  return import('./shared-cache').then(
    ({ createSharedCache }) =>
      createSharedCache({ config: cache, ratePerSecond: config.sts.rateLimit, leaseMs: config.sts.timeoutMs + LEASE_MARGIN_MS, fallbackBucket: local, log }),
    () => {
      log('error', {
        event: 'shared-cache-unavailable',
        reason: 'not-loaded',
        message: 'CREDENTIAL_CACHE_URL is set but credential-cache.js is missing beside the bundle (npm run build writes it); each instance keeps its own cache',
      });
      return undefined;
    },
  );
}

function tiersOf(config: Config): Tiers {
  let tiers = tiersByConfig.get(config);
  if (tiers) return tiers;
  const local = new LocalBucket(config.sts.rateLimit);
  const shared = config.credentialCache && loadShared(config, config.credentialCache, local);
  const bucket: RateBucket = shared
    ? { take: async () => ((await shared) ?? local).take(), throttled: () => void shared.then((s) => (s ?? local).throttled()) }
    : local;
  tiers = { memory: new CredentialCache<StsCredentials>(), gate: new StsGate(bucket, config.sts.rateLimit), shared };
  tiersByConfig.set(config, tiers);
  return tiers;
}

/** What exactly a grant may do: a hash of its compiled session policy. */
const scopeOf = (policy: string) => createHash('sha256').update(policy).digest('base64url');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Callers in the order they arrived, for the gate's queue. */
let arrivals = 0;

/**
 * The caller's STS credentials, from a cache or from one AssumeRole shared by concurrent requests
 * (of every instance, with the shared cache), signed with the function role's own credentials.
 * Throws ApiError: StsUnavailable (503, with Retry-After) when STS fails or throttles, or the caller's
 * turn does not come within its budget, or a 500 naming what the operator must fix, with STS's code
 * and request id for the log line.
 */
export async function vendCredentials(grant: Grant, config: Config, roleArn: string, own: Credentials, options: VendOptions): Promise<Vended> {
  const { memory, gate, shared } = tiersOf(config);
  const policy = sessionPolicyJson(grant);
  const scope = scopeOf(policy);
  const attempts = options.attempts ?? STS_RETRY.attempts;
  const timeoutMs = options.timeoutMs ?? config.sts.timeoutMs;
  const deadline = Date.now() + (options.budgetMs ?? attempts * timeoutMs + (attempts - 1) * STS_RETRY.maxDelayMs);
  const order = ++arrivals;
  let stsCalls = 0;
  let via = 'sts' as SharedSource;

  const fromSts = async (): Promise<Expiring<StsCredentials>> => {
    const request = {
      credentials: own,
      endpoint: config.sts.endpoint,
      roleArn,
      sessionName: roleSessionName(grant.uid),
      durationSeconds: grant.rules.stsDurationSeconds,
      policy,
      externalId: config.sts.externalId,
    };
    let failure: StsCallFailed | undefined;
    for (let n = 1; n <= attempts; n++) {
      try {
        await gate.admit(order, deadline - MIN_ATTEMPT_MS);
      } catch (err) {
        if (!(err instanceof QueueRefused)) throw err;
        throw failure ? stsApiError(failure, stsCalls) : stsBusy('queue', err.retryAfterSeconds, stsCalls);
      }
      stsCalls++;
      try {
        const credentials = await assumeRole({ ...request, timeoutMs: Math.max(MIN_ATTEMPT_MS, Math.min(timeoutMs, deadline - Date.now())) });
        return { value: credentials, expiresAt: Date.parse(credentials.Expiration) };
      } catch (err) {
        failure = classifyStsError(err);
      }
      if (!failure.retryable || n === attempts) break;
      // Throttling holds the whole gate back, and this caller goes back to its place in the queue;
      // other failures wait a jittered backoff of their own.
      if (/^Throttling/.test(failure.detail.stsCode ?? '')) {
        gate.throttled();
        continue;
      }
      const pause = backoffMs(n);
      if (Date.now() + pause + MIN_ATTEMPT_MS > deadline) break;
      await sleep(pause);
    }
    throw stsApiError(failure!, stsCalls);
  };

  const fetch = shared
    ? async () => {
        const cache = await shared;
        if (!cache) return fromSts();
        const got = await cache.credentials({ user: grant.user, scope, useSeconds: options.useSeconds, deadline, fromSts, late: () => stsBusy('shared', 1, stsCalls) });
        via = got.via;
        return got.credential;
      }
    : fromSts;
  const { value, outcome } = await memory.get(`${grant.user}\n${scope}`, options.useSeconds, fetch);
  return { credentials: value, cache: outcome === 'miss' && via === 'shared' ? 'shared' : outcome, stsCalls };
}

/** Close the shared cache's connection for `config`, if it opened one (the local runtime, when it stops or is reconfigured). */
export async function closeSharedCache(config: Config): Promise<void> {
  await (await tiersByConfig.get(config)?.shared)?.close();
}

/** Vended credentials as the signer takes them, their expiry included so no signature outlives them. */
export function signingCredentials(c: StsCredentials): Credentials {
  return { accessKeyId: c.AccessKeyId, accessKeySecret: c.AccessKeySecret, securityToken: c.SecurityToken, expiration: c.Expiration };
}
