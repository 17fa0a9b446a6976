// Users' files as users see them, end to end against the local runtime: `报告 2026 (final).pdf`
// uploaded by form, presigned PUT and STS multipart (ali-oss in Node) keeps its safe form in the key
// and its exact name in x-oss-meta-filename, and the callback answer carries it; a client that sends
// another name, or none, is refused by the local OSS (signature or policy) or, for STS uploads, flagged
// by the callback. A user deletes their own object by presigned DELETE, and no one else's.

import type { LocalRuntime } from '../../local/runtime';
import type { CallbackAnswer, SignedCallbackResponse, SignedFormResponse, SignedUrlResponse } from '../../shared/api/types';
import { setLogSink } from '../../shared/log';
import { presignObjectUrl } from '../../shared/signer/presign';
import { postAs, startTestRuntime } from '../helpers/runtime';
import { formOf, ossCode } from './sign-helpers';

const BUCKET = 'local-uploads';
const NAME = '报告 2026 (final).pdf';
/** x-oss-meta-filename for NAME: its UTF-8 bytes percent-encoded. */
const ENCODED = '%E6%8A%A5%E5%91%8A%202026%20(final).pdf';
const ANOTHER = encodeURIComponent('发票.pdf');
const PDF = Buffer.from('%PDF-1.7\n% 报告 2026\n');
/** A key /sign generates for NAME: the caller's prefix, a random id, then the name's safe form (here the name itself). */
const namedKey = (user: string) => new RegExp(`^users/${user}/[A-Za-z0-9_-]{16}/报告 2026 \\(final\\)\\.pdf$`);

interface AliOssResult {
  res: { status: number; headers: Record<string, string> };
  data?: unknown;
}
interface AliOss {
  multipartUpload(name: string, file: Buffer, options: Record<string, unknown>): Promise<AliOssResult>;
  put(name: string, body: Buffer, options?: Record<string, unknown>): Promise<AliOssResult>;
  head(name: string): Promise<AliOssResult>;
  get(name: string): Promise<AliOssResult & { content: Buffer }>;
}
const OSS = require('ali-oss') as new (options: Record<string, unknown>) => AliOss;

let rt: LocalRuntime;
let logs: Record<string, unknown>[];
let restoreSink: (line: string) => void;

beforeAll(async () => {
  restoreSink = setLogSink((line) => logs.push(JSON.parse(line) as Record<string, unknown>));
  rt = await startTestRuntime();
});
afterAll(async () => {
  await rt.stop();
  setLogSink(restoreSink);
});
beforeEach(() => {
  logs = [];
});

const api = <T>(user: string, path: string, body: unknown) => postAs<T>(rt, user, path, body);

async function sign<T>(user: string, body: unknown): Promise<T> {
  const res = await api<T>(user, 'sign', body);
  if (res.status !== 200) throw new Error(`/sign answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}

/** An ali-oss client on `user`'s STS credentials from /token. */
async function stsClient(user: string, access: string): Promise<AliOss & { credentials: { accessKeyId: string; accessKeySecret: string; securityToken: string } }> {
  const { body: c } = await api<{ AccessKeyId: string; AccessKeySecret: string; SecurityToken: string }>(user, 'token', { access });
  const credentials = { accessKeyId: c.AccessKeyId, accessKeySecret: c.AccessKeySecret, securityToken: c.SecurityToken };
  const client = new OSS({ endpoint: rt.ossUrl, sldEnable: true, bucket: BUCKET, region: 'oss-cn-hangzhou', ...credentials, stsToken: c.SecurityToken, authorizationV4: true, retryMax: 0 });
  return Object.assign(client, { credentials });
}

/** What OSS holds for `key`: status and x-oss-meta-filename, read with the owner's download credentials. */
async function stored(user: string, key: string): Promise<{ status: number; filename?: string }> {
  const reader = await stsClient(user, 'download');
  return reader.head(key).then(
    (r) => ({ status: r.res.status, filename: r.res.headers['x-oss-meta-filename'] }),
    (e: { status: number }) => ({ status: e.status }),
  );
}

/** The callback function's log line for `key` (its refusal code when it refused). */
async function callbackLine(key: string): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const line = logs.find((l) => l.fn === 'callback' && l.path === '/api/callback' && l.object === key);
    if (line) return line;
    if (Date.now() > deadline) throw new Error(`no callback line for ${key}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The download the callback answer's URL serves: bytes and Content-Disposition. */
async function download(url: string): Promise<{ status: number; bytes: Buffer; disposition: string | null }> {
  const res = await fetch(url);
  return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()), disposition: res.headers.get('content-disposition') };
}

/** Every upload path must end here: the key carries the safe name, OSS holds the exact one, the answer and the download carry it. */
async function expectNamed(user: string, answer: CallbackAnswer): Promise<void> {
  expect(answer.key).toMatch(namedKey(user));
  expect(answer.filename).toBe(NAME);
  expect(await stored(user, answer.key)).toEqual({ status: 200, filename: ENCODED });
  const got = await download(answer.url as string);
  expect(got.status).toBe(200);
  expect(got.bytes.equals(PDF)).toBe(true);
  expect(got.disposition).toBe(`attachment; filename="__ 2026 (final).pdf"; filename*=UTF-8''%E6%8A%A5%E5%91%8A%202026%20%28final%29.pdf`);
}

describe(`${NAME}, uploaded by each path`, () => {
  test('by form: the key holds the safe name, the metadata the exact name, and the callback answer carries it', async () => {
    const form = await sign<SignedFormResponse>('alice', { op: 'post', filename: NAME, contentType: 'application/pdf' });
    expect(form.fields['x-oss-meta-filename']).toBe(ENCODED);
    const res = await fetch(form.url, { method: 'POST', body: formOf(form.fields, { bytes: PDF, name: NAME, type: 'application/pdf' }) });
    expect(res.status).toBe(200);
    await expectNamed('alice', (await res.json()) as CallbackAnswer);
  });

  test('by presigned PUT: the same', async () => {
    const put = await sign<SignedUrlResponse>('alice', { op: 'put', filename: NAME, size: PDF.length });
    expect(put.headers['x-oss-meta-filename']).toBe(ENCODED);
    const res = await fetch(put.url, { method: 'PUT', headers: put.headers, body: new Uint8Array(PDF) });
    expect(res.status).toBe(200);
    await expectNamed('alice', (await res.json()) as CallbackAnswer);
  });

  test('by STS multipart (ali-oss), sending the plan\'s headers on InitiateMultipartUpload: the same', async () => {
    const plan = await sign<SignedCallbackResponse>('alice', { op: 'callback', filename: NAME, contentType: 'application/pdf', size: 250 * 1024 });
    expect(plan.headers['x-oss-meta-filename']).toBe(ENCODED);
    const client = await stsClient('alice', 'upload');
    const body = Buffer.concat([PDF, Buffer.alloc(250 * 1024 - PDF.length, 0x20)]);
    const p = plan.callbackParams!;
    const result = await client.multipartUpload(plan.key, body, {
      partSize: 100 * 1024,
      mime: 'application/pdf',
      headers: plan.headers,
      callback: { url: p.callbackUrl, body: p.callbackBody, contentType: p.callbackBodyType },
    });
    const answer = result.data as CallbackAnswer;
    expect([answer.key, answer.filename, answer.size]).toEqual([plan.key, NAME, body.length]);
    expect(answer.key).toMatch(namedKey('alice'));
    expect(await stored('alice', plan.key)).toEqual({ status: 200, filename: ENCODED });
  });
});

describe('a client cannot store another name than the one signed', () => {
  test.each([
    ['another name', ANOTHER],
    ['no name', undefined],
  ])('a form sent with %s is refused by the local OSS\'s policy check (403 AccessDenied), and nothing is stored', async (_, name) => {
    const form = await sign<SignedFormResponse>('alice', { op: 'post', filename: NAME, contentType: 'application/pdf' });
    const { 'x-oss-meta-filename': _signed, ...fields } = form.fields;
    const sent = name === undefined ? fields : { ...fields, 'x-oss-meta-filename': name };
    const res = await fetch(form.url, { method: 'POST', body: formOf(sent, { bytes: PDF, name: NAME, type: 'application/pdf' }) });
    expect([res.status, await ossCode(res)]).toEqual([403, 'AccessDenied']);
    expect((await stored('alice', form.key)).status).toBe(404);
  });

  test('a form signed without a name refuses one added by the client (the policy pins it empty)', async () => {
    const form = await sign<SignedFormResponse>('alice', { op: 'post', contentType: 'application/pdf' });
    expect(form.fields['x-oss-meta-filename']).toBeUndefined();
    const res = await fetch(form.url, { method: 'POST', body: formOf({ ...form.fields, 'x-oss-meta-filename': ANOTHER }, { bytes: PDF, name: 'x.pdf', type: 'application/pdf' }) });
    expect([res.status, await ossCode(res)]).toEqual([403, 'AccessDenied']);
  });

  test.each([
    ['another name', ANOTHER],
    ['no name', undefined],
  ])('a presigned PUT sent with %s breaks the signature (403 SignatureDoesNotMatch), and nothing is stored', async (_, name) => {
    const put = await sign<SignedUrlResponse>('alice', { op: 'put', filename: NAME, size: PDF.length });
    const { 'x-oss-meta-filename': _signed, ...headers } = put.headers;
    const sent = name === undefined ? headers : { ...headers, 'x-oss-meta-filename': name };
    const res = await fetch(put.url, { method: 'PUT', headers: sent, body: new Uint8Array(PDF) });
    expect([res.status, await ossCode(res)]).toEqual([403, 'SignatureDoesNotMatch']);
    expect((await stored('alice', put.key)).status).toBe(404);
  });

  test('a presigned PUT signed without a name refuses one added by the client', async () => {
    const put = await sign<SignedUrlResponse>('alice', { op: 'put', contentType: 'application/pdf', size: PDF.length });
    const res = await fetch(put.url, { method: 'PUT', headers: { ...put.headers, 'x-oss-meta-filename': ANOTHER }, body: new Uint8Array(PDF) });
    expect([res.status, await ossCode(res)]).toEqual([403, 'SignatureDoesNotMatch']);
  });

  test.each([
    ['another name', 'FilenameMismatch', ANOTHER],
    ['no name', 'FilenameMissing', undefined],
  ])('an STS multipart upload sent with %s is stored (nothing signs it) but the callback flags it %s: OSS answers the uploader 203, no URL', async (_, code, name) => {
    const plan = await sign<SignedCallbackResponse>('alice', { op: 'callback', filename: NAME, contentType: 'application/pdf' });
    const { 'x-oss-meta-filename': _signed, ...headers } = plan.headers;
    const sent = name === undefined ? headers : { ...headers, 'x-oss-meta-filename': name };
    const client = await stsClient('alice', 'upload');
    const p = plan.callbackParams!;
    const failure = await client
      .multipartUpload(plan.key, PDF, { mime: 'application/pdf', headers: sent, callback: { url: p.callbackUrl, body: p.callbackBody, contentType: p.callbackBodyType } })
      .then(
        () => undefined,
        (e: { status: number; code: string }) => e,
      );
    expect([failure?.status, failure?.code]).toEqual([203, 'CallbackFailed']);
    expect(await callbackLine(plan.key)).toMatchObject({ status: 400, violation: code, flagged: true });
    expect(await stored('alice', plan.key)).toEqual(name === undefined ? { status: 200 } : { status: 200, filename: name });
  });
});

describe('delete', () => {
  test('a presigned DELETE from /sign removes the caller\'s object: 204, and a GET of its old URL is then 404 NoSuchKey', async () => {
    const put = await sign<SignedUrlResponse>('alice', { op: 'put', filename: NAME, size: PDF.length });
    expect((await fetch(put.url, { method: 'PUT', headers: put.headers, body: new Uint8Array(PDF) })).status).toBe(200);
    const get = await sign<SignedUrlResponse>('alice', { op: 'get', key: put.key });
    expect((await fetch(get.url)).status).toBe(200);

    const del = await sign<SignedUrlResponse>('alice', { op: 'delete', key: put.key });
    expect([del.method, del.key, del.headers]).toEqual(['DELETE', put.key, {}]);
    expect((await fetch(del.url, { method: 'DELETE' })).status).toBe(204);

    const after = await fetch(get.url);
    expect([after.status, await ossCode(after)]).toEqual([404, 'NoSuchKey']);
  });

  test('of another user\'s key is refused by /sign: 400 KeyOutsidePrefix, no URL', async () => {
    const res = await api<{ error: { code: string } }>('mallory', 'sign', { op: 'delete', key: 'users/alice/anything.pdf' });
    expect([res.status, res.body.error.code]).toEqual([400, 'KeyOutsidePrefix']);
  });

  test('a URL for one\'s own key, tampered to name another user\'s, breaks the signature (403 SignatureDoesNotMatch), and the object stays', async () => {
    const put = await sign<SignedUrlResponse>('alice', { op: 'put', filename: 'keep.pdf', size: PDF.length });
    expect((await fetch(put.url, { method: 'PUT', headers: put.headers, body: new Uint8Array(PDF) })).status).toBe(200);
    const own = await sign<SignedUrlResponse>('mallory', { op: 'delete', key: 'users/mallory/mine.pdf' });
    const tampered = new URL(own.url);
    tampered.pathname = `/${BUCKET}/${put.key.split('/').map(encodeURIComponent).join('/')}`;
    const res = await fetch(tampered, { method: 'DELETE' });
    expect([res.status, await ossCode(res)]).toEqual([403, 'SignatureDoesNotMatch']);
    expect((await stored('alice', put.key)).status).toBe(200);
  });

  test('signed for another user\'s key with the caller\'s own delete scope (/sign\'s check bypassed), the local OSS refuses it: 403 AccessDenied', async () => {
    const put = await sign<SignedUrlResponse>('alice', { op: 'put', filename: 'keep.pdf', size: PDF.length });
    expect((await fetch(put.url, { method: 'PUT', headers: put.headers, body: new Uint8Array(PDF) })).status).toBe(200);
    // Exactly the credentials /sign signs mallory's DELETEs with: her delete scope.
    const { credentials } = await stsClient('mallory', 'delete');
    const target = { endpoint: rt.ossUrl!, pathStyle: true, bucket: BUCKET, region: 'cn-hangzhou', version: 'v4' as const };
    const signedFor = (key: string) => presignObjectUrl(target, { method: 'DELETE', key, headers: {}, query: [] }, credentials, new Date(), 300);

    const res = await fetch(signedFor(put.key), { method: 'DELETE' });
    expect([res.status, await ossCode(res)]).toEqual([403, 'AccessDenied']);
    expect((await stored('alice', put.key)).status).toBe(200);
    // Its twin: the same credentials delete mallory's own object.
    await (await stsClient('mallory', 'upload')).put('users/mallory/mine.pdf', PDF, { headers: { 'Content-Type': 'application/pdf' } });
    expect((await fetch(signedFor('users/mallory/mine.pdf'), { method: 'DELETE' })).status).toBe(204);
    expect((await stored('mallory', 'users/mallory/mine.pdf')).status).toBe(404);
  });

  test('the delete scope deletes and does nothing else: it cannot read the caller\'s own object', async () => {
    const put = await sign<SignedUrlResponse>('alice', { op: 'put', filename: 'mine.pdf', size: PDF.length });
    expect((await fetch(put.url, { method: 'PUT', headers: put.headers, body: new Uint8Array(PDF) })).status).toBe(200);
    const deleter = await stsClient('alice', 'delete');
    const read = await deleter.get(put.key).then(
      () => ({ status: 200, code: undefined as string | undefined }),
      (e: { status: number; code: string }) => ({ status: e.status, code: e.code }),
    );
    expect(read).toEqual({ status: 403, code: 'AccessDenied' });
  });
});
