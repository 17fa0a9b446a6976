// The known-answer vectors of the request shapes /sign emits (the SIGN-* vectors in test/vectors):
// that ali-oss 6.23, an SDK this project did not write, computes every recorded value from the
// vector's inputs, and that /sign's answers have exactly these shapes, so a new parameter, header
// or condition in what /sign emits needs a vector before this passes.

import { SignJWT } from 'jose';
import { signHandler } from '../../functions/sign';
import { setLogSink } from '../../shared/log';
import { configOf, TEST_MAC_KEY } from '../helpers/config';
import { deriveV1Policy, deriveV1Url, deriveV4Policy, deriveV4Url } from '../helpers/ali-oss-derive';
import { fcContext, httpEvent } from '../helpers/events';
import { fakeSts, type FakeSts } from './callback-helpers';
import { type PolicyVector, policyVectors, type SignatureVector, signatureVectors } from '../helpers/vectors';

const signShapes = <V extends { id: string }>(vs: V[]) => vs.filter((v) => v.id.startsWith('SIGN-'));
const urlVectors = signShapes(signatureVectors);
const formVectors = signShapes(policyVectors);

describe('re-derived with ali-oss 6.23', () => {
  // ali-oss reads the clock itself: only Date is faked. (It warns on STS clients without a refresh function.)
  beforeAll(() => {
    jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    jest.useFakeTimers({ doNotFake: ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'] });
  });
  afterAll(() => {
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  test('there are vectors for URLs and forms, in both signature versions', () => {
    expect(new Set([...urlVectors, ...formVectors].map((v) => v.kind))).toEqual(new Set(['v4-presigned-url', 'v1-presigned-url', 'post-policy-v4', 'post-policy-v1']));
  });

  test.each(urlVectors.map((v) => [v.id, v] as const))('%s: canonical strings and signature', async (_id, v) => {
    jest.setSystemTime(new Date((v.signTimeUnix as number) * 1000));
    const derived = v.kind === 'v4-presigned-url' ? await deriveV4Url(v) : deriveV1Url(v);
    expect(derived).toEqual(v.expected);
  });

  test.each(formVectors.map((v) => [v.id, v] as const))('%s: Base64 policy and signature', (_id, v) => {
    expect(v.kind === 'post-policy-v4' ? deriveV4Policy(v) : deriveV1Policy(v)).toEqual(v.expected);
  });
});

// What /sign answers in the documented deployment (callback on, overwrites forbidden), per operation.
const HS_SECRET = 'sign-shape-test-secret-of-32-bytes!!!!';
const BASE_ENV = { OSS_BUCKET: 'examplebucket', OSS_REGION: 'cn-hangzhou', AUTH_HS256_SECRET: HS_SECRET, CALLBACK_URL: 'https://uploads.example.com/api/callback', CALLBACK_MAC_KEY: TEST_MAC_KEY };
const KEY = 'users/alice/Xq3v9Yb2kLm0-PqR_s7TuVwz.png';
const HTML_KEY = 'users/alice/Xq3v9Yb2kLm0-PqR_s7TuVwz.html';
const V1 = { OSS_SIGNATURE_VERSION: 'v1' };
const ANY_SIZE = { UPLOAD_MIN_SIZE: '0', UPLOAD_MAX_SIZE: String(5 * 1024 ** 3) };
const LISTED = { UPLOAD_CONTENT_TYPES: 'image/png,image/jpeg,image/webp' };
const NAMED = { op: 'get', key: KEY, filename: 'résumé 2024 (final).pdf' };
const FILENAME_KEY = 'users/alice/photos/${filename}';
const NAMED_KEY = 'users/alice/Xq3v9Yb2kLm0-PqR/报告 2026 (final).pdf';
const NAME = '报告 2026 (final).pdf';

const REQUESTS: Record<string, { env?: Record<string, string>; body: object }> = {
  'SIGN-V4-PUT-STS': { body: { op: 'put', contentType: 'image/png', size: 1024 } },
  'SIGN-V4-PUT-NAMED-STS': { body: { op: 'put', filename: NAME, size: 1024 } },
  'SIGN-V4-DELETE-STS': { body: { op: 'delete', key: NAMED_KEY } },
  'SIGN-V1-PUT-NAMED-STS': { env: { ...V1, ...ANY_SIZE }, body: { op: 'put', filename: NAME } },
  'SIGN-V1-DELETE-STS': { env: V1, body: { op: 'delete', key: NAMED_KEY } },
  'SIGN-POST-V4-NAMED-STS': { body: { op: 'post', filename: NAME, contentType: 'application/pdf', size: 1024 } },
  'SIGN-V4-GET-STS': { body: { op: 'get', key: KEY } },
  'SIGN-V4-GET-DISPOSITION-STS': { body: NAMED },
  'SIGN-V4-GET-TYPE-STS': { body: { op: 'get', key: HTML_KEY } },
  'SIGN-V1-PUT-STS': { env: { ...V1, ...ANY_SIZE }, body: { op: 'put', contentType: 'image/png' } },
  'SIGN-V1-GET-STS': { env: V1, body: { op: 'get', key: KEY } },
  'SIGN-V1-GET-DISPOSITION-STS': { env: V1, body: NAMED },
  'SIGN-V1-GET-TYPE-STS': { env: V1, body: { op: 'get', key: HTML_KEY } },
  'SIGN-POST-V4-STS': { body: { op: 'post', contentType: 'image/png', size: 1024 } },
  'SIGN-POST-V4-FILENAME-STS': { env: LISTED, body: { op: 'post', key: FILENAME_KEY } },
  'SIGN-POST-V1-STS': { env: V1, body: { op: 'post', contentType: 'image/png', size: 1024 } },
  'SIGN-POST-V1-FILENAME-STS': { env: { ...V1, ...LISTED }, body: { op: 'post', key: FILENAME_KEY } },
};

const ROLE = { accessKeyId: 'STS.signRoleKey', accessKeySecret: 'signRoleSecretValue0123456789', securityToken: 'CAIS+sign/Role=Token' };
let sts: FakeSts;

async function signAnswer(env: Record<string, string>, body: object) {
  const handler = signHandler(configOf({ ...BASE_ENV, STS_ENDPOINT: sts.url, STS_ROLE_ARN: 'acs:ram::1234567890123456:role/oss-upload-client', ...env }));
  const jwt = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('alice').setIssuedAt().setExpirationTime('5m').sign(new TextEncoder().encode(HS_SECRET));
  const res = await handler(httpEvent({ path: '/sign', body, headers: { Authorization: `Bearer ${jwt}` } }), fcContext({ credentials: ROLE }));
  expect(res.statusCode).toBe(200);
  return JSON.parse(res.body as string) as { method?: string; url: string; headers?: Record<string, string>; fields?: Record<string, string> };
}

const sorted = (names: Iterable<string>) => [...names].sort();

/** A URL's shape: method, the names of its query parameters and of the headers it binds. */
function urlShape(method: string, queryNames: Iterable<string>, headerNames: Iterable<string>) {
  return { method, query: sorted(queryNames), headers: sorted([...headerNames].map((n) => n.toLowerCase())) };
}

function vectorUrlShape(v: SignatureVector) {
  const names =
    v.kind === 'v1-presigned-url'
      ? new URL(v.expected.url).searchParams.keys()
      : [...v.expected.canonicalRequest.split('\n')[2].split('&').map((p) => decodeURIComponent(p.split('=')[0])), 'x-oss-signature'];
  return urlShape(v.request.method, names, Object.keys(v.request.headers));
}

/** A condition's shape: its operator and field, never its value. */
const conditionShape = (c: unknown) => (Array.isArray(c) ? `${c[0]} ${c[1]}` : Object.keys(c as object).join(','));
const policyShape = (json: string) => (JSON.parse(json) as { conditions: unknown[] }).conditions.map(conditionShape);

describe('the shapes /sign emits', () => {
  let restoreSink: (line: string) => void;
  beforeAll(async () => {
    restoreSink = setLogSink(() => undefined);
    sts = await fakeSts();
  });
  afterAll(async () => {
    setLogSink(restoreSink);
    await sts.close();
  });

  test('every SIGN-* vector is a /sign request below, and every request below has its vector', () => {
    expect(sorted([...urlVectors, ...formVectors].map((v) => v.id))).toEqual(sorted(Object.keys(REQUESTS)));
  });

  test.each(urlVectors.map((v) => [v.id, v] as const))('%s has the query parameters and signed headers of /sign\'s URL', async (id, v) => {
    const answer = await signAnswer(REQUESTS[id].env ?? {}, REQUESTS[id].body);
    const url = new URL(answer.url);
    expect(urlShape(answer.method as string, url.searchParams.keys(), Object.keys(answer.headers ?? {}))).toEqual(vectorUrlShape(v));
  });

  test.each(formVectors.map((v) => [v.id, v] as const))('%s has the policy conditions of /sign\'s form, in order', async (id, v: PolicyVector) => {
    const answer = await signAnswer(REQUESTS[id].env ?? {}, REQUESTS[id].body);
    const policy = Buffer.from((answer.fields as Record<string, string>).policy, 'base64').toString('utf8');
    expect(policyShape(policy)).toEqual(policyShape(v.policyJson));
  });
});
