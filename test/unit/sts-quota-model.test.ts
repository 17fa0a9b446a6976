// The load model behind `npm run bench -- --only=sts-quota` (bench/sts-quota.ts) holds to what it
// claims: the day brings its users with a tenth in the busiest hour, per-instance caches cost a
// call per instance a user's requests reach, the shared cache one per scope, and the shared cache's
// peak grows in step with the users.

import { arrivals, peakHourShare, quotaAt, seeded, userCalls } from '../../bench/sts-quota';


const meanCalls = (design: 'per-instance' | 'shared', instances: { token: number; sign: number }, samples = 20_000) => {
  const random = seeded(7);
  let calls = 0;
  for (let i = 0; i < samples; i++) calls += userCalls(design, instances, random).length;
  return calls / samples;
};

test('the day brings exactly its users, about a tenth of them in the busiest hour', () => {
  const a = arrivals(1_000_000);
  expect(a.reduce((x, y) => x + y, 0)).toBeCloseTo(1_000_000, 3);
  expect(peakHourShare()).toBeGreaterThan(0.095);
  expect(peakHourShare()).toBeLessThan(0.105);
});

test('with the shared cache a user costs one call per scope and credential lifetime: at most two in any 3,240 s', () => {
  // A credential of 3600 s serves a 300 s use, with the minute's margin, for its first 3240 s.
  const random = seeded(3);
  for (let i = 0; i < 5_000; i++) {
    const calls = userCalls('shared', { token: 7, sign: 9 }, random);
    for (const t of calls) expect(calls.filter((u) => u >= t && u < t + 3240).length).toBeLessThanOrEqual(2);
  }
  const mean = meanCalls('shared', { token: 100, sign: 100 });
  expect(mean).toBeGreaterThan(1.5);
  expect(mean).toBeLessThan(2.1);
});

test('with one instance per function, per-instance caches cost at most the one extra call token and sign do not share', () => {
  const shared = meanCalls('shared', { token: 1, sign: 1 });
  const perInstance = meanCalls('per-instance', { token: 1, sign: 1 });
  expect(perInstance - shared).toBeGreaterThan(0.2);
  expect(perInstance - shared).toBeLessThanOrEqual(1);
});

test('with countless instances, per-instance caches call STS on every request: a /token and a /sign every 30 s of a 10-minute session', () => {
  expect(meanCalls('per-instance', { token: 1e9, sign: 1e9 })).toBeCloseTo(1 + 600 / 30, 0);
});

test("the shared cache's peak grows in step with the day's users", () => {
  const perUser = { token: 1, sign: 20 };
  const small = quotaAt(1e5, 4_000, perUser).peak.shared;
  const large = quotaAt(1e6, 4_000, perUser).peak.shared;
  expect(large / small).toBeCloseTo(10, 5);
});
