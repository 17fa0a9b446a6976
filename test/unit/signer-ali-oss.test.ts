// Differential: our signer against ali-oss 6.23 over generated keys, queries and headers, restricted to
// where ali-oss is known to canonicalise as the official SDKs do (oss-protocol.md §2.1): no empty
// query values (ali-oss renders them `k=`) and lower-case ASCII query names (it sorts with
// localeCompare, which agrees with byte order only there).

import fc from 'fast-check';
import { attachmentDisposition } from '../../shared/policy/url-constraints';
import { type BucketTarget, presignObjectUrl } from '../../shared/signer/presign';
import type { Condition } from '../../shared/signer/signature-version';
import { signPostV4 } from '../../shared/signer/v4';

interface AliOss {
  signatureUrlV4(method: string, expires: number, request: { headers: Record<string, string>; queries: Record<string, string> }, objectName: string, additionalHeaders?: string[]): Promise<string>;
  signatureUrl(name: string, options: Record<string, unknown>): string;
  signPostObjectPolicyV4(policy: object, date: Date): string;
}
const OSS = require('ali-oss') as new (options: Record<string, unknown>) => AliOss;

const BUCKET = 'examplebucket';
const target = (version: 'v4' | 'v1'): BucketTarget => ({
  bucket: BUCKET,
  region: 'cn-hangzhou',
  endpoint: 'https://oss-cn-hangzhou.aliyuncs.com',
  pathStyle: false,
  version,
});

function aliClient(c: { accessKeyId: string; accessKeySecret: string; securityToken?: string }): AliOss {
  return new OSS({ region: 'oss-cn-hangzhou', accessKeyId: c.accessKeyId, accessKeySecret: c.accessKeySecret, stsToken: c.securityToken, bucket: BUCKET, secure: true });
}

// ali-oss reads the clock itself; only Date is faked, so promises and fast-check run as usual.
// (It also warns on every STS client built without a refresh function.)
beforeAll(() => {
  jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  jest.useFakeTimers({
    doNotFake: ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'],
  });
});
afterAll(() => {
  jest.useRealTimers();
  jest.restoreAllMocks();
});

const printable = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 24 });
const anyText = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 24 });
const objectKey = fc
  .array(fc.oneof(anyText, fc.constantFrom('+', ' ', '%2F', '~', '!', '*', "'", '(', ')', '/', 'é', '文件')), { minLength: 1, maxLength: 6 })
  .map((parts) => parts.join(''))
  .filter((k) => !k.startsWith('/') && !k.startsWith('?'));
const credentials = fc.record({
  accessKeyId: fc.stringMatching(/^[A-Za-z0-9.]{4,24}$/),
  accessKeySecret: fc.stringMatching(/^[A-Za-z0-9]{8,40}$/),
  securityToken: fc.option(fc.stringMatching(/^[A-Za-z0-9+/=]{8,64}$/), { nil: undefined }),
});
// Whole seconds between 2000 and 2099: both sides drop fractions.
const signTime = fc.integer({ min: 946684800, max: 4102444799 }).map((s) => new Date(s * 1000));
const queryName = fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/);
const headerName = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/).filter((n) => n !== 'content-type' && n !== 'content-md5' && !n.startsWith('x-oss-'));
const trimmed = printable.map((s) => s.trim()).filter((s) => s.length > 0);

const urlCase = fc.record({
  method: fc.constantFrom('PUT', 'GET'),
  key: objectKey,
  query: fc.dictionary(queryName, anyText, { maxKeys: 4 }),
  contentType: fc.option(fc.constantFrom('image/png', 'text/plain', 'application/pdf'), { nil: undefined }),
  ossHeaders: fc.dictionary(fc.stringMatching(/^x-oss-meta-[a-z0-9]{1,8}$/), trimmed, { maxKeys: 2 }),
  otherHeaders: fc.dictionary(headerName, trimmed, { maxKeys: 3 }),
  additionalCount: fc.nat({ max: 3 }),
  expires: fc.integer({ min: 1, max: 604800 }),
  credentials,
  now: signTime,
});

test('V4 presigned URLs carry the same signature and query as ali-oss signatureUrlV4', async () => {
  await fc.assert(
    fc.asyncProperty(urlCase, async (c) => {
      const headers: Record<string, string> = { ...c.ossHeaders, ...c.otherHeaders };
      if (c.contentType) headers['content-type'] = c.contentType;
      const additional = Object.keys(c.otherHeaders).slice(0, c.additionalCount);
      jest.setSystemTime(c.now);
      const theirs = new URL(await aliClient(c.credentials).signatureUrlV4(c.method, c.expires, { headers, queries: { ...c.query } }, c.key, additional));
      const ours = new URL(
        presignObjectUrl(target('v4'), { method: c.method, key: c.key, headers, query: Object.entries(c.query), additionalHeaders: additional }, c.credentials, c.now, c.expires),
      );
      expect(ours.searchParams.get('x-oss-signature')).toBe(theirs.searchParams.get('x-oss-signature'));
      expect(Object.fromEntries(ours.searchParams)).toEqual(Object.fromEntries(theirs.searchParams));
      expect(decodeURIComponent(ours.pathname)).toBe(decodeURIComponent(theirs.pathname));
    }),
    { numRuns: 300 },
  );
});

test('V1 presigned URLs (download names, content types, STS) carry the same signature as ali-oss signatureUrl', () => {
  fc.assert(
    fc.property(
      fc.record({
        key: objectKey,
        filename: fc.option(anyText, { nil: undefined }),
        contentType: fc.option(fc.constantFrom('image/png', 'text/plain'), { nil: undefined }),
        expires: fc.integer({ min: 1, max: 604800 }),
        credentials,
        now: signTime,
      }),
      (c) => {
        const method = c.contentType ? 'PUT' : 'GET';
        const headers: Record<string, string> = c.contentType ? { 'Content-Type': c.contentType } : {};
        const query: [string, string][] = c.filename ? [['response-content-disposition', attachmentDisposition(c.filename)]] : [];
        jest.setSystemTime(c.now);
        const options: Record<string, unknown> = { method, expires: c.expires, ...headers };
        if (c.filename) options.response = { 'content-disposition': query[0][1] };
        const theirs = new URL(aliClient(c.credentials).signatureUrl(c.key, options));
        const ours = new URL(presignObjectUrl(target('v1'), { method, key: c.key, headers, query }, c.credentials, c.now, c.expires));
        expect(ours.searchParams.get('Signature')).toBe(theirs.searchParams.get('Signature'));
        expect(Object.fromEntries(ours.searchParams)).toEqual(Object.fromEntries(theirs.searchParams));
      },
    ),
    { numRuns: 200 },
  );
});

const conditionList = fc.array(
  fc.oneof(
    fc.record({ bucket: fc.constant(BUCKET) }) as fc.Arbitrary<Condition>,
    fc.tuple(fc.constant('starts-with'), fc.constant('$key'), anyText) as fc.Arbitrary<Condition>,
    fc.tuple(fc.constant('eq'), fc.constantFrom('$key', '$Content-Type', '$callback'), anyText) as fc.Arbitrary<Condition>,
    fc.tuple(fc.constant('content-length-range'), fc.nat(), fc.nat()) as fc.Arbitrary<Condition>,
    fc.tuple(fc.constant('in'), fc.constant('$Content-Type'), fc.array(anyText, { maxLength: 4 })) as fc.Arbitrary<Condition>,
  ),
  { maxLength: 6 },
);

test('V4 PostObject signatures match ali-oss signPostObjectPolicyV4 over the same policy document', () => {
  fc.assert(
    fc.property(conditionList, credentials, signTime, fc.integer({ min: 1, max: 604800 }), (conditions, creds, now, expires) => {
      const form = signPostV4(conditions, {}, creds, 'cn-hangzhou', now, expires);
      const document = JSON.parse(Buffer.from(form.policy, 'base64').toString('utf8')) as object;
      expect(form.fields['x-oss-signature']).toBe(aliClient(creds).signPostObjectPolicyV4(document, now));
    }),
    { numRuns: 300 },
  );
});
