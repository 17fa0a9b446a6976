// A slow or unreachable Redis must cost a request no more than one short wait. Every command runs
// under a timeout; the first failure opens the breaker, and for a cool-down every command fails at
// once without reaching Redis (the instance serves from its own cache meanwhile). After the cool-down
// one request probes; its success closes the breaker. The log says so once when Redis is lost and
// once when it is back, never per request.

/** Redis was not asked, or did not answer in time: serve without it. */
export class CacheUnavailable extends Error {
  override name = 'CacheUnavailable';
}

/** Ms the breaker stays open after a failure before one request probes Redis again. */
export const COOL_DOWN_MS = 10_000;

export type LogFn = (level: 'info' | 'warn' | 'error', fields: Record<string, unknown>) => void;

/** What a failure was, in words safe for the log: a timeout, a socket error code or Redis's error prefix. */
function reasonOf(err: unknown): string {
  if (err instanceof CacheUnavailable) return 'timeout';
  const e = err as { code?: unknown; message?: unknown } | null;
  if (typeof e?.code === 'string' && /^E[A-Z_]{2,30}$/.test(e.code)) return e.code;
  const prefix = typeof e?.message === 'string' ? /^([A-Z]{3,20})\b/.exec(e.message)?.[1] : undefined;
  return prefix ?? 'error';
}

export class Breaker {
  private openUntil = 0;
  private probing = false;
  private healthy = true;

  constructor(
    private readonly log: LogFn,
    private readonly coolDownMs = COOL_DOWN_MS,
  ) {}

  /** Whether a command would be sent now. */
  get closed(): boolean {
    return Date.now() >= this.openUntil && !this.probing;
  }

  /** `command`'s answer, or CacheUnavailable when it fails, takes over `timeoutMs`, or the breaker is open. */
  async run<T>(timeoutMs: number, command: () => Promise<T>): Promise<T> {
    if (Date.now() < this.openUntil || this.probing) throw new CacheUnavailable('the shared cache is skipped for a cool-down');
    const probe = this.openUntil > 0;
    if (probe) this.probing = true;
    let timer: NodeJS.Timeout | undefined;
    try {
      const answer = await Promise.race([
        command(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new CacheUnavailable(`no answer from the shared cache in ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
      this.openUntil = 0;
      if (!this.healthy) {
        this.healthy = true;
        this.log('info', { event: 'shared-cache-restored', message: 'the shared credential cache answers again; instances share credentials through it' });
      }
      return answer;
    } catch (err) {
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
