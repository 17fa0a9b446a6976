// The shared credential cache: one AssumeRole per (user, scope) and credential lifetime across every
// instance of every function, on a Redis-protocol server (Tair) they all reach. Loaded only when
// CREDENTIAL_CACHE_URL is set, and deployed as its own file beside each function's bundle
// (scripts/bundle-options.ts): with ioredis it weighs ~190 KB and ~50 ms of require, which the
// default cold start does not pay.
//
// The instance's own cache stays in front (a hit in memory never reaches Redis). On a miss there the
// instance looks in Redis; when no entry serves the use asked (the one freshness rule, usableSeconds),
// it takes the key's lock and calls STS, and writes the sealed result with the credential's remaining
// life as its TTL, while the instances that missed meanwhile wait for that entry instead of calling
// STS themselves. The lock's lease is short (one STS attempt and a second: shorter than STS's retries
// add up to) and renewed while its holder waits and calls, so a holder that dies delays the others by
// one lease at most. When Redis fails or is slow, the breaker opens and every call goes straight to
// STS, as without the shared cache.

import { randomUUID } from 'node:crypto';
import type { CredentialCacheConfig } from '../../config';
import type { StsCredentials } from '../assume-role';
import { type Expiring, usableSeconds } from '../cache';
import type { RateBucket } from '../gate';
import { Breaker, CacheUnavailable, type LogFn } from './breaker';
import { RedisCommands } from './redis';
import { NAME_PREFIX, Sealer, type Slot } from './sealed';

/** How often an instance waiting for another's STS call looks for its result, in ms. */
const POLL_MS = 40;

/** The quota's token bucket, shared by every instance (and every deployment using this Redis: the quota is the account's). */
const RATE_BUCKET = `${NAME_PREFIX}assume-role-rate`;

export interface SharedCacheOptions {
  config: CredentialCacheConfig;
  /** STS_RATE_LIMIT: AssumeRole calls a second for every instance together. */
  ratePerSecond: number;
  /** Ms a lock is held without renewal. */
  leaseMs: number;
  /** The instance's own bucket, used while Redis cannot be reached. */
  fallbackBucket: RateBucket;
  log: LogFn;
}

export interface SharedLookup {
  /** The user's key segment (Grant.user); Redis sees only its HMAC. */
  user: string;
  /** A hash of the compiled session policy; Redis sees only its HMAC. */
  scope: string;
  /** Seconds the credential must still serve after it is handed out. */
  useSeconds: number;
  /** Ms since the epoch: waiting for another instance's call ends here. */
  deadline: number;
  /** One STS call (with its retries and the gate), made when this instance is the one to call. */
  fromSts: () => Promise<Expiring<StsCredentials>>;
  /** The error to throw when another instance's call has not ended by the deadline. */
  late: () => Error;
}

/** Where a credential came from: Redis (an entry, or another instance's call), or this instance's own STS call. */
export type SharedSource = 'shared' | 'sts';

export interface SharedCache extends RateBucket {
  /**
   * The credential for `lookup` from Redis, or from one STS call shared by every instance; from
   * `fromSts` directly while Redis is unreachable. Throws what `fromSts` or `late` throw.
   */
  credentials(lookup: SharedLookup): Promise<{ credential: Expiring<StsCredentials>; via: SharedSource }>;
  /** Close the connection (a function instance keeps it for its life; the local runtime closes it). */
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

class RedisSharedCache implements SharedCache {
  private readonly redis: RedisCommands;
  private readonly sealer: Sealer;

  constructor(private readonly options: SharedCacheOptions) {
    this.redis = new RedisCommands(options.config, new Breaker(options.log));
    this.sealer = new Sealer(options.config.keys);
  }

  async credentials(lookup: SharedLookup): Promise<{ credential: Expiring<StsCredentials>; via: SharedSource }> {
    let called = false;
    const call = async () => {
      called = true;
      return { credential: await lookup.fromSts(), via: 'sts' as const };
    };
    try {
      return await this.throughRedis(this.sealer.slots(lookup.user, lookup.scope), lookup, call);
    } catch (err) {
      if (err instanceof CacheUnavailable && !called) return call();
      throw err;
    }
  }

  private fresh(slot: Slot, entry: Buffer | null, useSeconds: number): Expiring<StsCredentials> | undefined {
    const credential = entry ? this.sealer.open(slot, entry) : undefined;
    return credential && usableSeconds(credential.expiresAt, Date.now()) >= useSeconds ? credential : undefined;
  }

  private async freshest(slots: Slot[], useSeconds: number): Promise<Expiring<StsCredentials> | undefined> {
    const entries = await this.redis.entries(slots.map((s) => s.name));
    for (const [i, slot] of slots.entries()) {
      const credential = this.fresh(slot, entries[i], useSeconds);
      if (credential) return credential;
    }
    return undefined;
  }

  private async throughRedis(slots: Slot[], lookup: SharedLookup, call: () => Promise<{ credential: Expiring<StsCredentials>; via: 'sts' }>) {
    const found = await this.freshest(slots, lookup.useSeconds);
    if (found) return { credential: found, via: 'shared' as const };
    const [slot] = slots;
    for (;;) {
      const holder = randomUUID();
      if (await this.redis.lock(slot.lock, holder, this.options.leaseMs)) return this.lead(slot, holder, lookup, call);
      for (;;) {
        if (Date.now() + POLL_MS >= lookup.deadline) throw lookup.late();
        await sleep(POLL_MS);
        const { entry, locked } = await this.redis.peek(slot.name, slot.lock);
        const credential = this.fresh(slot, entry, lookup.useSeconds);
        if (credential) return { credential, via: 'shared' as const };
        // The holder let go without leaving a credential that serves (STS failed, or it died): try to be the one.
        if (!locked) break;
      }
    }
  }

  private async lead(slot: Slot, holder: string, lookup: SharedLookup, call: () => Promise<{ credential: Expiring<StsCredentials>; via: 'sts' }>) {
    const { leaseMs } = this.options;
    const renewing = setInterval(() => void this.redis.renew(slot.lock, holder, leaseMs).catch(() => {}), leaseMs / 3);
    try {
      // Another instance may have written between this one's look and its lock.
      const found = await this.freshest([slot], lookup.useSeconds);
      if (found) return { credential: found, via: 'shared' as const };
      const got = await call();
      const ttl = got.credential.expiresAt - Date.now();
      if (ttl > 0) await this.redis.put(slot.name, this.sealer.seal(slot, got.credential), ttl).catch(() => {});
      return got;
    } finally {
      clearInterval(renewing);
      void this.redis.release(slot.lock, holder).catch(() => {});
    }
  }

  close(): Promise<void> {
    return this.redis.close();
  }

  take(): Promise<number> {
    return this.redis.take(RATE_BUCKET, this.options.ratePerSecond).catch(() => this.options.fallbackBucket.take());
  }

  throttled(): void {
    this.options.fallbackBucket.throttled();
    void this.redis.throttled(RATE_BUCKET, this.options.ratePerSecond).catch(() => {});
  }
}

/** The shared cache `options.config` describes; connects on first use. */
export function createSharedCache(options: SharedCacheOptions): SharedCache {
  return new RedisSharedCache(options);
}
