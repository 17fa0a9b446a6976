// Credentials kept per key until a safety margin before they expire. Concurrent requests for a key
// that is missing or due share one fetch; failures are not kept. Bounded, least recently used out
// first, so a flood of users cannot grow an instance's memory without end.

export interface Expiring<T> {
  value: T;
  expiresAt: number;
}

/** Refresh when less than max(60 s, 20% of the lifetime) remains, so a client always gets a useful token. */
export function refreshAt(obtainedAt: number, expiresAt: number): number {
  return expiresAt - Math.max(60_000, 0.2 * (expiresAt - obtainedAt));
}

interface Entry<T> {
  value?: T;
  refreshAt: number;
  pending?: Promise<T>;
}

export type CacheOutcome = 'hit' | 'miss' | 'joined';

export class CredentialCache<T> {
  private readonly entries = new Map<string, Entry<T>>();

  constructor(
    readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  async get(key: string, fetch: () => Promise<Expiring<T>>): Promise<{ value: T; outcome: CacheOutcome }> {
    const entry = this.entries.get(key);
    if (entry?.pending) return { value: await entry.pending, outcome: 'joined' };
    if (entry?.value !== undefined && this.now() < entry.refreshAt) {
      // Re-insert: Map order is the eviction order.
      this.entries.delete(key);
      this.entries.set(key, entry);
      return { value: entry.value, outcome: 'hit' };
    }
    const flight: Entry<T> = { refreshAt: 0 };
    this.entries.delete(key);
    this.entries.set(key, flight);
    this.evict();
    flight.pending = this.fill(key, flight, fetch);
    return { value: await flight.pending, outcome: 'miss' };
  }

  private async fill(key: string, flight: Entry<T>, fetch: () => Promise<Expiring<T>>): Promise<T> {
    const obtainedAt = this.now();
    try {
      const got = await fetch();
      if (this.entries.get(key) === flight) {
        this.entries.delete(key);
        this.entries.set(key, { value: got.value, refreshAt: refreshAt(obtainedAt, got.expiresAt) });
      }
      return got.value;
    } catch (err) {
      if (this.entries.get(key) === flight) this.entries.delete(key);
      throw err;
    }
  }

  private evict(): void {
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
  }
}
