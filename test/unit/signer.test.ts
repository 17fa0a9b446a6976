// The signer beyond the vectors: the cached signing key, STS tokens inside what is signed, signed
// additional headers, V1's limits, credential lifetimes, and where URLs and forms point.

import { presignObjectUrl, signObjectForm, type BucketTarget } from '../../shared/signer/presign';
import { UnsignableRequest } from '../../shared/signer/signature-version';
import { canonicalRequest, signingKey, signV4, stringToSign } from '../../shared/signer/v4';

const NOW = new Date('2024-05-01T10:00:00Z');
const STS = { accessKeyId: 'STS.key', accessKeySecret: 'secret', securityToken: 'CAIS-token' };
const LOCAL: BucketTarget = { bucket: 'local-uploads', region: 'cn-hangzhou', endpoint: 'http://localhost:9000', pathStyle: true, version: 'v4' };
const CLOUD: BucketTarget = { bucket: 'examplebucket', region: 'cn-hangzhou', endpoint: 'https://oss-cn-hangzhou.aliyuncs.com', pathStyle: false, version: 'v4' };

const putRequest = {
  method: 'PUT',
  key: 'users/alice/a b.png',
  headers: { 'Content-Type': 'image/png', 'Content-Length': '1234', 'x-oss-forbid-overwrite': 'true' },
  query: [['callback', 'eyJjYWxsYmFja1VybCI6Imh0dHA6Ly9leGFtcGxlIn0=']] as [string, string][],
  additionalHeaders: ['content-length'],
};

/** Re-derive the V4 signature of a presigned URL from what it carries, as OSS does. */
function verifyV4(url: string, target: BucketTarget, headers: Record<string, string>, method: string, secret: string): boolean {
  const u = new URL(url);
  const pairs = [...u.searchParams].filter(([k]) => k !== 'x-oss-signature') as [string, string][];
  const key = decodeURIComponent(u.pathname).slice(target.pathStyle ? target.bucket.length + 2 : 1);
  const additional = u.searchParams.get('x-oss-additional-headers')?.split(';') ?? [];
  const timestamp = u.searchParams.get('x-oss-date')!;
  const canonical = canonicalRequest({ method, bucket: target.bucket, key, query: pairs, headers, additionalHeaders: additional });
  return signV4(secret, timestamp, target.region, stringToSign(timestamp, target.region, canonical)) === u.searchParams.get('x-oss-signature');
}

describe('the V4 signing key', () => {
  test('is derived once per secret, day and region and then reused', () => {
    const first = signingKey('s3cret', '20240501', 'cn-hangzhou');
    expect(signingKey('s3cret', '20240501', 'cn-hangzhou')).toBe(first);
    expect(signingKey('s3cret', '20240502', 'cn-hangzhou')).not.toEqual(first);
    expect(signingKey('s3cret', '20240501', 'cn-shanghai')).not.toEqual(first);
    expect(signingKey('other', '20240501', 'cn-hangzhou')).not.toEqual(first);
  });
});

describe('a V4 presigned PUT', () => {
  // Signed inside each test, not when the file loads: mutation testing attributes what runs outside
  // a test to no test, and then runs every test against it (TESTING.md, "Mutation testing").
  let url: string;
  beforeEach(() => {
    url = presignObjectUrl(CLOUD, putRequest, STS, NOW, 300);
  });

  test('is virtual-hosted on the bucket with the key path-encoded', () => {
    expect(url.startsWith('https://examplebucket.oss-cn-hangzhou.aliyuncs.com/users/alice/a%20b.png?')).toBe(true);
  });

  test('carries the STS token, and changing or dropping the token breaks the signature', () => {
    const u = new URL(url);
    expect(u.searchParams.get('x-oss-security-token')).toBe(STS.securityToken);
    expect(verifyV4(url, CLOUD, putRequest.headers, 'PUT', STS.accessKeySecret)).toBe(true);
    u.searchParams.set('x-oss-security-token', 'CAIS-other');
    expect(verifyV4(u.toString(), CLOUD, putRequest.headers, 'PUT', STS.accessKeySecret)).toBe(false);
    u.searchParams.delete('x-oss-security-token');
    expect(verifyV4(u.toString(), CLOUD, putRequest.headers, 'PUT', STS.accessKeySecret)).toBe(false);
  });

  test('binds Content-Length through x-oss-additional-headers: another length does not verify', () => {
    expect(new URL(url).searchParams.get('x-oss-additional-headers')).toBe('content-length');
    expect(verifyV4(url, CLOUD, { ...putRequest.headers, 'Content-Length': '1235' }, 'PUT', STS.accessKeySecret)).toBe(false);
  });

  test('binds Content-Type, the forbid-overwrite header and the callback', () => {
    expect(verifyV4(url, CLOUD, { ...putRequest.headers, 'Content-Type': 'text/html' }, 'PUT', STS.accessKeySecret)).toBe(false);
    const { 'x-oss-forbid-overwrite': _dropped, ...withoutForbid } = putRequest.headers;
    expect(verifyV4(url, CLOUD, withoutForbid, 'PUT', STS.accessKeySecret)).toBe(false);
    const u = new URL(url);
    u.searchParams.delete('callback');
    expect(verifyV4(u.toString(), CLOUD, putRequest.headers, 'PUT', STS.accessKeySecret)).toBe(false);
  });

  test('is dated now and expires after the seconds asked for', () => {
    const u = new URL(url);
    expect(u.searchParams.get('x-oss-date')).toBe('20240501T100000Z');
    expect(u.searchParams.get('x-oss-expires')).toBe('300');
  });
});

describe('a path-style endpoint (local OSS)', () => {
  test('puts the bucket in the path of URLs and of the form action', () => {
    expect(presignObjectUrl(LOCAL, { ...putRequest, query: [] }, STS, NOW, 60).startsWith('http://localhost:9000/local-uploads/users/alice/a%20b.png?')).toBe(true);
    expect(signObjectForm(LOCAL, [], {}, STS, NOW, 60).url).toBe('http://localhost:9000/local-uploads/');
  });
});

describe('V1 (legacy buckets)', () => {
  const V1: BucketTarget = { ...CLOUD, version: 'v1' };

  test('cannot bind Content-Length, so a request that needs it is refused rather than signed unbound', () => {
    expect(() => presignObjectUrl(V1, putRequest, STS, NOW, 300)).toThrow(UnsignableRequest);
  });

  test('URLs carry absolute Expires and the STS token as security-token', () => {
    const u = new URL(presignObjectUrl(V1, { ...putRequest, additionalHeaders: [] }, STS, NOW, 300));
    expect(u.searchParams.get('Expires')).toBe(String(NOW.getTime() / 1000 + 300));
    expect(u.searchParams.get('security-token')).toBe(STS.securityToken);
    expect(u.searchParams.get('OSSAccessKeyId')).toBe(STS.accessKeyId);
  });

  test('forms pin the STS token inside the signed policy', () => {
    const form = signObjectForm(V1, [{ bucket: 'examplebucket' }], { key: 'users/alice/x.png' }, STS, NOW, 300);
    const policy = JSON.parse(Buffer.from(form.fields.policy, 'base64').toString('utf8'));
    expect(policy.conditions).toContainEqual({ 'x-oss-security-token': STS.securityToken });
    expect(form.fields['x-oss-security-token']).toBe(STS.securityToken);
    expect(form.fields.Signature).toMatch(/^[A-Za-z0-9+/]{27}=$/);
  });
});

describe('a V4 form', () => {
  test('signs the credential fields and the STS token inside the policy, after the bucket', () => {
    const form = signObjectForm(CLOUD, [{ bucket: 'examplebucket' }, ['eq', '$key', 'users/alice/x.png']], { key: 'users/alice/x.png' }, STS, NOW, 300);
    const policy = JSON.parse(Buffer.from(form.fields.policy, 'base64').toString('utf8'));
    expect(policy.expiration).toBe('2024-05-01T10:05:00.000Z');
    expect(policy.conditions).toEqual([
      { bucket: 'examplebucket' },
      { 'x-oss-signature-version': 'OSS4-HMAC-SHA256' },
      { 'x-oss-credential': 'STS.key/20240501/cn-hangzhou/oss/aliyun_v4_request' },
      { 'x-oss-date': '20240501T100000Z' },
      { 'x-oss-security-token': STS.securityToken },
      ['eq', '$key', 'users/alice/x.png'],
    ]);
    expect(Object.keys(form.fields)).toEqual(['key', 'x-oss-signature-version', 'x-oss-credential', 'x-oss-date', 'x-oss-security-token', 'policy', 'x-oss-signature']);
  });
});
