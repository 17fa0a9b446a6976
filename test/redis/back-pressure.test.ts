// Back-pressure across instances: with the shared cache, STS_RATE_LIMIT paces every instance together
// (the bucket lives in Redis), and when STS throttles anyway (other callers of the account), users
// who hold credentials see no error while new users are served or told when to come back, inside the
// token function's timeout.

import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { buildBundles, type Deployment, send, startDeployment } from './helpers/instances';
import { type RunningRedis, startRedis } from './helpers/redis-server';

const INSTANCES = 4;
const RATE = 10;
const TOKEN: { fn: 'token'; access: 'upload' } = { fn: 'token', access: 'upload' };

const manifest = parse(readFileSync(join(__dirname, '..', '..', 's.yaml'), 'utf8')) as { template: { function: { timeout: number } }; resources: { token: { props: { timeout?: number } } } };
const TOKEN_TIMEOUT_MS = (manifest.resources.token.props.timeout ?? manifest.template.function.timeout) * 1000;

let bundles: Awaited<ReturnType<typeof buildBundles>>;
let redis: RunningRedis;
beforeAll(async () => {
  bundles = await buildBundles();
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
  bundles?.remove();
});

async function deployment(stsOptions: { throttlePerSecond?: number } = {}): Promise<Deployment> {
  return startDeployment(bundles.dir, INSTANCES, { CREDENTIAL_CACHE_URL: redis.url, CREDENTIAL_CACHE_KEY: randomBytes(32).toString('base64'), STS_RATE_LIMIT: String(RATE) }, stsOptions);
}

/** The most AssumeRole calls STS answered with credentials in any one second. */
function busiestSecond(issued: readonly { at: number }[]): number {
  const times = issued.map((s) => s.at).sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; j < times.length; j++) {
    while (times[j] - times[i] >= 1000) i++;
    most = Math.max(most, j - i + 1);
  }
  return most;
}

test(`${INSTANCES} instances together call STS no faster than STS_RATE_LIMIT (${RATE} a second), not ${RATE} each`, async () => {
  const d = await deployment();
  try {
    // Warm each instance's connection first, so what follows is paced in Redis, not skipped.
    const warm = await d.login('warm');
    for (const instance of d.instances) expect((await send(instance, warm, TOKEN, 'warm')).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const before = d.sts.issued.length;
    const users = Array.from({ length: 120 }, (_, i) => `paced-${i}`);
    const jwts = await Promise.all(users.map((u) => d.login(u)));
    const answers = await Promise.all(users.map((u, i) => send(d.instances[i % INSTANCES], jwts[i], TOKEN, u)));
    const burst = d.sts.issued.slice(before);
    process.stdout.write(`paced: ${burst.length} of ${users.length} served, busiest second ${busiestSecond(burst)} calls\n`);
    // The rate, the one call the bucket saves up, and one for the calls' differing trips to STS.
    expect(busiestSecond(burst)).toBeLessThanOrEqual(RATE + 2);
    // More than one instance's worth were served within the budget, and the rest were told when to come back.
    const refused = answers.filter((a) => a.status !== 200);
    expect(refused.filter((a) => a.status !== 503 || !/^[1-9]\d*$/.test(a.headers.get('retry-after') ?? ''))).toEqual([]);
    expect(burst.length).toBeGreaterThan(RATE * 3);
    expect(refused.length).toBeGreaterThan(0);
  } finally {
    await d.stop();
  }
});

test('when STS throttles below the rate, holders see no error, new users are served or told to retry, none waits past the timeout', async () => {
  const d = await deployment({ throttlePerSecond: RATE / 2 });
  try {
    const holders = Array.from({ length: 8 }, (_, i) => `holder-${i}`);
    const holderJwts = await Promise.all(holders.map((u) => d.login(u)));
    // Each holder gets credentials on every instance (one AssumeRole each, shared), slowly enough for STS.
    for (const [i, u] of holders.entries()) {
      for (const instance of d.instances) expect((await send(instance, holderJwts[i], TOKEN, u)).status).toBe(200);
    }
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const newcomers = Array.from({ length: 80 }, (_, i) => `newcomer-${i}`);
    const jwts = await Promise.all(newcomers.map((u) => d.login(u)));
    const arriving: ReturnType<typeof send>[] = [];
    const holding: ReturnType<typeof send>[] = [];
    for (const [i, u] of newcomers.entries()) {
      arriving.push(send(d.instances[i % INSTANCES], jwts[i], TOKEN, u));
      holding.push(send(d.instances[(i + 1) % INSTANCES], holderJwts[i % holders.length], TOKEN, holders[i % holders.length]));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const [arrived, held] = [await Promise.all(arriving), await Promise.all(holding)];
    expect(d.sts.throttled).toBeGreaterThan(0);
    expect(held.filter((a) => a.status !== 200)).toEqual([]);
    const refused = arrived.filter((a) => a.status !== 200);
    expect(refused.filter((a) => a.status !== 503 || a.body.error === undefined || !/^[1-9]\d*$/.test(a.headers.get('retry-after') ?? ''))).toEqual([]);
    expect(arrived.filter((a) => a.status === 200).length).toBeGreaterThan(10);
    expect(Math.max(...arrived.map((a) => a.ms), ...held.map((a) => a.ms))).toBeLessThan(TOKEN_TIMEOUT_MS);
    process.stdout.write(
      `throttled: ${arrived.length - refused.length} of ${arrived.length} new users served, ${refused.length} told to retry; ${d.sts.throttled} Throttling answers; longest wait ${Math.round(Math.max(...arrived.map((a) => a.ms)))} ms\n`,
    );
  } finally {
    await d.stop();
  }
});
