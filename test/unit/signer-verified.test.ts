// Request shapes the vectors do not cover, signed by the product signer and checked the way the
// local OSS checks them: by local/verify, the independent implementation written from OSS's
// specification. Each test names what a client would see if the signer got the shape wrong (OSS
// refusing the URL, form or header with SignatureDoesNotMatch), plus the limits the signer states.

import { v1StringToSign, v4CanonicalRequest, v4Signature, v4StringToSign } from '../../local/verify';
import { ApiError } from '../../shared/api/errors';
import { type BucketTarget, presignObjectUrl, presignUrl, signingAt, signingLifetime, signObjectForm } from '../../shared/signer/presign';
import { UnsignableRequest } from '../../shared/signer/signature-version';
import { objectUrl } from '../../shared/signer/url';
import { stringToSignV1 } from '../../shared/signer/v1';
import { authorizeV4, canonicalRequest } from '../../shared/signer/v4';

const NOW = new Date('2024-05-01T10:00:00Z');
const CREDS = { accessKeyId: 'LTAI.id', accessKeySecret: 'secret-one' };
const target = (region = 'cn-hangzhou', version: 'v4' | 'v1' = 'v4'): BucketTarget => ({
  bucket: 'examplebucket',
  region,
  endpoint: `https://oss-${region}.aliyuncs.com`,
  pathStyle: false,
  version,
});

/** Whether OSS (local/verify) accepts a V4 presigned URL sent with `headers`. */
function ossAcceptsV4Url(url: string, region: string, method: string, headers: Record<string, string>, secret = CREDS.accessKeySecret): boolean {
  const u = new URL(url);
  const query = [...u.searchParams].filter(([k]) => k !== 'x-oss-signature');
  const timestamp = u.searchParams.get('x-oss-date')!;
  const canonical = v4CanonicalRequest({
    method,
    bucket: u.hostname.split('.')[0],
    key: decodeURIComponent(u.pathname.slice(1)),
    query,
    headers,
    additionalHeaders: u.searchParams.get('x-oss-additional-headers')?.split(';') ?? [],
  });
  return v4Signature(secret, timestamp.slice(0, 8), region, v4StringToSign(timestamp, region, canonical)) === u.searchParams.get('x-oss-signature');
}

const put = (additionalHeaders?: string[], headers: Record<string, string> = { 'Content-Length': '5' }) => ({
  method: 'PUT',
  key: 'users/alice/a.txt',
  headers,
  query: [] as [string, string][],
  additionalHeaders,
});

describe('a V4 URL', () => {
  test('for a request that names no additional headers carries no x-oss-additional-headers, and verifies', () => {
    const url = presignObjectUrl(target(), put(undefined, {}), CREDS, NOW, 60);
    expect(new URL(url).searchParams.has('x-oss-additional-headers')).toBe(false);
    expect(ossAcceptsV4Url(url, 'cn-hangzhou', 'PUT', {})).toBe(true);
  });

  test('signs additional headers named in any case or with spaces as their lower-case names', () => {
    const url = presignObjectUrl(target(), put([' Content-Length ']), CREDS, NOW, 60);
    expect(new URL(url).searchParams.get('x-oss-additional-headers')).toBe('content-length');
    expect(ossAcceptsV4Url(url, 'cn-hangzhou', 'PUT', { 'content-length': '5' })).toBe(true);
    expect(ossAcceptsV4Url(url, 'cn-hangzhou', 'PUT', { 'content-length': '6' })).toBe(false);
  });

  test('lists in x-oss-additional-headers only what is not signed anyway (Content-Type, Content-MD5, x-oss-*)', () => {
    const headers = { 'Content-Type': 'text/plain', 'Content-MD5': 'XUFAKrxLKna5cZ2REBfFkg==', 'x-oss-meta-a': '1', 'Content-Length': '5' };
    const url = presignObjectUrl(target(), put(['content-type', 'content-md5', 'x-oss-meta-a', 'content-length', ''], headers), CREDS, NOW, 60);
    expect(new URL(url).searchParams.get('x-oss-additional-headers')).toBe('content-length');
    expect(ossAcceptsV4Url(url, 'cn-hangzhou', 'PUT', headers)).toBe(true);
  });

  test('binds Content-MD5 without being asked: another MD5 does not verify', () => {
    const headers = { 'Content-MD5': 'XUFAKrxLKna5cZ2REBfFkg==' };
    const url = presignObjectUrl(target(), put([], headers), CREDS, NOW, 60);
    expect(ossAcceptsV4Url(url, 'cn-hangzhou', 'PUT', headers)).toBe(true);
    expect(ossAcceptsV4Url(url, 'cn-hangzhou', 'PUT', { 'Content-MD5': 'AAAAAAAAAAAAAAAAAAAAAA==' })).toBe(false);
  });

  test('signed for one region and then another, with the same secret on the same day, verifies in each', () => {
    const hangzhou = presignObjectUrl(target('cn-hangzhou'), put([]), CREDS, NOW, 60);
    const shanghai = presignObjectUrl(target('cn-shanghai'), put([]), CREDS, NOW, 60);
    const beijing = presignObjectUrl(target('cn-beijing'), put([]), CREDS, NOW, 60);
    expect(ossAcceptsV4Url(hangzhou, 'cn-hangzhou', 'PUT', {})).toBe(true);
    expect(ossAcceptsV4Url(shanghai, 'cn-shanghai', 'PUT', {})).toBe(true);
    expect(ossAcceptsV4Url(beijing, 'cn-beijing', 'PUT', {})).toBe(true);
  });
});

describe('a V4 Authorization header', () => {
  test('names its additional headers (AdditionalHeaders=…) and verifies with them', () => {
    const req = { method: 'PUT', bucket: 'examplebucket', key: 'a.txt', query: [] as [string, string][], headers: { 'Content-Length': '5' }, additionalHeaders: ['content-length'] };
    const { headers } = authorizeV4(req, CREDS, 'cn-hangzhou', NOW);
    expect(headers.Authorization).toMatch(/^OSS4-HMAC-SHA256 Credential=LTAI\.id\/20240501\/cn-hangzhou\/oss\/aliyun_v4_request,AdditionalHeaders=content-length,Signature=[0-9a-f]{64}$/);
    const arrived = { ...req.headers, ...headers };
    const canonical = v4CanonicalRequest({ ...req, headers: arrived });
    const signature = v4Signature(CREDS.accessKeySecret, '20240501', 'cn-hangzhou', v4StringToSign(headers['x-oss-date'], 'cn-hangzhou', canonical));
    expect(headers.Authorization.endsWith(`Signature=${signature}`)).toBe(true);
  });

  test('for a request to the service (no bucket) signs the path "/"', () => {
    const req = { method: 'GET', query: [] as [string, string][], headers: {} };
    expect(canonicalRequest(req).split('\n')[1]).toBe('/');
    expect(canonicalRequest(req)).toBe(v4CanonicalRequest({ ...req, additionalHeaders: [] }));
  });
});

describe('a V4 PostObject form', () => {
  test('with no conditions of its own signs the credential conditions alone', () => {
    const form = signObjectForm(target(), [], { key: 'users/alice/a.txt' }, CREDS, NOW, 60);
    const policy = JSON.parse(Buffer.from(form.fields.policy, 'base64').toString('utf8'));
    expect(policy.conditions.map((c: Record<string, string>) => Object.keys(c)[0])).toEqual(['x-oss-signature-version', 'x-oss-credential', 'x-oss-date']);
    const signature = v4Signature(CREDS.accessKeySecret, '20240501', 'cn-hangzhou', form.fields.policy);
    expect(form.fields['x-oss-signature']).toBe(signature);
  });
});

describe('V1', () => {
  const v1 = { method: 'GET', bucket: 'examplebucket', key: 'a.txt', query: [] as [string, string][], headers: {} };

  test('a request for the bucket itself (no key) signs /bucket/, as OSS rebuilds it', () => {
    const bucketLevel = { method: 'GET', bucket: 'examplebucket', query: [['acl', '']] as [string, string][], headers: {} };
    expect(stringToSignV1(bucketLevel, '1714557660').endsWith('\n/examplebucket/?acl')).toBe(true);
    expect(stringToSignV1(bucketLevel, '1714557660')).toBe(v1StringToSign(bucketLevel, '1714557660'));
  });

  test('a bare sub-resource (?acl) is signed and sent bare, not as acl=', () => {
    const req = { ...v1, query: [['acl', '']] as [string, string][] };
    expect(stringToSignV1(req, '1714557660')).toBe(v1StringToSign(req, '1714557660'));
    expect(stringToSignV1(req, '1714557660').endsWith('/examplebucket/a.txt?acl')).toBe(true);
    const url = presignObjectUrl(target('cn-hangzhou', 'v1'), { ...req, additionalHeaders: [] }, CREDS, NOW, 60);
    expect(url).toMatch(/[?&]acl(&|$)/);
    expect(objectUrl({ endpoint: 'http://localhost:9000', pathStyle: true }, 'b', 'k', [['uploads', ''], ['prefix', 'a b']])).toBe('http://localhost:9000/b/k?uploads&prefix=a%20b');
  });

  test('x-oss-* header values are signed trimmed, as OSS reads them', () => {
    const req = { ...v1, headers: { 'x-oss-meta-note': '  spaced  ' } };
    expect(stringToSignV1(req, '1714557660')).toContain('\nx-oss-meta-note:spaced\n');
    expect(stringToSignV1(req, '1714557660')).toBe(v1StringToSign(req, '1714557660'));
  });

  test('a URL that must bind Content-Length is refused with UnsignableRequest, naming the header', () => {
    let thrown: unknown;
    try {
      presignObjectUrl(target('cn-hangzhou', 'v1'), put(['content-length']), CREDS, NOW, 60);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(UnsignableRequest);
    expect((thrown as Error).name).toBe('UnsignableRequest');
    expect((thrown as Error).message).toBe('V1 signatures cannot bind content-length');
  });

  test('/sign reports it as 400 SizeNotEnforceable, telling the client to upload with op "post"', () => {
    const s = signingAt(target('cn-hangzhou', 'v1'), CREDS, NOW);
    let thrown: unknown;
    try {
      presignUrl(s, { method: 'PUT', key: 'a.txt', headers: {}, query: {}, additionalHeaders: ['content-length'], expiresSeconds: 60 });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ApiError);
    expect([(thrown as ApiError).status, (thrown as ApiError).code]).toEqual([400, 'SizeNotEnforceable']);
    expect((thrown as ApiError).message).toMatch(/V1 signatures.*upload with op "post"/);
  });
});

describe('what presignUrl does not translate', () => {
  test('an error other than V1\'s limit (a key that is not well-formed UTF-16) is not reported as SizeNotEnforceable', () => {
    const s = signingAt(target(), CREDS, NOW);
    expect(() => presignUrl(s, { method: 'GET', key: 'users/alice/\ud800.txt', headers: {}, query: {}, additionalHeaders: [], expiresSeconds: 60 })).toThrow(URIError);
  });
});

describe('how long a URL may live with STS credentials', () => {
  const ending = (secondsLeft: number) => signingAt(target(), { ...CREDS, securityToken: 'CAIS', expiration: new Date(NOW.getTime() + secondsLeft * 1000) }, NOW);

  test('with 61 s left, for 1 s (the 60 s margin kept)', () => {
    expect(signingLifetime(300, ending(61))).toBe(1);
  });

  test('with 60 s left, not at all: 503 SigningCredentialsExpiring, saying to retry', () => {
    let thrown: unknown;
    try {
      signingLifetime(300, ending(60));
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ApiError);
    expect([(thrown as ApiError).status, (thrown as ApiError).code]).toEqual([503, 'SigningCredentialsExpiring']);
    expect((thrown as ApiError).message).toMatch(/about to expire; retry/);
  });
});
