// The credential cache: one fetch per key however many ask at once, kept until the safety margin,
// failures not kept, memory bounded.

import { CredentialCache, refreshAt } from '../../shared/sts/cache';

const MIN = 60_000;

function clock(start = 1_700_000_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

/** A fetch that counts its calls and resolves when told to. */
function deferredFetch(lifetimeMs: number, now: () => number) {
  let calls = 0;
  const waiting: (() => void)[] = [];
  const fetch = () => {
    const n = ++calls;
    return new Promise<{ value: string; expiresAt: number }>((resolve) => waiting.push(() => resolve({ value: `creds-${n}`, expiresAt: now() + lifetimeMs })));
  };
  return { fetch, calls: () => calls, release: () => waiting.splice(0).forEach((go) => go()) };
}

describe('the safety margin', () => {
  it('is 20% of the lifetime when that is over a minute (15-minute credentials: refreshed with 3 minutes left)', () => {
    expect(refreshAt(0, 15 * MIN)).toBe(12 * MIN);
    expect(refreshAt(0, 60 * MIN)).toBe(48 * MIN);
  });

  it('is never under a minute', () => {
    expect(refreshAt(0, 4 * MIN)).toBe(3 * MIN);
  });
});

describe('CredentialCache', () => {
  it('makes one fetch for many concurrent requests of one key, and gives them all its result', async () => {
    const c = clock();
    const cache = new CredentialCache<string>(100, c.now);
    const f = deferredFetch(15 * MIN, c.now);
    const all = Promise.all(Array.from({ length: 50 }, () => cache.get('alice\nupload', f.fetch)));
    f.release();
    const results = await all;
    expect(f.calls()).toBe(1);
    expect(new Set(results.map((r) => r.value))).toEqual(new Set(['creds-1']));
    expect(results.map((r) => r.outcome).sort()).toEqual(['miss', ...Array(49).fill('joined')].sort());
  });

  it('answers from the cache until the margin, then fetches afresh', async () => {
    const c = clock();
    const cache = new CredentialCache<string>(100, c.now);
    const f = deferredFetch(15 * MIN, c.now);
    const get = async () => {
      const p = cache.get('k', f.fetch);
      f.release();
      return p;
    };
    expect(await get()).toEqual({ value: 'creds-1', outcome: 'miss' });
    c.advance(12 * MIN - 1);
    expect(await get()).toEqual({ value: 'creds-1', outcome: 'hit' });
    c.advance(1);
    expect(await get()).toEqual({ value: 'creds-2', outcome: 'miss' });
  });

  it('keeps different keys apart', async () => {
    const c = clock();
    const cache = new CredentialCache<string>(100, c.now);
    const f = deferredFetch(15 * MIN, c.now);
    const a = cache.get('alice\nupload', f.fetch);
    const b = cache.get('bob\nupload', f.fetch);
    const d = cache.get('alice\ndownload', f.fetch);
    f.release();
    expect((await Promise.all([a, b, d])).map((r) => r.value)).toEqual(['creds-1', 'creds-2', 'creds-3']);
  });

  it('does not keep a failure: everyone waiting sees it, and the next request tries again', async () => {
    const cache = new CredentialCache<string>();
    let calls = 0;
    let fail!: (e: Error) => void;
    const failing = () => {
      calls++;
      return new Promise<never>((_, reject) => (fail = reject));
    };
    const first = cache.get('k', failing);
    const second = cache.get('k', failing);
    fail(new Error('sts down'));
    await expect(first).rejects.toThrow('sts down');
    await expect(second).rejects.toThrow('sts down');
    expect(calls).toBe(1);
    const later = await cache.get('k', async () => ({ value: 'ok', expiresAt: Date.now() + 15 * MIN }));
    expect(later).toEqual({ value: 'ok', outcome: 'miss' });
  });

  it('recovers from a fetch that throws before its first await', async () => {
    const cache = new CredentialCache<string>();
    const throwsAtOnce = (() => {
      throw new Error('bad input');
    }) as unknown as () => Promise<{ value: string; expiresAt: number }>;
    await expect(cache.get('k', throwsAtOnce)).rejects.toThrow('bad input');
    expect((await cache.get('k', async () => ({ value: 'ok', expiresAt: Date.now() + 15 * MIN }))).value).toBe('ok');
  });

  it('holds at most maxEntries, dropping the least recently used first', async () => {
    const c = clock();
    const cache = new CredentialCache<string>(3, c.now);
    const fill = (key: string) => cache.get(key, async () => ({ value: key, expiresAt: c.now() + 15 * MIN }));
    for (const k of ['a', 'b', 'c']) await fill(k);
    expect((await fill('a')).outcome).toBe('hit');
    await fill('d');
    expect(cache.size).toBe(3);
    expect((await fill('a')).outcome).toBe('hit');
    expect((await fill('b')).outcome).toBe('miss');
  });

  it('stays bounded under a flood of distinct users', async () => {
    const c = clock();
    const cache = new CredentialCache<string>(1000, c.now);
    for (let i = 0; i < 5000; i++) await cache.get(`user-${i}\nupload`, async () => ({ value: 'x', expiresAt: c.now() + 15 * MIN }));
    expect(cache.size).toBe(1000);
  });
});
