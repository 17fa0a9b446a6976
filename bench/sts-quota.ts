// The STS quota, on paper and in code. STS allows AssumeRole 100 times a second per account and
// region (https://help.aliyun.com/zh/ram/developer-reference/api-sts-2015-04-01-quota). How many
// does a day of users need at its busiest, when each function instance keeps its own credential
// cache (the default) and when the instances share one (CREDENTIAL_CACHE_URL)?
//
// The model, every number a named constant below:
// - Users arrive over the day on DAILY_CURVE: a consumer app in one time zone, with a morning and an
//   evening peak; the busiest hour brings about a tenth of the day's users.
// - A session lasts an exponential time (mean 10 min, at most 2 h). It opens with POST /token
//   (upload access), and the client asks again 300 s before the credentials it holds expire
//   (ali-oss and the mobile SDKs' refresh window) while the session lasts. /sign is called every
//   30 s on average (Poisson): 70 % downloads (the download scope), 30 % uploads (the upload scope).
// - Function Compute's built-in runtimes serve one request per instance at a time, so a function
//   runs (its request rate × its request time) instances at once; the model keeps twice that many
//   warm and routes each request to one of them at random. Instances are never recycled, which
//   favours the per-instance caches (a new instance starts empty).
// - A credential lasts L = 3600 s (STS_DURATION_SECONDS) and serves a use only with the use plus
//   60 s left (the freshness rule); /token's use is 300 s, /sign's 300 s (URL_EXPIRES_SECONDS).
// - Per-instance caches: every (function, instance) keeps its own credential per (user, scope).
//   Shared: one per (user, scope) for every instance of every function; /token and /sign's uploads
//   share the upload scope.
//
// A user's AssumeRole calls depend only on that user's own requests, so the model simulates SAMPLE
// users' request streams (Monte Carlo, seeded), which gives the expected calls a user makes at each
// moment after arriving, and convolves that with the day's arrival rate: the expected AssumeRole
// calls a second at every moment of the day, at a 10 s resolution. The peak is its maximum (the
// busiest single second runs a few calls above it by chance).

import { judge, type Row } from './report';
import type { Profile } from './timing';

/** STS's AssumeRole quota: calls a second per account and region. */
const QUOTA_PER_SECOND = 100;
/** The design's ceiling for the functions' own use of it, which BENCHMARKS.md reports against. */
const HALF_QUOTA = QUOTA_PER_SECOND / 2;

/** Share of the day's users arriving in each hour from 00:00, in percent (normalised below). */
const DAILY_CURVE = [1.2, 0.6, 0.4, 0.3, 0.3, 0.6, 1.8, 4.2, 7.5, 10, 6.8, 5.2, 5.6, 5.2, 4.7, 4.5, 4.5, 4.9, 5.2, 6.1, 7.0, 6.5, 4.0, 2.3];
const SESSION_MEAN_S = 600;
const SESSION_MAX_S = 7200;
const SIGN_EVERY_S = 30;
const DOWNLOAD_SHARE = 0.7;
const LIFETIME_S = 3600;
const MARGIN_S = 60;
const USE_S = { token: 300, sign: 300 } as const;
/** Seconds a request keeps an instance busy, platform overhead included. */
const REQUEST_S = { token: 0.1, sign: 0.05 } as const;
/** Warm instances kept per instance busy at once. */
const WARM_FACTOR = 2;
/** The simulation's time step, in seconds. */
const BIN_S = 10;
const DAY_BINS = 86_400 / BIN_S;
const DAILY_USERS = [1e4, 1e5, 1e6, 1e7];

export type Design = 'per-instance' | 'shared';
type Fn = 'token' | 'sign';
export interface Instances {
  token: number;
  sign: number;
}

/** mulberry32: small, seeded, good enough for a model; the same sequence for the same seed, in [0, 1). */
export function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Users arriving in each 10 s of the day for `daily` users: the hourly shares, interpolated between hour midpoints round the clock. */
export function arrivals(daily: number): Float64Array {
  const total = DAILY_CURVE.reduce((a, b) => a + b, 0);
  const out = new Float64Array(DAY_BINS);
  for (let b = 0; b < DAY_BINS; b++) {
    const hour = (b * BIN_S) / 3600 - 0.5;
    const h0 = Math.floor(hour);
    const f = hour - h0;
    const share = (DAILY_CURVE[(h0 + 24) % 24] * (1 - f) + DAILY_CURVE[(h0 + 25) % 24] * f) / total;
    out[b] = (daily * share * BIN_S) / 3600;
  }
  // Interpolation moves a little weight between hours; the day still brings exactly `daily` users.
  const sum = out.reduce((a, b) => a + b, 0);
  return out.map((v) => (v * daily) / sum);
}

/** The busiest hour's share of the day's users. */
export function peakHourShare(): number {
  return Math.max(...DAILY_CURVE) / DAILY_CURVE.reduce((a, b) => a + b, 0);
}

/**
 * The seconds after arriving at which one user's requests make an AssumeRole call, under `design`
 * with `instances` warm instances per function and requests routed at random.
 */
export function userCalls(design: Design, instances: Instances, random: () => number): number[] {
  const session = Math.min(SESSION_MAX_S, -Math.log(1 - random()) * SESSION_MEAN_S);
  const cache = new Map<string, number>();
  const calls: number[] = [];
  /** The expiry of the credential `fn` hands out at `t` for `scope`, calling STS when its cache has none that serves. */
  const vend = (t: number, fn: Fn, scope: 'upload' | 'download'): number => {
    const key = design === 'shared' ? scope : `${fn}/${Math.floor(random() * instances[fn])}/${scope}`;
    const held = cache.get(key);
    if (held !== undefined && held - t - MARGIN_S >= USE_S[fn]) return held;
    calls.push(t);
    cache.set(key, t + LIFETIME_S);
    return t + LIFETIME_S;
  };
  let nextToken = 0;
  let nextSign = -Math.log(1 - random()) * SIGN_EVERY_S;
  for (;;) {
    const t = Math.min(nextToken, nextSign);
    if (t > session) return calls;
    if (t === nextToken) {
      // The client asks again when the credentials it was handed have 300 s left.
      nextToken = Math.max(t + 1, vend(t, 'token', 'upload') - USE_S.token);
    } else {
      vend(t, 'sign', random() < DOWNLOAD_SHARE ? 'download' : 'upload');
      nextSign = t - Math.log(1 - random()) * SIGN_EVERY_S;
    }
  }
}

/** Requests a user makes to each function, on average (by the same Monte Carlo). */
function requestsPerUser(random: () => number, samples: number): Instances {
  let signs = 0;
  for (let i = 0; i < samples; i++) signs += Math.min(SESSION_MAX_S, -Math.log(1 - random()) * SESSION_MEAN_S) / SIGN_EVERY_S;
  // The session opens with one /token; a second comes only past L - 300 s, which few sessions reach.
  return { token: 1 + Math.exp(-(LIFETIME_S - USE_S.token) / SESSION_MEAN_S), sign: signs / samples };
}

/** Warm instances per function at the day's peak for `daily` users: Little's law, times WARM_FACTOR. */
export function instancesFor(daily: number, perUser: Instances): Instances {
  const peakArrivalsPerSecond = Math.max(...arrivals(daily)) / BIN_S;
  const warm = (fn: Fn) => Math.max(1, Math.ceil(peakArrivalsPerSecond * perUser[fn] * REQUEST_S[fn] * WARM_FACTOR));
  return { token: warm('token'), sign: warm('sign') };
}

/** Expected AssumeRole calls one user makes in each 10 s after arriving. */
function callProfile(design: Design, instances: Instances, samples: number, seed: number): Float64Array {
  const random = seeded(seed);
  const profile = new Float64Array(Math.ceil((SESSION_MAX_S + 1) / BIN_S));
  for (let i = 0; i < samples; i++) for (const t of userCalls(design, instances, random)) profile[Math.floor(t / BIN_S)] += 1 / samples;
  return profile;
}

/** The highest expected AssumeRole calls a second over the day. */
function peakPerSecond(daily: number, profile: Float64Array): number {
  const a = arrivals(daily);
  let peak = 0;
  for (let b = 0; b < DAY_BINS; b++) {
    let calls = 0;
    for (let k = 0; k < profile.length; k++) calls += a[(b - k + DAY_BINS) % DAY_BINS] * profile[k];
    peak = Math.max(peak, calls / BIN_S);
  }
  return peak;
}

export interface QuotaFigure {
  daily: number;
  instances: Instances;
  peak: Record<Design, number>;
}

/** The peak for `daily` users under both designs. */
export function quotaAt(daily: number, samples: number, perUser: Instances): QuotaFigure {
  const instances = instancesFor(daily, perUser);
  return {
    daily,
    instances,
    peak: {
      'per-instance': peakPerSecond(daily, callProfile('per-instance', instances, samples, 1)),
      shared: peakPerSecond(daily, callProfile('shared', instances, samples, 1)),
    },
  };
}

/** The most daily users whose peak stays under `ceiling` calls a second (bisection on a log scale). */
export function largestUnder(design: Design, ceiling: number, samples: number, perUser: Instances): number {
  let low = 1e3;
  let high = 1e9;
  while (high / low > 1.01) {
    const mid = Math.sqrt(low * high);
    if (quotaAt(mid, samples, perUser).peak[design] < ceiling) low = mid;
    else high = mid;
  }
  return low;
}

const exponent = (n: number) => `10^${Math.round(Math.log10(n))}`;

export async function stsQuotaBench(profile: Profile): Promise<Row[]> {
  const samples = profile.quick ? 2_000 : 20_000;
  const perUser = requestsPerUser(seeded(2), samples);
  const rows: Row[] = DAILY_USERS.map((daily) => {
    const f = quotaAt(daily, samples, perUser);
    return judge({
      group: 'sts-quota',
      name: `peak AssumeRole a second, ${exponent(daily)} daily users, shared cache (quota ${QUOTA_PER_SECOND}/s; warm instances: sign ${f.instances.sign}, token ${f.instances.token})`,
      value: f.peak.shared,
      unit: 'calls/s',
      comparison: { name: 'per-instance caches', value: f.peak['per-instance'] },
    });
  });
  const under = (design: Design) => largestUnder(design, HALF_QUOTA, samples, perUser);
  rows.push(
    judge({
      group: 'sts-quota',
      name: `most daily users whose peak stays under half the quota (${HALF_QUOTA} calls/s), shared cache (peak hour ${(peakHourShare() * 100).toFixed(1)} % of the day)`,
      value: Math.round(under('shared')),
      unit: 'users',
      comparison: { name: 'per-instance caches', value: Math.round(under('per-instance')) },
      higherIsBetter: true,
    }),
  );
  return rows;
}
