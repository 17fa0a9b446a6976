// The log audit itself: it sees lines whatever sink a test installs, and it recognises the secrets
// the run produced and the shapes of secrets, without repeating them in its report.

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { IamStore } from '../../local/iam/store';
import { log, setLogSink } from '../../shared/log';
import { fcContext } from '../helpers/events';
import { findLeaks, forgetSecret, registerSecret } from '../setup/leaks';

const store = new IamStore();
const role = { arn: 'acs:ram::1234567890123456:role/audit', trusted: ['root'], policy: { Version: '1', Statement: [] }, maxSessionDuration: 3600 };

test('a secret an IamStore issued, logged through a field the redactor does not know, is reported and masked', () => {
  const restore = setLogSink(() => undefined);
  const session = store.issueSession(role, 'audit', 900);
  log('info', { note: `copied ${session.accessKeySecret} by mistake` });
  setLogSink(restore);
  const leaks = findLeaks();
  expect(leaks).toHaveLength(1);
  expect(leaks[0]).toContain('a held or configured secret');
  expect(leaks[0]).not.toContain(session.accessKeySecret);
});

test('a configured secret (AUTH_HS256_SECRET) that reaches a line is reported, though no pattern knows its shape', () => {
  const saved = process.env.AUTH_HS256_SECRET;
  process.env.AUTH_HS256_SECRET = 'configured-hs256-secret-of-32-bytes!!';
  const restore = setLogSink(() => undefined);
  log('info', { note: 'the secret is configured-hs256-secret-of-32-bytes!!' });
  setLogSink(restore);
  const leaks = findLeaks();
  if (saved === undefined) delete process.env.AUTH_HS256_SECRET;
  else process.env.AUTH_HS256_SECRET = saved;
  expect(leaks).toHaveLength(1);
  expect(leaks[0]).not.toContain('configured-hs256-secret');
});

// Realistic values: STS tokens are Base64 with "+", "/" and "=", and travel percent-encoded in URLs.
const STS_TOKEN = 'CAIS8wF1q6Ft5B2yfSjIr5bSD+/3h4lW0e+GhK3lM0rW2rR/s6jQg/7Qo0i1pGM3Uq6xqxF/2Vm9Dq==';

test.each([
  ['a JWT', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.c2lnbmF0dXJl', 'a JWT'],
  ['a JWT after "Bearer", with an RS256 header', 'Bearer eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJib2IiLCJleHAiOjF9.QUJDREVGR0hJSktMTU5PUA', 'a JWT'],
  ['a JWT with an empty signature (alg none)', 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJldmUifQ.', 'a JWT'],
  ['a webhook secret', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'a webhook secret'],
  ['a webhook secret with "+", "/" and "="', 'whsec_ZTJlLWNhbGxiYWNr+d2Vi/aG9vay1zZWNyZXQ=', 'a webhook secret'],
  ['a webhook secret percent-encoded in a URL', 'https://app.example/hook?s=whsec_ZTJlLWNhbGxiYWNr%2Bd2Vi%2FaG9vay1zZWNyZXQ%3D', 'a webhook secret'],
  ['an STS token', 'CAIS0123456789abcdefghijABCDEFGHIJ', 'an STS security token'],
  ['an STS token with "+", "/" and "="', STS_TOKEN, 'an STS security token'],
  ['an STS token percent-encoded in a URL query', `x-oss-security-token=${encodeURIComponent(STS_TOKEN)}&x-oss-expires=300`, 'an STS security token'],
  ['an STS token whose first characters are "+" and "/", percent-encoded', `token=${encodeURIComponent('CAIS+/+/+/+/+/+/+/+/+/+/==')}`, 'an STS security token'],
  ['a V4 Authorization', 'OSS4-HMAC-SHA256 Credential=STS.x/20250101/cn-hangzhou/oss/aliyun_v4_request,Signature=0123456789abcdef0123456789abcdef', 'a signature'],
  ['a V4 presigned URL\'s x-oss-signature', `https://b.oss-cn-hangzhou.aliyuncs.com/k?x-oss-signature=${'ab'.repeat(32)}&x-oss-expires=300`, 'a signature'],
  ['a V1 presigned URL\'s Signature', 'https://b.oss-cn-hangzhou.aliyuncs.com/k?OSSAccessKeyId=STS.x&Expires=1700000000&Signature=kX3%2Bq9fQz%2FLm2Wp8xTb7Vn4Rc6Y%3D', 'a signature'],
  ['a V1 Authorization', 'OSS STS.NTx7q2Hf9kLmW3bZ:kX3+q9fQz/Lm2Wp8xTb7Vn4Rc6Y=', 'a V1 Authorization'],
  ['a V1 Authorization of a long-lived key', 'Authorization: OSS LTAI5tAbCdEfGh:Zm9vYmFyYmF6cXV4cXV1eHF1dXg=', 'a V1 Authorization'],
])('%s in a line is reported by its shape', (_what, value, kind) => {
  // Logged as a message of a non-secret field name, the way a careless line would carry it.
  const leaks = findLeaks([JSON.stringify({ level: 'info', note: value })]);
  expect(leaks).toHaveLength(1);
  expect(leaks[0]).toContain(kind);
  expect(leaks[0]).not.toContain(value);
});

describe('secrets registered by the tests', () => {
  const secret = 'Hk3p9f+QzLm2/Wp8xTb7Vn4Rc6Yd1Ja0EsGu5==';
  afterEach(() => forgetSecret(secret));

  test('a fixture credential passed through fcContext() is looked for, plain and percent-encoded', () => {
    const context = fcContext({ credentials: { accessKeyId: 'STS.fixture', accessKeySecret: secret, securityToken: STS_TOKEN } });
    expect(context.credentials?.accessKeySecret).toBe(secret);
    const encoded = encodeURIComponent(secret);
    expect(encoded).not.toContain(secret);
    const lines = [`{"note":"${secret}"}`, `{"url":"https://x/?k=${encoded}"}`, '{"note":"nothing here"}'];
    const leaks = findLeaks(lines);
    expect(leaks).toHaveLength(2);
    for (const report of leaks) expect([report.includes(secret), report.includes(encoded)]).toEqual([false, false]);
  });

  test('a secret registered after the line was logged is still found at the next check', () => {
    const restore = setLogSink(() => undefined);
    log('info', { note: `handed out ${secret}` });
    setLogSink(restore);
    registerSecret(secret);
    expect(findLeaks()).toEqual([expect.stringContaining('a held or configured secret')]);
  });
});

test.each([
  ['an ordinary request line', { fn: 'sign', method: 'POST', path: '/api/sign', op: 'put', object: 'users/alice/a.png', status: 200, latencyMs: 1.2 }],
  ['a URL whose signature and token the logger redacted', { url: 'https://b.oss-cn-hangzhou.aliyuncs.com/k?x-oss-security-token=[redacted]&x-oss-signature=[redacted]&x-oss-expires=300' }],
  ['an upload event with its ETag and id', { upload: { id: 'ab'.repeat(32), etag: '5EB63BBBE01EEED093CB22BB8F5ACDC3-3', object: 'users/alice/Q2FJUw.png' } }],
  ['an access key id', { accessKeyIdSeen: 'STS.NTx7q2Hf9kLmW3bZcD8eRv', user: 'alice' }],
])('%s is not reported', (_what, fields) => {
  expect(findLeaks([JSON.stringify({ level: 'info', ...fields })])).toEqual([]);
});

describe('lines logged after the last test', () => {
  const ROOT = join(__dirname, '..', '..');
  // The fixture file runs in its own jest process, so that its failure is observed, not suffered.
  const runFixture = (lateLine: 'secret' | 'harmless') =>
    spawnSync(join(ROOT, 'node_modules', '.bin', 'jest'), ['--ci', '--testMatch', '**/test/hardening/fixtures/late-log-line.fixture.ts'], {
      cwd: ROOT,
      env: { ...process.env, LATE_LINE: lateLine },
      encoding: 'utf8',
    });

  test("a secret in a line logged by a file's own afterAll hook fails that file, and the report masks it", () => {
    const run = runFixture('secret');
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("log audit (after the file's last hook): 1 line(s) hold a secret");
    expect(run.stderr).toContain('an STS security token');
    expect(run.stderr).not.toContain('CAISlate+Line/Token');
  });

  test('a harmless line logged there passes', () => {
    const run = runFixture('harmless');
    expect([run.status, run.stderr]).toEqual([0, expect.stringContaining('1 passed')]);
  });
});
