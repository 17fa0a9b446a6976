// The log audit itself: it sees lines whatever sink a test installs, and it recognises the secrets
// the run produced and the shapes of secrets, without repeating them in its report.

import { IamStore } from '../../local/iam/store';
import { log, setLogSink } from '../../shared/log';
import { findLeaks } from '../setup/leaks';

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

test.each([
  ['a JWT', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.c2lnbmF0dXJl', 'a JWT'],
  ['a webhook secret', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'a webhook secret'],
  ['an STS token', 'CAIS0123456789abcdefghijABCDEFGHIJ', 'an STS security token'],
  ['a V4 Authorization', 'OSS4-HMAC-SHA256 Credential=STS.x/20250101/cn-hangzhou/oss/aliyun_v4_request,Signature=0123456789abcdef0123456789abcdef', 'a signature'],
])('%s in a line is reported by its shape', (_what, value, kind) => {
  // Logged as a message of a non-secret field name, the way a careless line would carry it.
  const leaks = findLeaks([JSON.stringify({ level: 'info', note: value })]);
  expect(leaks).toHaveLength(1);
  expect(leaks[0]).toContain(kind);
  expect(leaks[0]).not.toContain(value);
});

test('an ordinary request line is not reported', () => {
  const line = JSON.stringify({ level: 'info', fn: 'sign', method: 'POST', path: '/api/sign', op: 'put', object: 'users/alice/a.png', status: 200, latencyMs: 1.2 });
  expect(findLeaks([line])).toEqual([]);
});
