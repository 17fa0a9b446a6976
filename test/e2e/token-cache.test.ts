// The token function's credential cache, against the local STS: one AssumeRole per user and scope
// (the compiled session policy) per credential lifetime, however many requests arrive.

import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import { tokenHandler } from '../../functions/token';
import { createLocalAccount, type LocalAccount } from '../../local/account';
import { isAllowed } from '../../local/iam/evaluate';
import { type LocalSts, startLocalSts } from '../../local/sts/server';
import { setLogSink } from '../../shared/log';
import { stsCallCount } from '../../shared/sts/assume-role';
import { switchableConfig } from '../helpers/config';
import { fcContext, httpEvent } from '../helpers/events';

const BUCKET = 'local-uploads';
const HS256 = randomBytes(32).toString('base64url');
const config = switchableConfig();
const handler = tokenHandler(config.source);

let account: LocalAccount;
let sts: LocalSts;
let logs: Record<string, unknown>[];
let restoreSink: (line: string) => void;

beforeAll(async () => {
  account = createLocalAccount(BUCKET, 'users/${uid}/');
  sts = await startLocalSts({ iam: account.iam });
});
afterAll(() => sts.close());

beforeEach(() => {
  // A fresh configuration, so each test starts with an empty cache.
  config.configure({ OSS_BUCKET: BUCKET, OSS_REGION: 'cn-hangzhou', STS_ENDPOINT: sts.url, STS_ROLE_ARN: account.uploadRoleArn, AUTH_HS256_SECRET: HS256 });
  logs = [];
  restoreSink = setLogSink((line) => logs.push(JSON.parse(line) as Record<string, unknown>));
});
afterEach(() => {
  setLogSink(restoreSink);
  jest.useRealTimers();
});

const jwts = new Map<string, Promise<string>>();
function jwt(user: string): Promise<string> {
  if (!jwts.has(user)) {
    jwts.set(user, new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(user).setIssuedAt().setExpirationTime('2h').sign(new TextEncoder().encode(HS256)));
  }
  return jwts.get(user) as Promise<string>;
}

async function token(user: string, access = 'upload') {
  const r = await handler(
    httpEvent({ method: 'POST', path: '/token', headers: { Authorization: `Bearer ${await jwt(user)}` }, body: { access } }),
    fcContext({ credentials: account.credentialsFor('token') }),
  );
  expect(r.statusCode).toBe(200);
  return JSON.parse(r.body) as { AccessKeyId: string; SecurityToken: string; Expiration: string };
}

it('answers 100 concurrent requests of one user with one STS call and the same credentials', async () => {
  const before = stsCallCount();
  const answers = await Promise.all(Array.from({ length: 100 }, () => token('alice')));
  expect(stsCallCount() - before).toBe(1);
  expect(new Set(answers.map((a) => a.AccessKeyId)).size).toBe(1);
  const outcomes = logs.map((l) => l.cache);
  expect(outcomes.filter((o) => o === 'miss')).toHaveLength(1);
  expect(logs.reduce((n, l) => n + (l.stsCalls as number), 0)).toBe(1);
});

it('answers later requests from the cache while the credentials last 300 s more plus a minute, then calls STS afresh', async () => {
  jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'clearImmediate', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'queueMicrotask', 'hrtime', 'performance'] });
  const start = new Date();
  jest.setSystemTime(start);
  const before = stsCallCount();
  const first = await token('alice');
  // 3600-second credentials, which a client uses for 300 s more (its refresh window): handed out until 360 s remain.
  const remaining = (at: number) => (Date.parse(first.Expiration) - at) / 1000;
  jest.setSystemTime(Date.parse(first.Expiration) - 362_000);
  expect(remaining(Date.now())).toBeGreaterThan(360);
  expect((await token('alice')).AccessKeyId).toBe(first.AccessKeyId);
  expect(stsCallCount() - before).toBe(1);
  jest.setSystemTime(Date.parse(first.Expiration) - 358_000);
  const fresh = await token('alice');
  expect(fresh.AccessKeyId).not.toBe(first.AccessKeyId);
  expect(stsCallCount() - before).toBe(2);
  expect(Date.parse(fresh.Expiration)).toBeGreaterThan(Date.parse(first.Expiration));
});

it('never lets two users share an entry: each gets credentials for their own prefix only', async () => {
  // Ids that extend one another as well as unrelated ones.
  const users = ['alice', 'alice2', 'alice.x', 'bob'];
  const creds = await Promise.all(users.map((u) => token(u)));
  expect(new Set(creds.map((c) => c.AccessKeyId)).size).toBe(users.length);
  const powers = (c: { AccessKeyId: string; SecurityToken: string }) => {
    const r = account.iam.resolve(c.AccessKeyId, c.SecurityToken);
    if (!r.ok) throw new Error(r.fault);
    // OSS sets oss:x-oss-object-acl to `default` on a write that names no ACL.
    return (key: string) => isAllowed(r.principal.policies, 'oss:PutObject', `acs:oss:*:*:${BUCKET}/${key}`, { 'oss:x-oss-object-acl': 'default' });
  };
  const may = creds.map((c, i) => [users[i], users.filter((u) => powers(c)(`users/${u}/a.jpg`))]);
  expect(may).toEqual(users.map((u) => [u, [u]]));
});

it('keeps access levels of one user apart', async () => {
  const before = stsCallCount();
  const [up, down] = await Promise.all([token('alice', 'upload'), token('alice', 'download')]);
  expect(up.AccessKeyId).not.toBe(down.AccessKeyId);
  expect(stsCallCount() - before).toBe(2);
});

it('logs each request as a cache hit or miss with its STS call count', async () => {
  await token('carol');
  await token('carol');
  expect(logs.map((l) => [l.cache, l.stsCalls])).toEqual([
    ['miss', 1],
    ['hit', 0],
  ]);
});
