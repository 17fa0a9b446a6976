// The after-upload check of how an object is served and stored (checkStoredSettings), attacked as a
// signed-in user (mallory) with only what a user has: /sign URLs and forms, /token credentials with
// ali-oss, and the callback /sign pins. Each attack tries to end with an object under her prefix that
// is served with a Content-Encoding, Content-Disposition, Cache-Control, Expires or Content-Language
// of her choosing, or stored in another class or with tags, and that the callback or the OSS event
// path accepts; each holds beside an allowed twin, so a check that refuses everything fails too.

import { connect } from 'node:net';
import type { LocalRuntime } from '../../local/runtime';
import type { SignedCallbackResponse, SignedFormResponse, SignedUrlResponse } from '../../shared/api/types';
import { setLogSink } from '../../shared/log';
import { postAs, startTestRuntime } from '../helpers/runtime';
import { type AliOssResult, stsAliOss } from '../helpers/sts-ali-oss';
import { formOf, ossCode } from './sign-helpers';

const BUCKET = 'local-uploads';

interface AliOss {
  put(name: string, body: Buffer, options?: Record<string, unknown>): Promise<AliOssResult>;
  copy(name: string, source: string, options?: Record<string, unknown>): Promise<AliOssResult>;
  head(name: string): Promise<AliOssResult>;
  initMultipartUpload(name: string, options?: Record<string, unknown>): Promise<{ uploadId: string }>;
  uploadPart(name: string, uploadId: string, partNo: number, file: Buffer, start: number, end: number): Promise<{ name: string; etag: string }>;
  uploadPartCopy(name: string, uploadId: string, partNo: number, range: string, source: { sourceKey: string; sourceBucketName: string }): Promise<{ name: string; etag: string }>;
  completeMultipartUpload(name: string, uploadId: string, parts: { number: number; etag: string }[], options?: Record<string, unknown>): Promise<AliOssResult>;
  signatureUrl(name: string, options?: Record<string, unknown>): string;
}

let rt: LocalRuntime;
let logs: Record<string, unknown>[];
let restoreSink: (line: string) => void;

beforeAll(async () => {
  rt = await startTestRuntime();
});
afterAll(() => rt.stop());
beforeEach(() => {
  logs = [];
  restoreSink = setLogSink((line) => logs.push(JSON.parse(line) as Record<string, unknown>));
});
afterEach(() => setLogSink(restoreSink));

const api = <T>(path: string, body: unknown) => postAs<T>(rt, 'mallory', path, body);

/** An ali-oss client on mallory's own STS credentials, as /token hands them out. */
async function stsClient(access = 'readwrite'): Promise<AliOss> {
  return stsAliOss<AliOss>(rt, 'mallory', BUCKET, access);
}

/** The status and OSS code of an ali-oss call that may fail. */
const outcome = (p: Promise<unknown>) =>
  p.then(
    () => ({ status: 200, code: undefined as string | undefined }),
    (e: { status: number; code: string }) => ({ status: e.status, code: e.code }),
  );

/** The log line of the callback function's answer for `key`, or of the OSS event path's outcome for it, once written. */
async function line(key: string, from: 'callback' | 'oss-event'): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const found = logs.find((l) => l.object === key && (from === 'callback' ? l.fn === 'callback' && l.path === '/api/callback' : l.source === 'oss-event' && l.outcome !== undefined));
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no ${from} line for ${key}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** What HeadObject reports of `key` that an upload may not set, read with mallory's STS credentials. */
async function served(key: string): Promise<Record<string, string | undefined>> {
  const h = (await (await stsClient()).head(key)).res.headers;
  return { 'cache-control': h['cache-control'], 'content-disposition': h['content-disposition'], 'content-encoding': h['content-encoding'], 'content-language': h['content-language'], expires: h.expires, 'x-oss-storage-class': h['x-oss-storage-class'], 'x-oss-tagging-count': h['x-oss-tagging-count'] };
}

/**
 * A presigned PUT from /sign for `key` (text/plain), written on a socket with `extra` header lines
 * after the signed ones: names repeated as given, each character one byte (latin1), as no HTTP
 * client library would send them. OSS's status and code for the uploader.
 */
async function presignedPut(key: string, extra: [string, string][]): Promise<{ status: number; code?: string }> {
  const body = 'plain';
  const put = (await api<SignedUrlResponse>('sign', { op: 'put', key, contentType: 'text/plain', size: body.length })).body;
  const url = new URL(put.url);
  const lines = [`PUT ${url.pathname}${url.search} HTTP/1.1`, `Host: ${url.host}`, ...[...Object.entries(put.headers), ...extra].map(([k, v]) => `${k}: ${v}`), 'Connection: close'];
  const answer = await new Promise<string>((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname, () => socket.write(Buffer.from(`${lines.join('\r\n')}\r\n\r\n${body}`, 'latin1')));
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.on('error', reject);
  });
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1]), code: /<Code>([^<]*)<\/Code>/.exec(answer)?.[1] };
}

/** A PutObject with mallory's upload credentials and the callback /sign pins for `key`, sending `headers` too. */
async function stsPut(key: string, headers: Record<string, string>): Promise<{ status: number; code?: string }> {
  const { body: plan } = await api<SignedCallbackResponse>('sign', { op: 'callback', key, contentType: 'text/plain' });
  const p = plan.callbackParams!;
  const mallory = await stsClient('upload');
  return outcome(mallory.put(key, Buffer.from('plain'), { headers: { ...plan.headers, 'Content-Type': 'text/plain', ...headers }, callback: { url: p.callbackUrl, body: p.callbackBody, contentType: p.callbackBodyType } }));
}

/** A PutObject with mallory's readwrite credentials and no callback: only the OSS event path looks at it. */
async function plainPut(key: string, headers: Record<string, string> = {}): Promise<void> {
  await (await stsClient()).put(key, Buffer.from('plain'), { headers: { 'Content-Type': 'text/plain', ...headers } });
  await line(key, 'oss-event');
}

describe('a presigned PUT with a Content-Encoding dressed up as identity', () => {
  test.each([
    ['sent twice, identity then gzip (two header lines)', [['Content-Encoding', 'identity'], ['content-encoding', 'gzip']]],
    ['sent once as "identity, gzip"', [['Content-Encoding', 'identity, gzip']]],
    ['sent once as "gzip, identity"', [['Content-Encoding', 'gzip, identity']]],
    ['sent as "identity;q=0, gzip"', [['Content-Encoding', 'identity;q=0, gzip']]],
  ] as [string, [string, string][]][])('%s: OSS stores it, the uploader gets 203, and the callback refuses it (400 ObjectSettingNotAllowed)', async (what, extra) => {
    const key = `users/mallory/ce-${what.replace(/\W+/g, '-')}.txt`;
    expect(await presignedPut(key, extra)).toEqual({ status: 203, code: 'CallbackFailed' });
    expect(await line(key, 'callback')).toMatchObject({ status: 400, code: 'ObjectSettingNotAllowed' });
    expect((await served(key))['content-encoding']).toMatch(/gzip/);
  });

  test('sent as "\\xa0identity" (a no-break space, which JavaScript\'s trim() would strip): refused too (400 ObjectSettingNotAllowed)', async () => {
    const key = 'users/mallory/ce-nbsp.txt';
    expect(await presignedPut(key, [['Content-Encoding', '\xa0identity']])).toEqual({ status: 203, code: 'CallbackFailed' });
    expect(await line(key, 'callback')).toMatchObject({ status: 400, code: 'ObjectSettingNotAllowed' });
  });

  test.each(['identity', 'IDENTITY', 'Identity'])('its twin: Content-Encoding: %s (content codings are case-insensitive, RFC 9110 §8.4.1) is accepted', async (value) => {
    const key = `users/mallory/ce-twin-${value}.txt`;
    expect(await presignedPut(key, [['Content-Encoding', value]])).toEqual({ status: 200, code: undefined });
    expect(await line(key, 'callback')).toMatchObject({ status: 200 });
  });
});

describe('Content-Disposition past the x-oss-force-download exception', () => {
  test('a presigned PUT with an added x-oss-force-download: true is refused: 403 SignatureDoesNotMatch (V4 signs every x-oss-* header)', async () => {
    const key = 'users/mallory/forced-put.txt';
    expect(await presignedPut(key, [['Content-Disposition', 'attachment'], ['x-oss-force-download', 'true']])).toEqual({ status: 403, code: 'SignatureDoesNotMatch' });
    expect(await outcome((await stsClient()).head(key))).toMatchObject({ status: 404 });
  });

  test.each([
    ['a bare attachment, with x-oss-force-download: true forged on the write', { 'Content-Disposition': 'attachment', 'x-oss-force-download': 'true' }],
    ['attachment; filename="invoice.exe", with x-oss-force-download: true forged on the write', { 'Content-Disposition': 'attachment; filename="invoice.exe"', 'x-oss-force-download': 'true' }],
    ['inline, with x-oss-meta-force-download: true', { 'Content-Disposition': 'inline', 'x-oss-meta-force-download': 'true' }],
  ])('%s, by PutObject with STS credentials: OSS keeps no x-oss-force-download of the writer\'s, and the callback refuses it (400 ObjectSettingNotAllowed)', async (_what, headers) => {
    const key = `users/mallory/forced-${Object.keys(headers).length}-${headers['Content-Disposition'].length}.txt`;
    expect(await stsPut(key, headers)).toEqual({ status: 203, code: 'CallbackFailed' });
    expect(await line(key, 'callback')).toMatchObject({ status: 400, code: 'ObjectSettingNotAllowed' });
    const head = (await (await stsClient()).head(key)).res.headers;
    expect([head['content-disposition'], head['x-oss-force-download']]).toEqual([headers['Content-Disposition'], undefined]);
  });

  test('its twin: the same PutObject without a disposition is accepted', async () => {
    const key = 'users/mallory/forced-twin.txt';
    expect(await stsPut(key, { 'x-oss-force-download': 'true' })).toEqual({ status: 200, code: undefined });
    expect(await line(key, 'callback')).toMatchObject({ status: 200 });
  });
});

describe('a Content-Type that passes for an allowed one', () => {
  test('\\xa0image/png (a no-break space, no media type to a browser, which sniffs the bytes instead) by PutObject with STS credentials: the callback refuses it (400 ContentTypeNotAllowed)', async () => {
    const key = 'users/mallory/sniffed.png';
    const { body: plan } = await api<SignedCallbackResponse>('sign', { op: 'callback', key, contentType: 'image/png' });
    const p = plan.callbackParams!;
    const mallory = await stsClient('upload');
    // A Buffer body: Node writes the header block as latin1, so U+00A0 goes out as the one byte 0xA0.
    const sent = mallory.put(key, Buffer.from('<html><script>alert(1)</script></html>'), { headers: { ...plan.headers, 'Content-Type': '\xa0image/png' }, callback: { url: p.callbackUrl, body: p.callbackBody, contentType: p.callbackBodyType } });
    expect(await outcome(sent)).toEqual({ status: 203, code: 'CallbackFailed' });
    expect(await line(key, 'callback')).toMatchObject({ status: 400, code: 'ContentTypeNotAllowed' });
    expect((await (await stsClient()).head(key)).res.headers['content-type']).toBe('\xa0image/png');
  });
});

describe('storage class and tags on a PutObject with STS credentials', () => {
  test.each(['IA', 'Archive', 'ColdArchive'])('x-oss-storage-class: %s is stored as asked, and the callback refuses it (400 ObjectSettingNotAllowed)', async (cls) => {
    const key = `users/mallory/class-${cls}.txt`;
    expect(await stsPut(key, { 'x-oss-storage-class': cls })).toEqual({ status: 203, code: 'CallbackFailed' });
    expect(await line(key, 'callback')).toMatchObject({ status: 400, code: 'ObjectSettingNotAllowed' });
    expect((await served(key))['x-oss-storage-class']).toBe(cls);
  });

  test('its twin: x-oss-storage-class: Standard, the bucket\'s own class (OSS_STORAGE_CLASS), is accepted', async () => {
    const key = 'users/mallory/class-Standard.txt';
    expect(await stsPut(key, { 'x-oss-storage-class': 'Standard' })).toEqual({ status: 200, code: undefined });
    expect(await line(key, 'callback')).toMatchObject({ status: 200 });
  });

  test('x-oss-storage-class: IA on InitiateMultipartUpload is kept for the object, and the callback on CompleteMultipartUpload refuses it (400 ObjectSettingNotAllowed)', async () => {
    const key = 'users/mallory/class-multipart.txt';
    const { body: plan } = await api<SignedCallbackResponse>('sign', { op: 'callback', key, contentType: 'text/plain' });
    const p = plan.callbackParams!;
    const mallory = await stsClient('upload');
    const { uploadId } = await mallory.initMultipartUpload(key, { mime: 'text/plain', headers: { ...plan.headers, 'x-oss-storage-class': 'IA' } });
    const bytes = Buffer.from('plain');
    const part = await mallory.uploadPart(key, uploadId, 1, bytes, 0, bytes.length);
    const done = mallory.completeMultipartUpload(key, uploadId, [{ number: 1, etag: part.etag }], { callback: { url: p.callbackUrl, body: p.callbackBody, contentType: p.callbackBodyType } });
    expect(await outcome(done)).toEqual({ status: 203, code: 'CallbackFailed' });
    expect(await line(key, 'callback')).toMatchObject({ status: 400, code: 'ObjectSettingNotAllowed' });
    expect((await served(key))['x-oss-storage-class']).toBe('IA');
  });

  test('its twin: Content-Disposition sent on CompleteMultipartUpload is not stored (OSS takes an object\'s headers from InitiateMultipartUpload), and the upload is accepted', async () => {
    const key = 'users/mallory/late-disposition.txt';
    const { body: plan } = await api<SignedCallbackResponse>('sign', { op: 'callback', key, contentType: 'text/plain' });
    const p = plan.callbackParams!;
    const mallory = await stsClient('upload');
    const { uploadId } = await mallory.initMultipartUpload(key, { mime: 'text/plain', headers: plan.headers });
    const bytes = Buffer.from('plain');
    const part = await mallory.uploadPart(key, uploadId, 1, bytes, 0, bytes.length);
    const done = mallory.completeMultipartUpload(key, uploadId, [{ number: 1, etag: part.etag }], { headers: { 'Content-Disposition': 'inline' }, callback: { url: p.callbackUrl, body: p.callbackBody, contentType: p.callbackBodyType } });
    expect(await outcome(done)).toEqual({ status: 200, code: undefined });
    expect(await line(key, 'callback')).toMatchObject({ status: 200 });
    expect((await served(key))['content-disposition']).toBeUndefined();
  });

  test('x-oss-tagging is refused by OSS (403 AccessDenied): tags need oss:PutObjectTagging, which no upload scope grants, and nothing is stored', async () => {
    const key = 'users/mallory/tagged.txt';
    expect(await stsPut(key, { 'x-oss-tagging': 'lifecycle=keep-forever' })).toEqual({ status: 403, code: 'AccessDenied' });
    expect(await outcome((await stsClient()).head(key))).toMatchObject({ status: 404 });
  });
});

describe('a PostObject form with a field the policy does not pin', () => {
  async function form(key: string): Promise<SignedFormResponse> {
    return (await api<SignedFormResponse>('sign', { op: 'post', key, contentType: 'text/plain' })).body;
  }
  const file = { bytes: 'plain', name: 'a.txt', type: 'text/plain' };

  test.each(['Content-Encoding', 'CONTENT-ENCODING', 'content-encoding'])('%s: gzip, in any case, is refused by the policy (403 AccessDenied), and nothing is stored', async (name) => {
    const key = `users/mallory/form-ce-${name}.txt`;
    const f = await form(key);
    const res = await fetch(f.url, { method: 'POST', body: formOf({ ...f.fields, [name]: 'gzip' }, file) });
    expect([res.status, await ossCode(res)]).toEqual([403, 'AccessDenied']);
    expect(await outcome((await stsClient()).head(key))).toMatchObject({ status: 404 });
  });

  test('Content-Language (not pinned): OSS stores it, and the form\'s callback refuses it (400 ObjectSettingNotAllowed)', async () => {
    const key = 'users/mallory/form-lang.txt';
    const f = await form(key);
    const res = await fetch(f.url, { method: 'POST', body: formOf({ ...f.fields, 'Content-Language': 'tlh' }, file) });
    expect([res.status, await ossCode(res)]).toEqual([203, 'CallbackFailed']);
    expect(await line(key, 'callback')).toMatchObject({ status: 400, code: 'ObjectSettingNotAllowed' });
    expect((await served(key))['content-language']).toBe('tlh');
  });

  test('its twin: the form as signed is accepted', async () => {
    const key = 'users/mallory/form-twin.txt';
    const f = await form(key);
    const res = await fetch(f.url, { method: 'POST', body: formOf(f.fields, file) });
    expect(res.status).toBe(200);
    expect(await line(key, 'callback')).toMatchObject({ status: 200 });
  });
});

describe('settings given to an object after its upload was accepted, on the OSS event path', () => {
  test('a CopyObject onto itself replacing the metadata with Content-Disposition: inline is a violation (ObjectSettingNotAllowed)', async () => {
    const key = 'users/mallory/self-copy.txt';
    await plainPut(key);
    logs.length = 0;
    await (await stsClient()).copy(key, key, { headers: { 'Content-Type': 'text/plain', 'x-oss-metadata-directive': 'REPLACE', 'Content-Disposition': 'inline; filename="invoice.html"' } });
    expect(await line(key, 'oss-event')).toMatchObject({ outcome: 'violation', code: 'ObjectSettingNotAllowed', user: 'mallory' });
  });

  test('a CopyObject onto itself with x-oss-storage-class: IA is a violation (ObjectSettingNotAllowed)', async () => {
    const key = 'users/mallory/self-copy-ia.txt';
    await plainPut(key);
    logs.length = 0;
    await (await stsClient()).copy(key, key, { headers: { 'x-oss-storage-class': 'IA' } });
    expect(await line(key, 'oss-event')).toMatchObject({ outcome: 'violation', code: 'ObjectSettingNotAllowed' });
  });

  test('a CopyObject (metadata COPY, the default) of her own kept violation carries its Cache-Control over, and is a violation too', async () => {
    await plainPut('users/mallory/cached-source.txt', { 'Cache-Control': 'public, max-age=31536000' });
    await (await stsClient()).copy('users/mallory/cached-copy.txt', 'users/mallory/cached-source.txt');
    expect((await served('users/mallory/cached-copy.txt'))['cache-control']).toBe('public, max-age=31536000');
    expect(await line('users/mallory/cached-copy.txt', 'oss-event')).toMatchObject({ outcome: 'violation', code: 'ObjectSettingNotAllowed' });
  });

  test('a CopyObject that replaces the tags is refused by OSS (403 AccessDenied: no upload scope grants oss:PutObjectTagging), and nothing is copied', async () => {
    await plainPut('users/mallory/untagged.txt');
    const copied = (await stsClient()).copy('users/mallory/tagged-copy.txt', 'users/mallory/untagged.txt', { headers: { 'x-oss-tagging-directive': 'Replace', 'x-oss-tagging': 'lifecycle=keep-forever' } });
    expect(await outcome(copied)).toEqual({ status: 403, code: 'AccessDenied' });
    expect(await outcome((await stsClient()).head('users/mallory/tagged-copy.txt'))).toMatchObject({ status: 404 });
  });

  test('its twin: UploadPartCopy of that kept violation into a plain multipart upload copies bytes, not settings: accepted, serving none of them', async () => {
    await plainPut('users/mallory/encoded-source.txt', { 'Content-Encoding': 'gzip', Expires: 'Wed, 21 Oct 2037 07:28:00 GMT' });
    const mallory = await stsClient();
    const key = 'users/mallory/part-copy.txt';
    const { uploadId } = await mallory.initMultipartUpload(key, { mime: 'text/plain' });
    const part = await mallory.uploadPartCopy(key, uploadId, 1, '', { sourceKey: 'users/mallory/encoded-source.txt', sourceBucketName: BUCKET });
    await mallory.completeMultipartUpload(key, uploadId, [{ number: 1, etag: part.etag }]);
    expect(await line(key, 'oss-event')).toMatchObject({ outcome: 'accepted' });
    expect(await served(key)).toMatchObject({ 'content-encoding': undefined, expires: undefined });
  });
});

describe('response-* overrides on a GET mallory signs herself with her STS credentials', () => {
  test('change only the answer to that URL: the object stays as accepted, and HeadObject and a /sign GET show none of them', async () => {
    const key = 'users/mallory/override.txt';
    await plainPut(key);
    expect(await line(key, 'oss-event')).toMatchObject({ outcome: 'accepted' });
    const mallory = await stsClient();
    const own = await fetch(mallory.signatureUrl(key, { response: { 'content-type': 'text/html', 'content-disposition': 'inline', 'cache-control': 'public, max-age=31536000' } }));
    // What SECURITY.md's known limits say: her own URL serves her object as HTML, inline, publicly cacheable.
    expect([own.headers.get('content-type'), own.headers.get('content-disposition'), own.headers.get('cache-control')]).toEqual(['text/html', 'inline', 'public, max-age=31536000']);
    expect(await served(key)).toMatchObject({ 'content-disposition': undefined, 'cache-control': undefined });
    const { body: get } = await api<SignedUrlResponse>('sign', { op: 'get', key });
    const ours = await fetch(get.url);
    expect([ours.status, ours.headers.get('content-type'), ours.headers.get('cache-control'), ours.headers.get('content-disposition')]).toEqual([200, 'text/plain', null, expect.stringMatching(/^attachment; filename="override\.txt"/)]);
  });
});
