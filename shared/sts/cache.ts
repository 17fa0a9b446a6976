// Credentials kept per key while they last for what they are asked for. Concurrent requests for a
// key that is missing or due share one fetch; failures are not kept. Bounded, least recently used
// out first, so a flood of users cannot grow an instance's memory without end.
//
// The one freshness rule of the project lives here: a credential is handed out for a use of N
// seconds (a URL's or form's lifetime, or a client's refresh window) only while at least N seconds
// plus CREDENTIAL_MARGIN_SECONDS of its life remain; otherwise a fresh one is fetched. The signer
// (shared/signer/presign.ts) cuts a signature's lifetime by the same rule, for a fresh credential
// that still falls short (a clock that disagrees with STS's).

/** Seconds kept clear of a credential's end: a signature or a client's use must end this long before it. */
export const CREDENTIAL_MARGIN_SECONDS = 60;

/**
 * Whole seconds a credential ending at `expiresAt` (ms since the epoch) can still serve at `now`
 * (ms): its remaining life less CREDENTIAL_MARGIN_SECONDS; negative once it cannot serve at all.
 */
export function usableSeconds(expiresAt: number, now: number): number {
  return Math.floor((expiresAt - now) / 1000) - CREDENTIAL_MARGIN_SECONDS;
}

export interface Expiring<T> {
  value: T;
  /** Ms since the epoch. */
  expiresAt: number;
}

interface Entry<T> {
  current?: Expiring<T>;
  pending?: Promise<Expiring<T>>;
}

/** `hit`: from the cache; `miss`: this request fetched; `joined`: it waited for another request's fetch. */
export type CacheOutcome = 'hit' | 'miss' | 'joined';

export class CredentialCache<T> {
  private readonly entries = new Map<string, Entry<T>>();

  constructor(
    readonly maxEntries = 10_000,
    // Read through Date each time, not a reference kept from construction: a faked clock reaches it.
    private readonly now: () => number = () => Date.now(),
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /**
   * The credential under `key` if it lasts `useSeconds` (plus the margin), else a fresh one from
   * `fetch`, which is handed out even if it falls short: nothing fresher exists. Throws what `fetch` throws.
   */
  async get(key: string, useSeconds: number, fetch: () => Promise<Expiring<T>>): Promise<Expiring<T> & { outcome: CacheOutcome }> {
    const entry = this.entries.get(key);
    if (entry?.pending) return { ...(await entry.pending), outcome: 'joined' };
    if (entry?.current && usableSeconds(entry.current.expiresAt, this.now()) >= useSeconds) {
      // Re-insert: Map order is the eviction order.
      this.entries.delete(key);
      this.entries.set(key, entry);
      return { ...entry.current, outcome: 'hit' };
    }
    const flight: Entry<T> = {};
    this.entries.delete(key);
    this.entries.set(key, flight);
    this.evict();
    flight.pending = this.fill(key, flight, fetch);
    return { ...(await flight.pending), outcome: 'miss' };
  }

  private async fill(key: string, flight: Entry<T>, fetch: () => Promise<Expiring<T>>): Promise<Expiring<T>> {
    try {
      const got = await fetch();
      if (this.entries.get(key) === flight) {
        this.entries.delete(key);
        this.entries.set(key, { current: got });
      }
      return got;
    } catch (err) {
      if (this.entries.get(key) === flight) this.entries.delete(key);
      throw err;
    }
  }

  private evict(): void {
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
  }
}
