// Tair as it is deployed: TLS only (rediss://, its own CA, which the functions trust through
// CREDENTIAL_CACHE_TLS_CA) and AUTH, here with an ACL user confined to the cache's keys. The shared
// cache works through both; without the CA the functions refuse the server's certificate, say so
// once, and serve from their own caches.

import { randomBytes } from 'node:crypto';
import { buildBundles, type Call, type Deployment, inParallel, send, startDeployment } from './helpers/instances';
import { type RunningRedis, startRedis } from './helpers/redis-server';

const INSTANCES = 2;
const USERS = 30;
const CALLS: Call[] = [{ fn: 'token', access: 'upload' }, { fn: 'sign', op: 'get' }];
const ACL_PASSWORD = randomBytes(18).toString('base64url');

let bundles: Awaited<ReturnType<typeof buildBundles>>;
let redis: RunningRedis;

beforeAll(async () => {
  bundles = await buildBundles();
  redis = await startRedis({ tls: true, password: randomBytes(18).toString('base64url'), aclUser: `fn-cache on >${ACL_PASSWORD} ~oss-upload:* +@all` });
});
afterAll(async () => {
  await redis?.stop();
  bundles?.remove();
});

async function everyone(deployment: Deployment): Promise<number[]> {
  const tasks: (() => Promise<number>)[] = [];
  for (let i = 0; i < USERS; i++) {
    const user = `tls-${i}`;
    const jwt = await deployment.login(user);
    for (const call of CALLS) for (const instance of deployment.instances) tasks.push(() => send(instance, jwt, call, user).then((a) => a.status));
  }
  return inParallel(tasks, 16);
}

test('over TLS with an ACL user, the instances share one credential per user and scope', async () => {
  const deployment = await startDeployment(bundles.dir, INSTANCES, {
    CREDENTIAL_CACHE_URL: `rediss://fn-cache:${ACL_PASSWORD}@127.0.0.1:${redis.port}`,
    CREDENTIAL_CACHE_TLS_CA: redis.caPem,
    CREDENTIAL_CACHE_KEY: randomBytes(32).toString('base64'),
  });
  try {
    // Each function instance connects (TCP, TLS, AUTH) on its first request; on this shared machine that
    // can take longer than the connect allowance, and a request that gives up on Redis calls STS itself.
    const warm = await deployment.login('warm-up');
    for (const instance of deployment.instances) for (const call of CALLS) expect((await send(instance, warm, call, 'warm-up')).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const before = deployment.sts.issued.length;
    expect((await everyone(deployment)).filter((s) => s !== 200)).toEqual([]);
    expect(deployment.instances.flatMap((i) => i.log.filter((l) => l.event === 'shared-cache-unavailable'))).toEqual([]);
    expect(deployment.sts.issued.length - before).toBeLessThanOrEqual(Math.ceil(1.05 * USERS * CALLS.length));
    // Everything the cache wrote is under its prefix (the ACL user may touch nothing else).
    const keys = (await redis.contents()).map((c) => c.key);
    expect(keys.length).toBeGreaterThanOrEqual(USERS * CALLS.length);
    expect(keys.filter((k) => !k.startsWith('oss-upload:'))).toEqual([]);
  } finally {
    await deployment.stop();
  }
});

test("without the CA, the server's certificate is refused, the log says so once per function instance, and requests are still answered", async () => {
  const deployment = await startDeployment(bundles.dir, INSTANCES, {
    CREDENTIAL_CACHE_URL: `rediss://fn-cache:${ACL_PASSWORD}@127.0.0.1:${redis.port}`,
    CREDENTIAL_CACHE_KEY: randomBytes(32).toString('base64'),
  });
  try {
    expect((await everyone(deployment)).filter((s) => s !== 200)).toEqual([]);
    const lines = deployment.instances.map((i) => i.log.filter((l) => l.event === 'shared-cache-unavailable'));
    for (const perInstance of lines) expect([1, 2]).toContain(perInstance.length);
    expect(new Set(lines.flat().map((l) => l.reason))).toEqual(new Set(['SELF_SIGNED_CERT_IN_CHAIN']));
  } finally {
    await deployment.stop();
  }
});
