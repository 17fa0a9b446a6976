// A slow or unreachable Redis must cost a request no more than one short wait. Every command runs
// under a timeout, and a request whose command fails serves without Redis. An error (refused, reset,
// a Redis error reply) opens the breaker at once, and so do TIMEOUTS_TO_OPEN timeouts in a row (one
// slow answer alone is a hiccup, not a slow Redis); while it is open every command fails at once
// without reaching Redis, and the instance serves from its own cache. After the cool-down one
// request probes; its success closes the breaker. The log says so once when Redis is lost and once
// when it is back, never per request.

/** Redis was not asked, or did not answer in time: serve without it. */
export class CacheUnavailable extends Error {
  override name = 'CacheUnavailable';
}

/** Ms the breaker stays open after a failure before one request probes Redis again. */
export const COOL_DOWN_MS = 10_000;

/** Timeouts in a row that open the breaker. */
export const TIMEOUTS_TO_OPEN = 3;

export type LogFn = (level: 'info' | 'warn' | 'error', fields: Record<string, unknown>) => void;

/** What a failure was, in words safe for the log: a timeout, a socket or TLS error code, or Redis's error prefix. */
function reasonOf(err: unknown): string {
  if (err instanceof CacheUnavailable) return 'timeout';
  const e = err as { code?: unknown; message?: unknown } | null;
  if (typeof e?.code === 'string' && /^[A-Z][A-Z0-9_]{2,60}$/.test(e.code)) return e.code;
  const prefix = typeof e?.message === 'string' ? /^([A-Z]{3,20})\b/.exec(e.message)?.[1] : undefined;
  return prefix ?? 'error';
}

export class Breaker {
  private openUntil = 0;
  private probing = false;
  private healthy = true;
  private timeoutsInARow = 0;

  constructor(
    private readonly log: LogFn,
    private readonly coolDownMs = COOL_DOWN_MS,
  ) {}

  /**
   * `command`'s answer, or CacheUnavailable when it fails, takes over `timeoutMs`, or the breaker is
   * open. A timeout while `connecting` counts for nothing: the client's own connect timeout fails the
   * connection, with an error, if Redis cannot be reached.
   */
  async run<T>(timeoutMs: number, command: () => Promise<T>, connecting = false): Promise<T> {
    if (Date.now() < this.openUntil || this.probing) throw new CacheUnavailable('the shared cache is skipped for a cool-down');
    const probe = this.openUntil > 0;
    if (probe) this.probing = true;
    let timer: NodeJS.Timeout | undefined;
    let answered = false;
    try {
      const answer = await Promise.race([
        command().finally(() => (answered = true)),
        new Promise<never>((_, reject) => {
          // A busy event loop runs expired timers before it reads the sockets: look again once the
          // answer that may be waiting there has been read, so a late loop is not taken for a slow Redis.
          timer = setTimeout(() => setImmediate(() => answered || reject(new CacheUnavailable(`no answer from the shared cache in ${timeoutMs} ms`))), timeoutMs);
        }),
      ]);
      this.timeoutsInARow = 0;
      // Only the probe closes the breaker: a command sent before it opened may still come back.
      if (probe) this.openUntil = 0;
      if (probe && !this.healthy) {
        this.healthy = true;
        this.log('info', { event: 'shared-cache-restored', message: 'the shared credential cache answers again; instances share credentials through it' });
      }
      return answer;
    } catch (err) {
      const timedOut = err instanceof CacheUnavailable;
      if (timedOut && !probe && (connecting || ++this.timeoutsInARow < TIMEOUTS_TO_OPEN)) throw err;
      this.openUntil = Date.now() + this.coolDownMs;
      if (this.healthy) {
        this.healthy = false;
        this.log('warn', {
          event: 'shared-cache-unavailable',
          reason: reasonOf(err),
          coolDownMs: this.coolDownMs,
          message: "the shared credential cache does not answer; each instance serves from its own cache and calls STS itself until it is back",
        });
      }
      throw err instanceof CacheUnavailable ? err : new CacheUnavailable('the shared cache failed', { cause: err });
    } finally {
      clearTimeout(timer);
      if (probe) this.probing = false;
    }
  }
}
