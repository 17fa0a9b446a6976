// The logger's redaction, rule by rule, each with more than one case: fields whose names look secret
// are dropped, JWTs are scrubbed from any string, and signed query values are cut out of URLs. Every
// line is also handed to the log audit (test/setup/leaks.ts), which must find nothing in it, and
// what is not secret must survive, so a logger that dropped everything would fail too.

import { log, setLogSink } from '../../shared/log';
import { findLeaks } from '../setup/leaks';

const SECRET = 'Hk3p9f+QzLm2/Wp8xTb7Vn4Rc6Yd1Ja0EsGu5==';
const TOKEN = 'CAIS8wF1q6Ft5B2yfSjIr5bSD+/3h4lW0e+GhK3lM0rW2rR/s6jQg/7Qo0i1pGM3Uq6xqxF/2Vm9Dq==';
const JWT = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLW5vdC1yZWFs';
const JWT_RS = 'eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJib2IiLCJleHAiOjF9.QUJDREVGR0hJSktMTU5PUA';

function logged(fields: Record<string, unknown>): string {
  const lines: string[] = [];
  const restore = setLogSink((line) => lines.push(line));
  try {
    log('info', { fn: 'test', ...fields });
  } finally {
    setLogSink(restore);
  }
  expect(lines).toHaveLength(1);
  expect(findLeaks([lines[0]])).toEqual([]);
  return lines[0];
}

describe('a field whose name looks secret is dropped, whatever its value', () => {
  test.each([
    ['secret', 'accessKeySecret'],
    ['secret', 'client_secret'],
    ['token', 'SecurityToken'],
    ['token', 'refresh_token'],
    ['password', 'password'],
    ['password', 'dbPassword'],
    ['authorization', 'Authorization'],
    ['authorization', 'proxy-authorization'],
    ['signature', 'x-oss-signature'],
    ['signature', 'Signature'],
    ['credential', 'x-oss-credential'],
    ['credential', 'Credentials'],
    ['cookie', 'cookie'],
    ['cookie', 'Set-Cookie'],
    ['policy', 'policy'],
    ['policy', 'sessionPolicy'],
    ['key (the whole name)', 'key'],
    ['key (the whole name)', 'KEY'],
  ])('%s: %s', (_rule, name) => {
    const line = JSON.parse(logged({ [name]: SECRET, nested: { [name]: TOKEN }, user: 'alice' })) as Record<string, unknown>;
    expect(line[name]).toBe('[redacted]');
    expect(line.nested).toEqual({ [name]: '[redacted]' });
    expect(line.user).toBe('alice');
  });

  test.each(['object', 'keyId', 'monkey', 'etag'])('a name that only contains "key" or looks harmless (%s) is kept', (name) => {
    expect(JSON.parse(logged({ [name]: 'users/alice/a.png' }))[name]).toBe('users/alice/a.png');
  });
});

describe('a JWT in any string is scrubbed, and the rest of the string kept', () => {
  test.each([
    ['after "Bearer"', `Bearer ${JWT}`, 'Bearer [jwt]'],
    ['an RS256 token inside a sentence', `the token ${JWT_RS} was refused`, 'the token [jwt] was refused'],
    ['in a URL fragment', `https://app.example/#id_token=${JWT}&state=1`, 'https://app.example/#id_token=[jwt]&state=1'],
  ])('%s', (_where, value, expected) => {
    expect(JSON.parse(logged({ note: value })).note).toBe(expected);
  });
});

describe('a signed query value is cut out of a URL, and the other parameters kept', () => {
  const base = 'https://b.oss-cn-hangzhou.aliyuncs.com/users/alice/a.png?';
  test.each([
    ['x-oss-signature (V4)', `x-oss-signature=${'ab'.repeat(32)}&x-oss-expires=300`, 'x-oss-signature=[redacted]&x-oss-expires=300'],
    ['x-oss-signature in upper case', `X-OSS-SIGNATURE=${'cd'.repeat(32)}&x-oss-expires=60`, 'X-OSS-SIGNATURE=[redacted]&x-oss-expires=60'],
    ['x-oss-security-token, percent-encoded', `x-oss-security-token=${encodeURIComponent(TOKEN)}&x-oss-date=20250101T000000Z`, 'x-oss-security-token=[redacted]&x-oss-date=20250101T000000Z'],
    ['x-oss-security-token, raw', `x-oss-date=20250101T000000Z&x-oss-security-token=${TOKEN}`, 'x-oss-date=20250101T000000Z&x-oss-security-token=[redacted]'],
    ['Signature (V1)', `OSSAccessKeyId=STS.x&Expires=1700000000&Signature=${encodeURIComponent('kX3+q9fQz/Lm2Wp8xTb7Vn4Rc6Y=')}`, 'OSSAccessKeyId=STS.x&Expires=1700000000&Signature=[redacted]'],
    ['security-token (V1)', `security-token=${encodeURIComponent(TOKEN)}&Expires=1700000000`, 'security-token=[redacted]&Expires=1700000000'],
    ['SecurityToken (an STS answer as a form)', `AccessKeyId=STS.x&SecurityToken=${encodeURIComponent(TOKEN)}`, 'AccessKeyId=STS.x&SecurityToken=[redacted]'],
    ['AccessKeySecret (an STS answer as a form)', `AccessKeySecret=${encodeURIComponent(SECRET)}&Expiration=2025`, 'AccessKeySecret=[redacted]&Expiration=2025'],
  ])('%s', (_what, query, expected) => {
    expect(JSON.parse(logged({ url: base + query })).url).toBe(base + expected);
  });
});

test('a structure nested too deep to scrub is dropped rather than logged unscrubbed', () => {
  const deep = { a: { b: { c: { d: { e: { f: `Bearer ${JWT}` } } } } } };
  const line = JSON.parse(logged({ deep })) as { deep: unknown };
  expect(JSON.stringify(line.deep)).toContain('[truncated]');
});
