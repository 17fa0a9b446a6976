// POST /sign in process: the FC event in, the JSON a client receives out, and what it asks STS for
// (a loopback STS that answers as STS does). What OSS makes of the URLs and forms is shown end to
// end in test/e2e/sign.test.ts, against the local STS and OSS.

import { SignJWT } from 'jose';
import { signHandler } from '../../functions/sign';
import { tokenHandler } from '../../functions/token';
import type { FcCredentials } from '../../shared/http/event';
import type { HttpResponse } from '../../shared/http/response';
import { setLogSink } from '../../shared/log';
import { grantFor } from '../../shared/policy/rules';
import { sessionPolicyJson } from '../../shared/policy/session-policy';
import { callbackParamFor } from '../helpers/callback-mac';
import { switchableConfig, TEST_MAC_KEY } from '../helpers/config';
import { fcContext, httpEvent } from '../helpers/events';
import { fakeSts, type FakeSts } from './callback-helpers';

const HS_SECRET = 'sign-handler-test-secret-of-32-bytes!!';
const ENV = {
  OSS_BUCKET: 'photos-prod',
  OSS_REGION: 'cn-hangzhou',
  AUTH_HS256_SECRET: HS_SECRET,
  CALLBACK_URL: 'https://fc.example/callback',
  CALLBACK_MAC_KEY: TEST_MAC_KEY,
  UPLOAD_MAX_SIZE: '1048576',
  URL_EXPIRES_SECONDS: '300',
  URL_MAX_EXPIRES_SECONDS: '1800',
  POST_EXPIRES_SECONDS: '600',
};
/** The sign function's own role credentials: what it calls STS with, never what it signs with. */
const ROLE: FcCredentials = { accessKeyId: 'STS.signRoleKey', accessKeySecret: 'signRoleSecretValue0123456789', securityToken: 'CAISsignRole+Tk9/xWq3Lm7Zb2Vn8Rc4Yd0Ja6EsGu1Hf5Pq2Tw9Ko3Xi7Nl4Mz8By6Cv1=' };
const UPLOAD_ROLE = 'acs:ram::1234567890123456:role/oss-upload-client';

let lines: string[];
let restoreSink: (line: string) => void;
let sts: FakeSts;

const config = switchableConfig(ENV);
const handler = signHandler(config.source);
const token = tokenHandler(config.source);

function configure(env: Record<string, string> = {}): void {
  config.configure({ ...ENV, STS_ENDPOINT: sts.url, STS_ROLE_ARN: UPLOAD_ROLE, ...env });
}

beforeAll(async () => {
  sts = await fakeSts();
});
afterAll(() => sts.close());

beforeEach(() => {
  sts.hits.splice(0);
  sts.mode = { kind: 'ok', lifetimeMs: 3600_000 };
  configure();
  lines = [];
  restoreSink = setLogSink((line) => lines.push(line));
});

afterEach(() => setLogSink(restoreSink));

const tokenFor = (user: string) =>
  new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(user).setIssuedAt().setExpirationTime('5m').sign(new TextEncoder().encode(HS_SECRET));

async function sign(body: object, opts: { user?: string | null; credentials?: (FcCredentials & { expiration?: string }) | null } = {}) {
  const headers: Record<string, string> = {};
  if (opts.user !== null) headers.Authorization = `Bearer ${await tokenFor(opts.user ?? 'alice')}`;
  const context = fcContext({ credentials: opts.credentials === null ? undefined : (opts.credentials ?? ROLE) });
  if (opts.credentials === null) delete context.credentials;
  const res: HttpResponse = await handler(httpEvent({ path: '/sign', body, headers }), context);
  return { res, status: res.statusCode, body: JSON.parse(res.body) };
}

const policyOf = (fields: Record<string, string>) => JSON.parse(Buffer.from(fields.policy, 'base64').toString('utf8'));
const issuedKey = () => new RegExp(`^${sts.issued!.AccessKeyId.replace('.', '\\.')}/\\d{8}/cn-hangzhou/oss/aliyun_v4_request$`);
const scopeOf = (access: 'upload' | 'download' | 'readwrite' | 'delete', user = 'alice') => sessionPolicyJson(grantFor(user, access, config.source().rules));
const decodedCallback = (b64: string) => JSON.parse(Buffer.from(b64, 'base64').toString('utf8'));

describe('who may sign', () => {
  test('a caller without a token gets 401 TokenMissing', async () => {
    const { status, body } = await sign({ op: 'put', contentType: 'image/png', size: 10 }, { user: null });
    expect(status).toBe(401);
    expect(body.error.code).toBe('TokenMissing');
  });

  test('a function without role credentials answers 500 NoSigningCredentials', async () => {
    const { status, body } = await sign({ op: 'put', contentType: 'image/png', size: 10 }, { credentials: null });
    expect(status).toBe(500);
    expect(body.error.code).toBe('NoSigningCredentials');
  });

  test('a function without STS_ROLE_ARN answers 500 Misconfigured: it has nothing to sign with', async () => {
    configure({ STS_ROLE_ARN: '' });
    const { status, body } = await sign({ op: 'put', contentType: 'image/png', size: 10 });
    expect([status, body.error.code]).toEqual([500, 'Misconfigured']);
    expect(sts.hits).toHaveLength(0);
  });
});

describe('the credentials that sign', () => {
  test('are the caller\'s own STS credentials, narrowed by the session policy /token would send for the same access', async () => {
    const put = await sign({ op: 'put', contentType: 'image/png', size: 10 });
    expect(new URL(put.body.url).searchParams.get('x-oss-credential')).toMatch(issuedKey());
    expect(new URL(put.body.url).searchParams.get('x-oss-security-token')).toBe(sts.issued!.SecurityToken);
    const [call] = sts.calls();
    expect(call).toMatchObject({ Action: 'AssumeRole', RoleArn: UPLOAD_ROLE, RoleSessionName: 'alice', AccessKeyId: ROLE.accessKeyId, SecurityToken: ROLE.securityToken, Policy: scopeOf('upload') });
    expect(call.DurationSeconds).toBe('3600');
  });

  test('for a GET are download-scoped: a URL never reaches beyond what the caller could read', async () => {
    await sign({ op: 'get', key: 'users/alice/x.png' });
    expect(sts.calls().map((c) => c.Policy)).toEqual([scopeOf('download')]);
  });

  test('for a DELETE are delete-scoped: DeleteObject on the caller\'s prefix and nothing else, not the wider readwrite', async () => {
    await sign({ op: 'delete', key: 'users/alice/x.png' });
    expect(sts.calls().map((c) => c.Policy)).toEqual([scopeOf('delete')]);
    expect(JSON.parse(scopeOf('delete')).Statement).toEqual([{ Effect: 'Allow', Action: ['oss:DeleteObject'], Resource: ['acs:oss:*:*:photos-prod/users/alice/*'] }]);
  });

  test('are fetched once per user and scope, however many signatures', async () => {
    for (let i = 0; i < 5; i++) await sign({ op: 'put', contentType: 'image/png', size: 10 });
    for (let i = 0; i < 3; i++) await sign({ op: 'post', contentType: 'image/png' });
    await sign({ op: 'put', contentType: 'image/png', size: 10 }, { user: 'bob' });
    expect(sts.calls().map((c) => [c.RoleSessionName, c.Policy])).toEqual([
      ['alice', scopeOf('upload')],
      ['bob', scopeOf('upload', 'bob')],
    ]);
    expect(lines.map((l) => JSON.parse(l).cache)).toEqual(['miss', 'hit', 'hit', 'hit', 'hit', 'hit', 'hit', 'hit', 'miss']);
  });

  test('are shared with /token exactly when the session policy is the same, never widened to share', async () => {
    const jwt = await tokenFor('alice');
    const tokenAnswer = async (access: string) => JSON.parse((await token(httpEvent({ path: '/token', body: { access }, headers: { Authorization: `Bearer ${jwt}` } }), fcContext({ credentials: ROLE }))).body);
    const upload = await tokenAnswer('upload');
    const put = await sign({ op: 'put', contentType: 'image/png', size: 10 });
    expect(new URL(put.body.url).searchParams.get('x-oss-credential')).toMatch(new RegExp(`^${upload.AccessKeyId.replace('.', '\\.')}/`));
    expect(sts.hits).toHaveLength(1);
    // A readwrite token is another scope: a PUT is not signed with it, and it is not given out for one.
    configure();
    await tokenAnswer('readwrite');
    await sign({ op: 'put', contentType: 'image/png', size: 10 });
    expect(sts.calls().slice(1).map((c) => c.Policy)).toEqual([scopeOf('readwrite'), scopeOf('upload')]);
  });

  test('are fetched afresh when the cached ones would not outlive the URL asked for by a minute', async () => {
    sts.mode = { kind: 'ok', lifetimeMs: 1000_000 };
    await sign({ op: 'put', contentType: 'image/png', size: 10, expiresIn: 300 });
    await sign({ op: 'put', contentType: 'image/png', size: 10, expiresIn: 300 });
    expect(sts.hits).toHaveLength(1);
    await sign({ op: 'put', contentType: 'image/png', size: 10, expiresIn: 1200 });
    expect(sts.hits).toHaveLength(2);
  });

  test('STS unavailable gives 503 StsUnavailable with Retry-After, and no URL', async () => {
    sts.mode = { kind: 'refuse', code: 'ServiceUnavailable', status: 503 };
    const { res, status, body } = await sign({ op: 'put', contentType: 'image/png', size: 10 });
    expect([status, body.error.code, res.headers['Retry-After']]).toEqual([503, 'StsUnavailable', '2']);
  });
});

describe('op "put"', () => {
  test('returns a PUT URL for a fresh key under the caller prefix, carrying the file name, and the exact headers to send', async () => {
    const { status, body } = await sign({ op: 'put', contentType: 'image/png', size: 2048, filename: 'Holiday.PNG' });
    expect(status).toBe(200);
    expect(body.method).toBe('PUT');
    expect(body.key).toMatch(/^users\/alice\/[A-Za-z0-9_-]{16}\/Holiday\.PNG$/);
    expect(body.headers).toEqual({ 'Content-Type': 'image/png', 'Content-Length': '2048', 'x-oss-meta-filename': 'Holiday.PNG', 'x-oss-forbid-overwrite': 'true' });
    const url = new URL(body.url);
    expect(`${url.origin}${decodeURIComponent(url.pathname)}`).toBe(`https://photos-prod.oss-cn-hangzhou.aliyuncs.com/${body.key}`);
    expect(url.searchParams.get('x-oss-additional-headers')).toBe('content-length');
  });

  test('carries in the signed URL the upload callback, with a MAC for this key and owner until an hour after the URL expires', async () => {
    const { body } = await sign({ op: 'put', contentType: 'image/png', size: 10 });
    const url = new URL(body.url);
    const exp = Date.parse(body.expiresAt) / 1000 + 3600;
    expect(url.searchParams.get('callback')).toBe(callbackParamFor({ callbackUrl: 'https://fc.example/callback', bucket: 'photos-prod', key: body.key, owner: 'alice', exp, macKey: TEST_MAC_KEY }));
    expect(decodedCallback(url.searchParams.get('callback')!)).toMatchObject({ callbackUrl: 'https://fc.example/callback', callbackBodyType: 'application/json' });
  });

  test('keeps a key the caller names under their prefix', async () => {
    const { body } = await sign({ op: 'put', key: 'users/alice/albums/1.jpg', size: 10 });
    expect(body.key).toBe('users/alice/albums/1.jpg');
    expect(body.headers['Content-Type']).toBe('image/jpeg');
  });

  test('without forbid-overwrite in the rules, the header is not sent or signed', async () => {
    configure({ FORBID_OVERWRITE: 'false' });
    const { body } = await sign({ op: 'put', contentType: 'image/png', size: 10 });
    expect(body.headers).not.toHaveProperty('x-oss-forbid-overwrite');
  });

  test('lives URL_EXPIRES_SECONDS by default, or what the caller asks within the maximum', async () => {
    const before = Date.now();
    const byDefault = (await sign({ op: 'put', contentType: 'image/png', size: 10 })).body;
    expect(new URL(byDefault.url).searchParams.get('x-oss-expires')).toBe('300');
    expect(Date.parse(byDefault.expiresAt) - Math.floor(before / 1000) * 1000).toBeGreaterThanOrEqual(300_000);
    const asked = (await sign({ op: 'put', contentType: 'image/png', size: 10, expiresIn: 1800 })).body;
    expect(new URL(asked.url).searchParams.get('x-oss-expires')).toBe('1800');
  });

  test('never outlives the signing credentials, less a minute, even when STS hands out shorter ones than asked', async () => {
    sts.mode = { kind: 'ok', lifetimeMs: 10 * 60_000 };
    const { body } = await sign({ op: 'put', contentType: 'image/png', size: 10, expiresIn: 1800 });
    expect(Date.parse(body.expiresAt)).toBeLessThanOrEqual(Date.parse(sts.issued!.Expiration) - 60_000);
    // The URL's own life, from the time it says it was signed: STS may issue a second after the
    // signature's time, so the URL may last 541 s and still end a minute before its credentials.
    const query = new URL(body.url).searchParams;
    const signedAt = Date.parse(String(query.get('x-oss-date')).replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, '$1-$2-$3T$4:$5:$6Z'));
    expect(signedAt + Number(query.get('x-oss-expires')) * 1000).toBeLessThanOrEqual(Date.parse(sts.issued!.Expiration) - 60_000);
    expect(Number(query.get('x-oss-expires'))).toBeLessThanOrEqual(541);
  });

  test('signing credentials about to expire give 503 SigningCredentialsExpiring, not a URL that dies at once', async () => {
    sts.mode = { kind: 'ok', lifetimeMs: 30_000 };
    const { status, body, res } = await sign({ op: 'put', contentType: 'image/png', size: 10 });
    expect([status, body.error.code, res.headers['Retry-After']]).toEqual([503, 'SigningCredentialsExpiring', '5']);
  });
});

describe('bad requests are 400 with a specific code', () => {
  test.each([
    ['an unknown op', { op: 'list' }, 'InvalidOperation'],
    ['a delete without a key', { op: 'delete' }, 'KeyRequired'],
    ['a delete of another user\'s key', { op: 'delete', key: 'users/bob/x.png' }, 'KeyOutsidePrefix'],
    ['a delete of a key with a dot segment', { op: 'delete', key: 'users/alice/../bob/x.png' }, 'InvalidKey'],
    ['a PUT whose filename is not a string', { op: 'put', contentType: 'image/png', size: 1, filename: 7 }, 'InvalidFilename'],
    ['a PUT to a key that does not end with the file name\'s safe form', { op: 'put', key: 'users/alice/x.png', size: 1, filename: 'y.png' }, 'InvalidFilename'],
    ['a callback for a key under another user', { op: 'callback', key: 'users/bob/x.png' }, 'KeyOutsidePrefix'],
    ['a form ${filename} key after part of a segment', { op: 'post', key: 'users/alice/a${filename}', contentType: 'image/png' }, 'InvalidKey'],
    ['no op', {}, 'InvalidOperation'],
    ['a key under another user', { op: 'put', key: 'users/bob/x.png', size: 1 }, 'KeyOutsidePrefix'],
    ['a key with a dot segment', { op: 'put', key: 'users/alice/../bob/x.png', size: 1 }, 'InvalidKey'],
    ['a type outside the allowed ones', { op: 'put', contentType: 'text/html', size: 1 }, 'ContentTypeNotAllowed'],
    ['a size over the limit', { op: 'put', contentType: 'image/png', size: 1048577 }, 'TooLarge'],
    ['no size when the rules bound it', { op: 'put', contentType: 'image/png' }, 'SizeRequired'],
    ['an expiry past the maximum', { op: 'put', contentType: 'image/png', size: 1, expiresIn: 1801 }, 'ExpiryTooLong'],
    ['a zero expiry', { op: 'get', key: 'users/alice/x.png', expiresIn: 0 }, 'InvalidExpiry'],
    ['a download without a key', { op: 'get' }, 'KeyRequired'],
    ['a form of a type outside the allowed ones', { op: 'post', contentType: 'image/svg+xml' }, 'ContentTypeNotAllowed'],
    ['a form over the size limit', { op: 'post', contentType: 'image/png', size: 1048577 }, 'TooLarge'],
    ['a form ${filename} key outside the prefix', { op: 'post', key: 'users/bob/${filename}', contentType: 'image/png' }, 'KeyOutsidePrefix'],
  ])('%s', async (_what, request, code) => {
    const { status, body } = await sign(request);
    expect(status).toBe(400);
    expect(body.error.code).toBe(code);
    expect(typeof body.error.message).toBe('string');
    // Refused before STS is asked: a bad request costs no AssumeRole.
    expect(sts.hits).toHaveLength(0);
  });
});

describe('op "callback"', () => {
  test('returns the key and the callback to send with an upload made with STS credentials, its MAC valid a day, without calling STS', async () => {
    const before = Math.floor(Date.now() / 1000);
    const { status, body } = await sign({ op: 'callback', filename: 'big.mp4', key: 'users/alice/videos/big.mp4' });
    expect(status).toBe(200);
    const exp = Date.parse(body.expiresAt) / 1000;
    expect(exp - before).toBeGreaterThanOrEqual(86400 - 1);
    expect(exp - before).toBeLessThanOrEqual(86400 + 1);
    expect(body).toEqual({
      key: 'users/alice/videos/big.mp4',
      headers: { 'x-oss-meta-filename': 'big.mp4', 'x-oss-forbid-overwrite': 'true' },
      callback: callbackParamFor({ callbackUrl: 'https://fc.example/callback', bucket: 'photos-prod', key: 'users/alice/videos/big.mp4', filename: 'big.mp4', owner: 'alice', exp, macKey: TEST_MAC_KEY }),
      callbackParams: { callbackUrl: 'https://fc.example/callback', callbackBody: expect.stringContaining('"owner":"alice"'), callbackBodyType: 'application/json', callbackSNI: true },
      expiresAt: body.expiresAt,
    });
    expect(decodedCallback(body.callback)).toEqual(body.callbackParams);
    expect(sts.hits).toHaveLength(0);
  });

  test('makes a key under the caller\'s prefix, carrying the file name, when none is given', async () => {
    const { body } = await sign({ op: 'callback', filename: 'clip.mov', contentType: 'image/png' });
    expect(body.key).toMatch(/^users\/alice\/[A-Za-z0-9_-]{16}\/clip\.mov$/);
    expect(body.headers['x-oss-meta-filename']).toBe('clip.mov');
  });

  test('asks OSS for SNI (a JSON true) on an HTTPS callback URL only', async () => {
    configure({ CALLBACK_URL: 'http://fc.example/callback' });
    const { body } = await sign({ op: 'callback', key: 'users/alice/a.png' });
    expect(body.callbackParams).not.toHaveProperty('callbackSNI');
    expect(decodedCallback(body.callback)).not.toHaveProperty('callbackSNI');
    configure({ CALLBACK_URL: 'https://fc.example/callback' });
    const secure = await sign({ op: 'callback', key: 'users/alice/a.png' });
    expect(decodedCallback(secure.body.callback)).toMatchObject({ callbackUrl: 'https://fc.example/callback', callbackSNI: true });
  });

  test('without CALLBACK_URL there is no callback to pin', async () => {
    configure({ CALLBACK_URL: '' });
    const { body } = await sign({ op: 'callback', key: 'users/alice/a.png' });
    expect(body).toEqual({ key: 'users/alice/a.png', headers: { 'x-oss-forbid-overwrite': 'true' }, callback: null, callbackParams: null, expiresAt: null });
  });
});

describe('op "get"', () => {
  test('returns a GET URL that needs no headers, served as the passive type its extension names, as an attachment named as the key ends', async () => {
    const { status, body } = await sign({ op: 'get', key: 'users/alice/x.png' });
    expect(status).toBe(200);
    expect(body).toMatchObject({ method: 'GET', headers: {}, key: 'users/alice/x.png' });
    expect(new URL(body.url).searchParams.get('response-content-disposition')).toBe(`attachment; filename="x.png"; filename*=UTF-8''x.png`);
    expect(new URL(body.url).searchParams.get('response-content-type')).toBe('image/png');
  });

  test('names the download with an RFC 5987 filename', async () => {
    const { body } = await sign({ op: 'get', key: 'users/alice/x.pdf', filename: 'Résumé "2024".pdf' });
    expect(new URL(body.url).searchParams.get('response-content-disposition')).toBe(
      `attachment; filename="R_sum_ _2024_.pdf"; filename*=UTF-8''R%C3%A9sum%C3%A9%20%222024%22.pdf`,
    );
  });

  test.each(['page.html', 'icon.svg', 'app.js', 'feed.xml', 'x.bin', 'noext'])('serves %s as an application/octet-stream attachment, never inline', async (name) => {
    const { body } = await sign({ op: 'get', key: `users/alice/${name}` });
    expect(new URL(body.url).searchParams.get('response-content-disposition')).toBe(`attachment; filename="${name}"; filename*=UTF-8''${name}`);
    expect(new URL(body.url).searchParams.get('response-content-type')).toBe('application/octet-stream');
  });

  test.each(['image/jpeg,image/png', 'image/*'])('pins the type the extension names whatever the rules allow (%s): OSS may hold text/html under image.png', async (types) => {
    configure({ UPLOAD_CONTENT_TYPES: types });
    const png = new URL((await sign({ op: 'get', key: 'users/alice/x.png' })).body.url);
    expect(png.searchParams.get('response-content-type')).toBe('image/png');
  });
});

describe('op "delete"', () => {
  test('returns a presigned DELETE of the caller\'s key that needs no headers', async () => {
    const { status, body } = await sign({ op: 'delete', key: 'users/alice/Xq3v9Yb2kLm0-PqR/报告.pdf' });
    expect(status).toBe(200);
    expect(body).toEqual({ method: 'DELETE', url: expect.any(String), headers: {}, key: 'users/alice/Xq3v9Yb2kLm0-PqR/报告.pdf', expiresAt: expect.any(String) });
    const url = new URL(body.url);
    expect(`${url.origin}${decodeURIComponent(url.pathname)}`).toBe(`https://photos-prod.oss-cn-hangzhou.aliyuncs.com/${body.key}`);
    expect([...url.searchParams.keys()].sort()).toEqual(['x-oss-credential', 'x-oss-date', 'x-oss-expires', 'x-oss-security-token', 'x-oss-signature', 'x-oss-signature-version']);
    expect(url.searchParams.get('x-oss-expires')).toBe('300');
  });
});

describe('op "post"', () => {
  test('returns the bucket URL, the form fields and a V4 policy binding every rule', async () => {
    const { status, body } = await sign({ op: 'post', contentType: 'image/png' });
    expect(status).toBe(200);
    expect(body.url).toBe('https://photos-prod.oss-cn-hangzhou.aliyuncs.com/');
    expect(body.maxSize).toBe(1048576);
    expect(body.key).toMatch(/^users\/alice\/[A-Za-z0-9_-]{16}$/);
    const f = body.fields;
    expect(f).toMatchObject({
      key: body.key,
      success_action_status: '200',
      'x-oss-object-acl': 'private',
      'Content-Type': 'image/png',
      'x-oss-forbid-overwrite': 'true',
      'x-oss-signature-version': 'OSS4-HMAC-SHA256',
      'x-oss-security-token': sts.issued!.SecurityToken,
    });
    expect(f['x-oss-credential']).toMatch(issuedKey());
    expect(f['x-oss-signature']).toMatch(/^[0-9a-f]{64}$/);
    const policy = policyOf(f);
    expect(policy.conditions).toEqual(
      expect.arrayContaining([
        { bucket: 'photos-prod' },
        ['eq', '$key', body.key],
        ['eq', '$success_action_status', '200'],
        ['eq', '$x-oss-object-acl', 'private'],
        ['content-length-range', 1, 1048576],
        ['eq', '$Content-Type', 'image/png'],
        ['eq', '$x-oss-content-type', ''],
        ['eq', '$x-oss-storage-class', ''],
        ['eq', '$x-oss-tagging', ''],
        ['eq', '$success_action_redirect', ''],
        ['eq', '$Cache-Control', ''],
        { 'x-oss-forbid-overwrite': 'true' },
        ['eq', '$callback', f.callback],
        { 'x-oss-credential': f['x-oss-credential'] },
        { 'x-oss-date': f['x-oss-date'] },
        { 'x-oss-signature-version': 'OSS4-HMAC-SHA256' },
        { 'x-oss-security-token': sts.issued!.SecurityToken },
      ]),
    );
    expect(Date.parse(policy.expiration)).toBe(Date.parse(body.expiresAt));
  });

  test('without a content type, the policy lists the allowed ones', async () => {
    const { body } = await sign({ op: 'post' });
    expect(policyOf(body.fields).conditions).toContainEqual(['in', '$Content-Type', ['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'application/pdf', 'text/plain']]);
  });

  test('a given size is the exact length the form accepts', async () => {
    const { body } = await sign({ op: 'post', contentType: 'image/png', size: 4096 });
    expect(policyOf(body.fields).conditions).toContainEqual(['content-length-range', 4096, 4096]);
    expect(body.maxSize).toBe(4096);
  });

  test('a key ending in ${filename} lets the client name the file within what precedes it', async () => {
    const { body } = await sign({ op: 'post', key: 'users/alice/inbox/${filename}', contentType: 'image/png' });
    expect(body.fields.key).toBe('users/alice/inbox/${filename}');
    expect(policyOf(body.fields).conditions).toContainEqual(['starts-with', '$key', 'users/alice/inbox/']);
  });

  test('lives POST_EXPIRES_SECONDS by default', async () => {
    const { body } = await sign({ op: 'post', contentType: 'image/png' });
    const policy = policyOf(body.fields);
    const dated = body.fields['x-oss-date'].replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, '$1-$2-$3T$4:$5:$6Z');
    expect(Date.parse(policy.expiration) - Date.parse(dated)).toBe(600_000);
  });
});

describe('OSS_SIGNATURE_VERSION=v1 (legacy buckets)', () => {
  beforeEach(() => configure({ OSS_SIGNATURE_VERSION: 'v1' }));

  test('GET URLs are V1 URLs with the STS token as security-token', async () => {
    const url = new URL((await sign({ op: 'get', key: 'users/alice/x.png' })).body.url);
    expect(url.searchParams.get('OSSAccessKeyId')).toBe(sts.issued!.AccessKeyId);
    expect(url.searchParams.get('security-token')).toBe(sts.issued!.SecurityToken);
    expect(url.searchParams.get('Signature')).toMatch(/^[A-Za-z0-9+/]{27}=$/);
  });

  test('a PUT that must bind its size is refused with 400 SizeNotEnforceable: V1 cannot sign Content-Length', async () => {
    const { status, body } = await sign({ op: 'put', contentType: 'image/png', size: 10 });
    expect(status).toBe(400);
    expect(body.error.code).toBe('SizeNotEnforceable');
  });

  test('forms are V1 forms whose policy still binds every rule and the STS token', async () => {
    const { body } = await sign({ op: 'post', contentType: 'image/png' });
    expect(body.fields).toMatchObject({ OSSAccessKeyId: sts.issued!.AccessKeyId, 'x-oss-security-token': sts.issued!.SecurityToken });
    expect(body.fields).not.toHaveProperty('x-oss-credential');
    const conditions = policyOf(body.fields).conditions;
    expect(conditions).toContainEqual(['content-length-range', 1, 1048576]);
    expect(conditions).toContainEqual(['eq', '$x-oss-object-acl', 'private']);
    expect(conditions).toContainEqual({ 'x-oss-security-token': sts.issued!.SecurityToken });
  });
});

describe('what leaves the function', () => {
  test('neither the response nor the log line holds a signing secret, and the log holds no signature or token', async () => {
    const { res, body } = await sign({ op: 'put', contentType: 'image/png', size: 10 });
    for (const secret of [ROLE.accessKeySecret, ROLE.securityToken!, sts.issued!.AccessKeySecret]) expect(res.body).not.toContain(secret);
    expect(res.headers['Cache-Control']).toBe('no-store');
    const log = lines.join('\n');
    expect(log).toContain('"op":"put"');
    expect(log).toContain(body.key);
    const signed = [ROLE.accessKeySecret, ROLE.securityToken!, sts.issued!.AccessKeySecret, sts.issued!.SecurityToken, new URL(body.url).searchParams.get('x-oss-signature')!];
    for (const secret of signed) expect(log).not.toContain(secret);
  });
});

describe('a batch of files', () => {
  type Result = { ok: true; plan: Record<string, unknown> } | { ok: false; status: number; error: { code: string; message: string } };
  const batch = async (files: object[], opts: { user?: string } = {}) => {
    const { status, body, res } = await sign({ files }, opts);
    return { status, res, body, results: body.results as Result[] };
  };
  const planOf = (r: Result) => {
    if (!r.ok) throw new Error(`expected a plan, got ${r.error.code}`);
    return r.plan;
  };

  test('gives each file exactly the plan the same request alone gets (same second, same credentials), in order', async () => {
    const files = [
      { op: 'put', key: 'users/alice/a/1.png', size: 10, filename: '1.png' },
      { op: 'post', key: 'users/alice/a/2.png', contentType: 'image/png' },
      { op: 'get', key: 'users/alice/a/1.png', filename: 'one.png' },
      { op: 'delete', key: 'users/alice/a/1.png' },
      { op: 'callback', key: 'users/alice/a/3.bin', filename: '3.bin' },
      { op: 'post', key: 'users/alice/inbox/${filename}', contentType: 'image/png', expiresIn: 120 },
    ];
    // Credentials cached first, then the clock stopped: alone and in the batch, every file is signed in
    // the same second with the same credentials, so any difference is a difference in the path.
    await batch(files);
    jest.useFakeTimers({ now: Date.now(), doNotFake: ['nextTick', 'setImmediate', 'setTimeout', 'setInterval', 'clearTimeout', 'clearInterval', 'clearImmediate', 'queueMicrotask', 'hrtime', 'performance'] });
    try {
      const alone = [];
      for (const file of files) alone.push((await sign(file)).body);
      const { status, results } = await batch(files);
      expect(status).toBe(200);
      expect(results.map(planOf)).toEqual(alone);
    } finally {
      jest.useRealTimers();
    }
  });

  test('reports a refused file with the status, code and message the same request alone gets, and signs the rest', async () => {
    const good = { op: 'put', contentType: 'image/png', size: 10 };
    const bad = [
      { op: 'get', key: 'users/bob/x.png' },
      { op: 'put', contentType: 'image/png' },
      { op: 'list' },
      { op: 'get' },
      { op: 'put', contentType: 'image/png', size: 2 * 1048576 },
      { op: 'post', contentType: 'text/html' },
      { op: 'get', key: 'users/alice/x.png', expiresIn: 999_999 },
    ];
    const { status, results } = await batch([good, ...bad, good]);
    expect(status).toBe(200);
    expect(results).toHaveLength(bad.length + 2);
    expect([results[0].ok, results[results.length - 1].ok]).toEqual([true, true]);
    for (const [i, file] of bad.entries()) {
      const single = await sign(file);
      expect(single.status).toBeGreaterThanOrEqual(400);
      expect(results[i + 1]).toEqual({ ok: false, status: single.status, error: { code: single.body.error.code, message: single.body.error.message } });
    }
  });

  test('asks STS once per scope for the whole batch: 100 files in two scopes, 2 AssumeRole calls; the next batch none', async () => {
    const files = [
      ...Array.from({ length: 50 }, (_, i) => ({ op: 'put', contentType: 'image/png', size: 10 + i })),
      ...Array.from({ length: 30 }, () => ({ op: 'post', contentType: 'image/png' })),
      ...Array.from({ length: 20 }, (_, i) => ({ op: 'get', key: `users/alice/${i}.png` })),
    ];
    const first = await batch(files);
    expect(first.results.every((r) => r.ok)).toBe(true);
    expect(sts.calls().map((c) => c.Policy).sort()).toEqual([scopeOf('upload'), scopeOf('download')].sort());
    const again = await batch(files);
    expect(again.results.every((r) => r.ok)).toBe(true);
    expect(sts.hits).toHaveLength(2);
    expect(lines.map((l) => JSON.parse(l)).map((l) => [l.op, l.files, l.stsCalls])).toEqual([
      ['batch', 100, 2],
      ['batch', 100, 0],
    ]);
  });

  test('asks STS at most once per scope even when the cached credential serves some files\' lifetimes and not others\'', async () => {
    sts.mode = { kind: 'ok', lifetimeMs: 1000_000 };
    await sign({ op: 'put', contentType: 'image/png', size: 10, expiresIn: 300 });
    sts.mode = { kind: 'ok', lifetimeMs: 3600_000 };
    const put = (expiresIn: number) => ({ op: 'put', contentType: 'image/png', size: 10, expiresIn });
    const { results } = await batch([put(300), put(1200), put(300), put(1200), put(600)]);
    expect(results.map((r) => new URL(planOf(r).url as string).searchParams.get('x-oss-expires'))).toEqual(['300', '1200', '300', '1200', '600']);
    expect(sts.hits).toHaveLength(2);
  });

  test('is answered as a whole with 503 StsUnavailable and Retry-After when STS is unavailable, with no plan', async () => {
    sts.mode = { kind: 'refuse', code: 'ServiceUnavailable', status: 503 };
    const { status, body, res } = await batch([{ op: 'callback' }, { op: 'put', contentType: 'image/png', size: 10 }]);
    expect([status, body.error.code, res.headers['Retry-After']]).toEqual([503, 'StsUnavailable', '2']);
    expect(body).not.toHaveProperty('results');
  });

  test('of callbacks and refusals only makes no STS call', async () => {
    const { results } = await batch([{ op: 'callback' }, { op: 'get', key: 'users/bob/x.png' }]);
    expect(results.map((r) => r.ok)).toEqual([true, false]);
    expect(sts.hits).toHaveLength(0);
  });

  test('takes 100 files, the documented limit, and refuses 101 whole with 400 TooManyFiles before any STS call', async () => {
    const file = { op: 'put', contentType: 'image/png', size: 10 };
    const hundred = await batch(Array.from({ length: 100 }, () => file));
    expect(hundred.results.filter((r) => r.ok)).toHaveLength(100);
    expect(new Set(hundred.results.map((r) => planOf(r).key)).size).toBe(100);
    sts.hits.splice(0);
    configure();
    const over = await batch(Array.from({ length: 101 }, () => file));
    expect([over.status, over.body.error.code]).toEqual([400, 'TooManyFiles']);
    expect(sts.hits).toHaveLength(0);
  });

  test('is authenticated once: without a token the whole batch is 401 TokenMissing', async () => {
    const { status, body } = await sign({ files: [{ op: 'callback' }] }, { user: null });
    expect([status, body.error.code]).toEqual([401, 'TokenMissing']);
  });

  test('logs counts, refusals by code and STS calls, never a file\'s key, signature or credential', async () => {
    const { results } = await batch([{ op: 'put', key: 'users/alice/secret-plans.png', size: 10 }, { op: 'get', key: 'users/bob/x.png' }]);
    const log = lines.join('\n');
    expect(JSON.parse(lines[0])).toMatchObject({ op: 'batch', files: 2, refused: { KeyOutsidePrefix: 1 }, stsCalls: 1 });
    expect(log).not.toContain('secret-plans');
    const url = new URL(planOf(results[0]).url as string);
    for (const secret of [sts.issued!.AccessKeySecret, sts.issued!.SecurityToken, url.searchParams.get('x-oss-signature')!]) expect(log).not.toContain(secret);
  });
});
