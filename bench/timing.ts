// Timing primitives. Throughput figures are the median of batch means (one slow batch, e.g. a GC
// pause or another process taking the core, moves the median little); latency figures time each
// call on its own, so the p99 shows the tail a caller sees.

export interface Profile {
  /** Short CI run: fewer batches and iterations; its numbers are not for judging. */
  quick: boolean;
}

export interface Throughput {
  /** Median of the batch means, µs per operation. */
  usPerOp: number;
  opsPerSec: number;
  batches: number;
  opsPerBatch: number;
}

export interface Latency {
  medianUs: number;
  p99Us: number;
  samples: number;
}

type Op = () => unknown;

/** Nearest-rank percentile (p in 0..100) of unsorted samples. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) throw new RangeError('no samples');
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile ${p} is outside 0..100`);
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

/** The middle sample, or the mean of the two middle ones. */
export function median(samples: readonly number[]): number {
  if (samples.length === 0) throw new RangeError('no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

// Await only what is a promise: a synchronous op must not pay for a microtask per call.
async function runOnce(op: Op): Promise<void> {
  const r = op();
  if (r instanceof Promise) await r;
}

async function runBatch(op: Op, n: number): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const r = op();
    if (r instanceof Promise) await r;
  }
  return Number(process.hrtime.bigint() - start) / 1000;
}

/** Operations per batch so that one batch lasts about `targetMs`. */
async function calibrate(op: Op, targetMs: number): Promise<number> {
  let n = 1;
  for (;;) {
    const us = await runBatch(op, n);
    if (us >= targetMs * 1000 || n >= 1 << 24) return Math.max(1, Math.round((n * targetMs * 1000) / Math.max(us, 1)));
    n *= 4;
  }
}

function throughputSettings(profile: Profile) {
  return { warmupMs: profile.quick ? 50 : 300, batches: profile.quick ? 10 : 40, batchMs: profile.quick ? 5 : 20 };
}

async function warmUp(op: Op, ms: number): Promise<void> {
  const until = performance.now() + ms;
  while (performance.now() < until) await runOnce(op);
}

/**
 * µs/op of cheap operations, each warmed up first (lets V8 optimise the code), then measured in
 * batches interleaved (a, b, a, b, …) so a load that comes and goes on the machine weighs on each
 * of them alike.
 */
export async function throughputSideBySide(ops: Op[], profile: Profile): Promise<Throughput[]> {
  const { warmupMs, batches, batchMs } = throughputSettings(profile);
  const sizes: number[] = [];
  for (const op of ops) {
    await warmUp(op, warmupMs);
    sizes.push(await calibrate(op, batchMs));
  }
  const means: number[][] = ops.map(() => []);
  for (let b = 0; b < batches; b++) {
    for (let i = 0; i < ops.length; i++) means[i].push((await runBatch(ops[i], sizes[i])) / sizes[i]);
  }
  return means.map((m, i) => {
    const usPerOp = median(m);
    return { usPerOp, opsPerSec: 1e6 / usPerOp, batches, opsPerBatch: sizes[i] };
  });
}

export interface LatencyOptions {
  samples?: number;
  /** Calls before timing starts; by default as many as the samples, at most 1,000. */
  warmup?: number;
}

/** Median and p99 of single calls, after a warm-up. */
export async function latency(op: Op, profile: Profile, opts: LatencyOptions = {}): Promise<Latency> {
  const samples = opts.samples ?? (profile.quick ? 500 : 5000);
  const warmup = opts.warmup ?? Math.min(samples, 1000);
  for (let i = 0; i < warmup; i++) await runOnce(op);
  const us: number[] = new Array(samples);
  for (let i = 0; i < samples; i++) {
    const start = process.hrtime.bigint();
    const r = op();
    if (r instanceof Promise) await r;
    us[i] = Number(process.hrtime.bigint() - start) / 1000;
  }
  return { medianUs: median(us), p99Us: percentile(us, 99), samples };
}
