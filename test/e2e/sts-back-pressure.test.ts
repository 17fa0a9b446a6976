// Back-pressure, not failure: the local STS answers Throttling past 10 AssumeRole a second (other
// callers of the account taking the rest of the quota), the token function allows itself 20, and a
// burst of new users arrives at 100 a second while users who already hold credentials keep asking.
// Holders see no error; new users are served in the order they arrived, or told 503 StsUnavailable
// with Retry-After; nobody waits past the token function's timeout in s.yaml.

import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { parse } from 'yaml';
import { tokenHandler } from '../../functions/token';
import { createLocalAccount, type LocalAccount } from '../../local/account';
import { type LocalSts, startLocalSts } from '../../local/sts/server';
import type { HttpResponse } from '../../shared/http/response';
import { setLogSink } from '../../shared/log';
import { configOf } from '../helpers/config';
import { fcContext, httpEvent } from '../helpers/events';

const BUCKET = 'local-uploads';
const HS256 = randomBytes(32).toString('base64url');
const STS_PER_SECOND = 10;
const HOLDERS = 10;
const NEW_USERS = 150;
const ARRIVAL_GAP_MS = 10;

/** The token function's timeout in s.yaml, in ms. */
function tokenTimeoutMs(): number {
  const manifest = parse(readFileSync(join(__dirname, '..', '..', 's.yaml'), 'utf8')) as {
    template: { function: { timeout: number } };
    resources: { token: { props: { timeout?: number } } };
  };
  return (manifest.resources.token.props.timeout ?? manifest.template.function.timeout) * 1000;
}

let account: LocalAccount;
let sts: LocalSts;
let restoreSink: (line: string) => void;
const logs: Record<string, unknown>[] = [];

beforeAll(async () => {
  account = createLocalAccount(BUCKET, 'users/${uid}/');
  sts = await startLocalSts({ iam: account.iam, throttlePerSecond: STS_PER_SECOND });
  restoreSink = setLogSink((line) => logs.push(JSON.parse(line) as Record<string, unknown>));
});
afterAll(async () => {
  setLogSink(restoreSink);
  await sts.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('holders keep being served, new users are served in arrival order or told to retry, none waits past the timeout', async () => {
  const handler = tokenHandler(
    configOf({ OSS_BUCKET: BUCKET, OSS_REGION: 'cn-hangzhou', STS_ENDPOINT: sts.url, STS_ROLE_ARN: account.uploadRoleArn, AUTH_HS256_SECRET: HS256, STS_RATE_LIMIT: String(STS_PER_SECOND * 2) }),
  );
  const jwtOf = (user: string) => new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(user).setExpirationTime('1h').sign(new TextEncoder().encode(HS256));
  const token = async (jwt: string) => {
    const started = performance.now();
    const r: HttpResponse = await handler(
      httpEvent({ method: 'POST', path: '/token', headers: { Authorization: `Bearer ${jwt}` }, body: { access: 'upload' } }),
      fcContext({ credentials: account.credentialsFor('token') }),
    );
    return { status: r.statusCode, code: r.statusCode === 200 ? undefined : (JSON.parse(r.body) as { error: { code: string } }).error.code, retryAfter: r.headers['Retry-After'], ms: performance.now() - started };
  };

  const holders = await Promise.all(Array.from({ length: HOLDERS }, (_, i) => jwtOf(`holder-${i}`)));
  for (const jwt of holders) expect((await token(jwt)).status).toBe(200);
  // Let STS's one-second window empty before the burst.
  await sleep(1100);

  const newcomers = await Promise.all(Array.from({ length: NEW_USERS }, (_, i) => jwtOf(`new-${String(i).padStart(3, '0')}`)));
  const holding: Promise<Awaited<ReturnType<typeof token>>>[] = [];
  const arriving: Promise<Awaited<ReturnType<typeof token>>>[] = [];
  for (const [i, jwt] of newcomers.entries()) {
    arriving.push(token(jwt));
    holding.push(token(holders[i % HOLDERS]));
    await sleep(ARRIVAL_GAP_MS);
  }
  const held = await Promise.all(holding);
  const arrived = await Promise.all(arriving);

  // STS did throttle, so the test is about back-pressure and not an idle STS.
  expect(sts.throttled).toBeGreaterThan(0);
  // Holders: every request answered from the cache.
  expect(held.filter((r) => r.status !== 200)).toEqual([]);
  // New users: 200, or 503 StsUnavailable with a Retry-After of whole seconds.
  const refused = arrived.filter((r) => r.status !== 200);
  expect(refused.filter((r) => r.status !== 503 || r.code !== 'StsUnavailable' || !/^[1-9]\d*$/.test(r.retryAfter ?? ''))).toEqual([]);
  const served = arrived.flatMap((r, i) => (r.status === 200 ? [`new-${String(i).padStart(3, '0')}`] : []));
  expect(served.length).toBeGreaterThan(10);
  expect(refused.length).toBeGreaterThan(0);
  // Served in arrival order: STS handed out their credentials in the order they arrived.
  const issuedOrder = sts.issued.map((s) => s.sessionName).filter((name) => name.startsWith('new-'));
  expect(issuedOrder).toEqual(served);
  // Nobody waits past the function's timeout.
  expect(Math.max(...arrived.map((r) => r.ms), ...held.map((r) => r.ms))).toBeLessThan(tokenTimeoutMs());
  const lines = logs.filter((l) => l.fn === 'token' && typeof l.user === 'string' && (l.user as string).startsWith('new-'));
  process.stdout.write(
    `back-pressure: ${served.length} of ${NEW_USERS} new users served, ${refused.length} told to retry (Retry-After ${[...new Set(refused.map((r) => r.retryAfter))].join(', ')} s); ` +
      `${sts.throttled} Throttling answers; longest wait ${Math.round(Math.max(...arrived.map((r) => r.ms)))} ms; ${lines.filter((l) => l.stsFailure === 'queued').length} refused by the queue at once\n`,
  );
}, 60_000);
