// The credential cache: one fetch per key however many ask at once, handed out only while it lasts
// for the use asked plus a minute, failures not kept, memory bounded.

import { CREDENTIAL_MARGIN_SECONDS, CredentialCache, usableSeconds } from '../../shared/sts/cache';

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

describe('the freshness rule', () => {
  it('a credential serves a use while its remaining life is at least the use plus a minute', () => {
    expect(CREDENTIAL_MARGIN_SECONDS).toBe(60);
    expect(usableSeconds(3600_000, 0)).toBe(3540);
    expect(usableSeconds(3600_000, 3240_000)).toBe(300);
    expect(usableSeconds(3600_000, 3240_001)).toBe(299);
  });

  it('counts whole seconds, and is negative once nothing can be signed', () => {
    expect(usableSeconds(90_900, 0)).toBe(30);
    expect(usableSeconds(30_000, 0)).toBe(-30);
  });
});

describe('CredentialCache', () => {
  it('makes one fetch for many concurrent requests of one key, and gives them all its result', async () => {
    const c = clock();
    const cache = new CredentialCache<string>(100, c.now);
    const f = deferredFetch(15 * MIN, c.now);
    const all = Promise.all(Array.from({ length: 50 }, () => cache.get('alice\nupload', 300, f.fetch)));
    f.release();
    const results = await all;
    expect(f.calls()).toBe(1);
    expect(new Set(results.map((r) => r.value))).toEqual(new Set(['creds-1']));
    expect(results.map((r) => r.outcome).sort()).toEqual(['miss', ...Array(49).fill('joined')].sort());
  });

  it('hands out a cached credential while it lasts for the use asked plus a minute, then fetches afresh', async () => {
    const c = clock();
    const cache = new CredentialCache<string>(100, c.now);
    const f = deferredFetch(60 * MIN, c.now);
    const get = async (use: number) => {
      const p = cache.get('k', use, f.fetch);
      f.release();
      return { value: (await p).value, outcome: (await p).outcome };
    };
    expect(await get(300)).toEqual({ value: 'creds-1', outcome: 'miss' });
    // 3600-second credentials asked for 300 s: handed out until 360 s remain.
    c.advance((3600 - 360) * 1000);
    expect(await get(300)).toEqual({ value: 'creds-1', outcome: 'hit' });
    c.advance(1000);
    expect(await get(300)).toEqual({ value: 'creds-2', outcome: 'miss' });
  });

  it('replaces a credential that lasts for a short use but not for the longer one now asked', async () => {
    const c = clock();
    const cache = new CredentialCache<string>(100, c.now);
    const f = deferredFetch(60 * MIN, c.now);
    const get = async (use: number) => {
      const p = cache.get('k', use, f.fetch);
      f.release();
      return (await p).value;
    };
    expect(await get(300)).toBe('creds-1');
    c.advance(40 * MIN);
    // 20 minutes left: enough for a 5-minute URL, not for a 30-minute one.
    expect(await get(300)).toBe('creds-1');
    expect(await get(1800)).toBe('creds-2');
    expect(await get(300)).toBe('creds-2');
  });

  it('hands out a fresh credential even when it falls short of the use asked: there is none fresher', async () => {
    const c = clock();
    const cache = new CredentialCache<string>(100, c.now);
    const f = deferredFetch(15 * MIN, c.now);
    const p = cache.get('k', 1800, f.fetch);
    f.release();
    expect(await p).toMatchObject({ value: 'creds-1', outcome: 'miss', expiresAt: c.now() + 15 * MIN });
    expect(f.calls()).toBe(1);
  });

  it('keeps different keys apart', async () => {
    const c = clock();
    const cache = new CredentialCache<string>(100, c.now);
    const f = deferredFetch(15 * MIN, c.now);
    const a = cache.get('alice\nupload', 300, f.fetch);
    const b = cache.get('bob\nupload', 300, f.fetch);
    const d = cache.get('alice\ndownload', 300, f.fetch);
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
    const first = cache.get('k', 300, failing);
    const second = cache.get('k', 300, failing);
    fail(new Error('sts down'));
    await expect(first).rejects.toThrow('sts down');
    await expect(second).rejects.toThrow('sts down');
    expect(calls).toBe(1);
    const later = await cache.get('k', 300, async () => ({ value: 'ok', expiresAt: Date.now() + 15 * MIN }));
    expect(later).toMatchObject({ value: 'ok', outcome: 'miss' });
  });

  it('recovers from a fetch that throws before its first await', async () => {
    const cache = new CredentialCache<string>();
    const throwsAtOnce = (() => {
      throw new Error('bad input');
    }) as unknown as () => Promise<{ value: string; expiresAt: number }>;
    await expect(cache.get('k', 300, throwsAtOnce)).rejects.toThrow('bad input');
    expect((await cache.get('k', 300, async () => ({ value: 'ok', expiresAt: Date.now() + 15 * MIN }))).value).toBe('ok');
  });

  it('holds at most maxEntries, dropping the least recently used first', async () => {
    const c = clock();
    const cache = new CredentialCache<string>(3, c.now);
    const fill = (key: string) => cache.get(key, 300, async () => ({ value: key, expiresAt: c.now() + 15 * MIN }));
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
    for (let i = 0; i < 5000; i++) await cache.get(`user-${i}\nupload`, 300, async () => ({ value: 'x', expiresAt: c.now() + 15 * MIN }));
    expect(cache.size).toBe(1000);
  });
});
