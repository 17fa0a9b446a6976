// The Redis commands the shared credential cache sends (through ioredis), each under the breaker's
// timeout. Plain commands where they suffice; Lua where a read and a write must be one step (a lock
// released or renewed only by its holder, the quota's token bucket). Every key a script touches is
// passed in KEYS and is one key, so a Tair cluster in proxy mode runs them too.

import { rootCertificates } from 'node:tls';
import Redis from 'ioredis';
import type { CredentialCacheConfig } from '../../config';
import { THROTTLE_PAUSE_MS } from '../gate';
import type { Breaker } from './breaker';

/** Connection settings: the configuration's, without the keys. */
export type Connection = Omit<CredentialCacheConfig, 'keys'>;

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;

// The gate's bucket (shared/sts/gate.ts, LocalBucket) on Redis's own clock, for every instance:
// ARGV rate (tokens a second), pause (ms a Throttling holds it back), mode (take | throttled). Holds
// one token. Answers 0 when a token was taken, else the ms until one is due.
const BUCKET = `
if redis.replicate_commands then pcall(redis.replicate_commands) end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local rate, pause = tonumber(ARGV[1]), tonumber(ARGV[2])
local saved = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens, at = tonumber(saved[1]), tonumber(saved[2])
if tokens == nil or at == nil then tokens, at = 1, now end
tokens = math.min(1, tokens + math.max(0, now - at) * rate / 1000)
local wait = 0
if ARGV[3] == 'throttled' then
  tokens = math.min(tokens, 0) - rate * pause / 1000
elseif tokens >= 1 - 1e-9 then
  tokens = tokens - 1
else
  wait = math.max(1, math.ceil((1 - tokens) * 1000 / rate - 1e-9))
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], 60000)
return wait`;

/** Connecting (TCP, TLS, AUTH) may take this many command timeouts, once, before the breaker opens. */
const CONNECT_ALLOWANCE = 3;

export class RedisCommands {
  private readonly client: Redis;

  constructor(
    private readonly connection: Connection,
    private readonly breaker: Breaker,
  ) {
    this.client = new Redis({
      host: connection.host,
      port: connection.port,
      username: connection.username,
      password: connection.password,
      db: connection.db,
      // Node's CAs and the configured ones (Tair's chain): `ca` alone would replace Node's.
      tls: connection.tls ? { servername: connection.host, ca: [...rootCertificates, ...connection.tls.ca] } : undefined,
      connectTimeout: connection.timeoutMs * CONNECT_ALLOWANCE,
      // Commands sent before the first connection is up wait for it, within the breaker's timeout;
      // one that cannot be sent fails at the first failed reconnection, not after several.
      enableOfflineQueue: true,
      maxRetriesPerRequest: 0,
      // Reconnect within a second of Redis coming back, so the breaker's next probe finds it.
      retryStrategy: (times) => Math.min(50 * 2 ** times, 1000),
    });
    // ioredis prints unhandled connection errors to the console; the breaker logs them, once.
    this.client.on('error', (err: unknown) => (this.connectionError = err));
    this.client.on('ready', () => (this.connectionError = undefined));
  }

  /** Why the connection failed last (refused, TLS, AUTH), until it is ready again. */
  private connectionError: unknown;

  private run<T>(command: (client: Redis) => Promise<T>): Promise<T> {
    const connecting = this.client.status !== 'ready';
    // A command that never reached Redis fails with "max retries" or "connection closed": the
    // connection's own error says why, for the breaker's one log line.
    const send = () => command(this.client).catch((err: unknown) => Promise.reject(connecting && this.connectionError !== undefined ? this.connectionError : err));
    return this.breaker.run(this.connection.timeoutMs * (connecting ? CONNECT_ALLOWANCE : 1), send, connecting);
  }

  /** The entries under `names`, null where there is none. */
  entries(names: string[]): Promise<(Buffer | null)[]> {
    return this.run((c) => c.mgetBuffer(...names));
  }

  /** The entry under `name` and whether `lock` is held, in one round trip. */
  async peek(name: string, lock: string): Promise<{ entry: Buffer | null; locked: boolean }> {
    const results = await this.run((c) => c.pipeline().getBuffer(name).exists(lock).exec());
    const failed = results?.find(([err]) => err !== null);
    if (!results || failed) throw failed?.[0] ?? new Error('the pipeline was not run');
    return { entry: results[0][1] as Buffer | null, locked: results[1][1] === 1 };
  }

  /** Take `lock` for `leaseMs` unless someone holds it; true when taken. */
  async lock(lock: string, holder: string, leaseMs: number): Promise<boolean> {
    return (await this.run((c) => c.set(lock, holder, 'PX', leaseMs, 'NX'))) === 'OK';
  }

  /** Extend `lock` by `leaseMs` if `holder` still holds it. */
  async renew(lock: string, holder: string, leaseMs: number): Promise<void> {
    await this.run((c) => c.eval(RENEW, 1, lock, holder, leaseMs));
  }

  /** Drop `lock` if `holder` still holds it (a lease that ran out may be someone else's now). */
  async release(lock: string, holder: string): Promise<void> {
    await this.run((c) => c.eval(RELEASE, 1, lock, holder));
  }

  /** Store `entry` under `name` for `ttlMs`. */
  async put(name: string, entry: Buffer, ttlMs: number): Promise<void> {
    await this.run((c) => c.set(name, entry, 'PX', ttlMs));
  }

  /** Drop the connection now, and reconnect no more. */
  async close(): Promise<void> {
    this.client.disconnect();
  }

  /** One token from the bucket under `name` (0), or the ms until one is due. */
  async take(name: string, ratePerSecond: number): Promise<number> {
    return Number(await this.run((c) => c.eval(BUCKET, 1, name, ratePerSecond, THROTTLE_PAUSE_MS, 'take')));
  }

  /** Hold the bucket under `name` back for THROTTLE_PAUSE_MS. */
  async throttled(name: string, ratePerSecond: number): Promise<void> {
    await this.run((c) => c.eval(BUCKET, 1, name, ratePerSecond, THROTTLE_PAUSE_MS, 'throttled'));
  }
}
