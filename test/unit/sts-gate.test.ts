// The gate in front of STS: a one-token bucket refilled at STS_RATE_LIMIT a second, and a queue served
// in arrival order that tells a caller at once when its turn would come too late.

import { LocalBucket, QueueRefused, StsGate, THROTTLE_PAUSE_MS } from '../../shared/sts/gate';

function clock(start = 1_700_000_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('the token bucket', () => {
  it('paces calls: one at once, then one every 1/rate seconds', () => {
    const c = clock();
    const bucket = new LocalBucket(10, c.now);
    expect(bucket.takeNow()).toBe(0);
    expect(bucket.takeNow()).toBe(100);
    c.advance(99);
    expect(bucket.takeNow()).toBe(1);
    c.advance(1);
    expect(bucket.takeNow()).toBe(0);
  });

  it('saves up no more than one call however long it idles, so no second sees more than the rate and one', () => {
    const c = clock();
    const bucket = new LocalBucket(5, c.now);
    c.advance(3_600_000);
    expect([bucket.takeNow(), bucket.takeNow()]).toEqual([0, 200]);
  });

  it('holds the next call back 250 ms after STS throttles', () => {
    const c = clock();
    const bucket = new LocalBucket(4, c.now);
    bucket.throttled();
    expect(THROTTLE_PAUSE_MS).toBe(250);
    expect(bucket.takeNow()).toBe(250 + 250);
  });
});

describe('the queue', () => {
  const soon = (ms: number) => Date.now() + ms;

  it('admits callers in the order they arrived, at the rate', async () => {
    const gate = new StsGate(new LocalBucket(100), 100);
    const admitted: number[] = [];
    const started = Date.now();
    // One at once, then one every 10 ms.
    await Promise.all(Array.from({ length: 30 }, (_, i) => gate.admit(i + 1, soon(5000)).then(() => admitted.push(i + 1))));
    expect(admitted).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(Date.now() - started).toBeGreaterThanOrEqual(29 * 10 - 5);
  });

  it('puts a retry back before the callers who arrived after it', async () => {
    const bucket = new LocalBucket(10);
    bucket.takeNow();
    const gate = new StsGate(bucket, 10);
    const admitted: number[] = [];
    const later = [5, 6, 7].map((order) => gate.admit(order, soon(5000)).then(() => admitted.push(order)));
    const retry = gate.admit(2, soon(5000)).then(() => admitted.push(2));
    await Promise.all([...later, retry]);
    expect(admitted).toEqual([2, 5, 6, 7]);
  });

  it('refuses a caller at once, with Retry-After, when the callers ahead of it fill the time it has', async () => {
    const bucket = new LocalBucket(10);
    bucket.takeNow();
    const gate = new StsGate(bucket, 10);
    const ahead = Array.from({ length: 20 }, (_, i) => gate.admit(i + 1, soon(5000)));
    const started = Date.now();
    const refused = await gate.admit(21, soon(1000)).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(Date.now() - started).toBeLessThan(50);
    expect(refused).toBeInstanceOf(QueueRefused);
    // 21 callers at 10 a second: come back in 3 s.
    expect((refused as QueueRefused).retryAfterSeconds).toBe(3);
    await Promise.all(ahead);
  });

  it('lets a caller go when its deadline passes while it waits, and the next one takes its turn', async () => {
    const bucket = new LocalBucket(2);
    bucket.takeNow();
    const gate = new StsGate(bucket, 2);
    const first = gate.admit(1, soon(2000));
    const impatient = gate.admit(2, soon(100)).then(
      () => 'admitted',
      (err: unknown) => (err instanceof QueueRefused ? 'refused' : 'other'),
    );
    const third = gate.admit(3, soon(3000));
    expect(await impatient).toBe('refused');
    await first;
    expect(gate.waiting).toBe(1);
    await third;
    expect(gate.waiting).toBe(0);
  });
});
