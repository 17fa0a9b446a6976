// A multipart object as the local OSS keeps it: CompleteMultipartUpload links the parts into the
// object instead of copying them and combines their CRC-64s, so every read, range, copy and removal
// must see the parts as one object, in the order the completion named them.

import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { crc64 } from '../../local/oss/crc64';
import { BUCKET, elements, send, startTestOss, type TestOss } from './local-oss-setup';

let t: TestOss;
beforeAll(async () => {
  t = await startTestOss();
});
afterAll(() => t.close());

const KiB = 1024;
const HEADER = 'x-oss-hash-crc64ecma';
function bytes(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * seed + (i >> 8)) % 256;
  return b;
}
const dirOf = (sub: 'objects' | 'tmp' | 'uploads') => join(t.dataDir, BUCKET, sub);

/** Initiate, upload `parts` as parts 1…n; the upload id and each part's ETag. */
async function uploadParts(key: string, parts: Buffer[]): Promise<{ uploadId: string; etags: string[] }> {
  const init = await send(t, t.alice, 'POST', key, { query: [['uploads', '']] });
  const uploadId = elements(await init.text(), 'UploadId')[0];
  const etags: string[] = [];
  for (const [i, body] of parts.entries()) {
    const res = await send(t, t.alice, 'PUT', key, { query: [['partNumber', String(i + 1)], ['uploadId', uploadId]], body });
    expect(res.status).toBe(200);
    etags.push(res.headers.get('etag') as string);
  }
  return { uploadId, etags };
}

function complete(key: string, uploadId: string, named: [number, string][], headers: Record<string, string> = {}): Promise<Response> {
  const xml = `<CompleteMultipartUpload>${named.map(([n, e]) => `<Part><PartNumber>${n}</PartNumber><ETag>${e}</ETag></Part>`).join('')}</CompleteMultipartUpload>`;
  return send(t, t.alice, 'POST', key, { query: [['uploadId', uploadId]], body: xml, headers });
}

/** A completed object of `parts`; what it holds. */
async function multipartObject(key: string, parts: Buffer[]): Promise<Buffer> {
  const { uploadId, etags } = await uploadParts(key, parts);
  expect((await complete(key, uploadId, etags.map((e, i) => [i + 1, e]))).status).toBe(200);
  return Buffer.concat(parts);
}

const get = async (key: string, range?: string) => {
  const res = await send(t, t.alice, 'GET', key, { headers: range ? { Range: range } : {} });
  return { status: res.status, body: Buffer.from(await res.arrayBuffer()) };
};

it('reads back every byte, and every range, including ranges that cross from part to part', async () => {
  const key = 'users/alice/mp/ranges.bin';
  const whole = await multipartObject(key, [bytes(100 * KiB, 3), bytes(100 * KiB, 5), bytes(1000, 7)]);
  expect((await get(key)).body.equals(whole)).toBe(true);
  const boundary = 100 * KiB;
  for (const [first, last] of [
    [0, 9],
    [boundary - 5, boundary + 4],
    [boundary - 1, 2 * boundary],
    [10, whole.length - 1],
    [2 * boundary, 2 * boundary],
    [whole.length - 1, whole.length - 1],
  ]) {
    const r = await get(key, `bytes=${first}-${last}`);
    expect([r.status, r.body.equals(whole.subarray(first, last + 1))]).toEqual([206, true]);
  }
  const suffix = await get(key, 'bytes=-1500');
  expect([suffix.status, suffix.body.equals(whole.subarray(whole.length - 1500))]).toEqual([206, true]);
});

it('completes with only the parts named, in part-number order, and answers the CRC-64 of those bytes', async () => {
  const key = 'users/alice/mp/subset.bin';
  const parts = [bytes(100 * KiB, 11), bytes(100 * KiB, 13), bytes(3000, 17)];
  const { uploadId, etags } = await uploadParts(key, parts);
  const done = await complete(key, uploadId, [
    [1, etags[0]],
    [3, etags[2]],
  ]);
  const expected = Buffer.concat([parts[0], parts[2]]);
  expect([done.status, done.headers.get(HEADER)]).toEqual([200, crc64(expected)]);
  const read = await get(key);
  expect([read.body.length, read.body.equals(expected)]).toEqual([expected.length, true]);
  expect((await send(t, t.alice, 'HEAD', key)).headers.get('content-length')).toBe(String(expected.length));
});

it('answers the same CRC-64 for an object of one empty part as for an empty PutObject', async () => {
  const key = 'users/alice/mp/empty.bin';
  const { uploadId, etags } = await uploadParts(key, [Buffer.alloc(0)]);
  const done = await complete(key, uploadId, [[1, etags[0]]]);
  expect([done.status, done.headers.get(HEADER)]).toEqual([200, '0']);
  expect((await get(key)).body.length).toBe(0);
});

it('copies a multipart object with CopyObject: the same bytes, ETag and CRC-64, still whole after the source is deleted', async () => {
  const from = 'users/alice/mp/copy-source.bin';
  const to = 'users/alice/mp/copy.bin';
  const whole = await multipartObject(from, [bytes(100 * KiB, 19), bytes(5000, 23)]);
  const source = await send(t, t.alice, 'HEAD', from);
  const copied = await send(t, t.alice, 'PUT', to, { headers: { 'x-oss-copy-source': `/${BUCKET}/${encodeURIComponent(from)}` } });
  expect(copied.status).toBe(200);
  expect((await send(t, t.alice, 'DELETE', from)).status).toBe(204);
  const head = await send(t, t.alice, 'HEAD', to);
  expect([head.headers.get('etag'), head.headers.get(HEADER)]).toEqual([source.headers.get('etag'), crc64(whole)]);
  expect((await get(to)).body.equals(whole)).toBe(true);
  expect((await get(to, 'bytes=102000-102500')).body.equals(whole.subarray(102000, 102501))).toBe(true);
});

it('takes a range across the parts of a multipart object as a part with UploadPartCopy', async () => {
  const from = 'users/alice/mp/part-copy-source.bin';
  const to = 'users/alice/mp/part-copy.bin';
  const whole = await multipartObject(from, [bytes(100 * KiB, 29), bytes(100 * KiB, 31), bytes(100 * KiB, 37)]);
  const init = await send(t, t.alice, 'POST', to, { query: [['uploads', '']] });
  const uploadId = elements(await init.text(), 'UploadId')[0];
  const [first, last] = [50 * KiB, 250 * KiB - 1];
  const part = await send(t, t.alice, 'PUT', to, {
    query: [['partNumber', '1'], ['uploadId', uploadId]],
    headers: { 'x-oss-copy-source': `/${BUCKET}/${encodeURIComponent(from)}`, 'x-oss-copy-source-range': `bytes=${first}-${last}` },
  });
  const expected = whole.subarray(first, last + 1);
  expect([part.status, part.headers.get(HEADER)]).toEqual([200, crc64(expected)]);
  expect((await complete(to, uploadId, [[1, elements(await part.text(), 'ETag')[0]]])).status).toBe(200);
  expect((await get(to)).body.equals(expected)).toBe(true);
});

it('leaves no upload folder and no temporary file after completion, and deleting the object removes its data', async () => {
  const key = 'users/alice/mp/cleanup.bin';
  const before = readdirSync(dirOf('objects')).length;
  await multipartObject(key, [bytes(100 * KiB, 41), bytes(10, 43)]);
  expect([readdirSync(dirOf('uploads')), readdirSync(dirOf('tmp'))]).toEqual([[], []]);
  expect(readdirSync(dirOf('objects')).length).toBe(before + 2); // the object's sidecar and its data folder
  expect((await send(t, t.alice, 'DELETE', key)).status).toBe(204);
  expect(readdirSync(dirOf('objects')).length).toBe(before);
});

it('keeps the upload whole when a completion is refused (x-oss-forbid-overwrite), so a later completion succeeds', async () => {
  const key = 'users/alice/mp/refused.bin';
  await send(t, t.alice, 'PUT', key, { body: 'in the way' });
  const parts = [bytes(100 * KiB, 47), bytes(100, 53)];
  const { uploadId, etags } = await uploadParts(key, parts);
  const named: [number, string][] = etags.map((e, i) => [i + 1, e]);
  const refused = await complete(key, uploadId, named, { 'x-oss-forbid-overwrite': 'true' });
  expect([refused.status, elements(await refused.text(), 'Code')[0]]).toEqual([409, 'FileAlreadyExists']);
  expect(readdirSync(dirOf('tmp'))).toEqual([]);
  expect((await complete(key, uploadId, named)).status).toBe(200);
  expect((await get(key)).body.equals(Buffer.concat(parts))).toBe(true);
});

it('finishes a GET that began before the object was replaced with the old bytes, then removes the old data', async () => {
  const key = 'users/alice/mp/replaced.bin';
  // Larger than what the sockets and streams between server and test buffer, so most of the
  // object is still to be read from disk when it is replaced.
  const whole = await multipartObject(key, [randomBytes(8192 * KiB), randomBytes(8192 * KiB), randomBytes(8192 * KiB)]);
  const objectsBefore = readdirSync(dirOf('objects')).length;
  const res = await send(t, t.alice, 'GET', key);
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const chunks: Buffer[] = [Buffer.from((await reader.read()).value as Uint8Array)];
  expect((await send(t, t.alice, 'PUT', key, { body: 'the new object' })).status).toBe(200);
  expect(readdirSync(dirOf('objects')).length).toBe(objectsBefore + 1); // the old data waits for its reader
  for (let r = await reader.read(); !r.done; r = await reader.read()) chunks.push(Buffer.from(r.value));
  expect(Buffer.concat(chunks).equals(whole)).toBe(true);
  for (let i = 0; i < 100 && readdirSync(dirOf('objects')).length > objectsBefore; i++) await new Promise((r) => setTimeout(r, 10));
  expect(readdirSync(dirOf('objects')).length).toBe(objectsBefore);
  expect((await get(key)).body.toString()).toBe('the new object');
}, 120_000);

it('releases the data of a replaced object when a client abandons its GET halfway', async () => {
  const key = 'users/alice/mp/abandoned.bin';
  await multipartObject(key, [randomBytes(8192 * KiB), randomBytes(8192 * KiB), randomBytes(8192 * KiB)]);
  const objectsBefore = readdirSync(dirOf('objects')).length;
  const abort = new AbortController();
  const res = await send(t, t.alice, 'GET', key, { signal: abort.signal });
  await (res.body as ReadableStream<Uint8Array>).getReader().read();
  expect((await send(t, t.alice, 'PUT', key, { body: 'the new object' })).status).toBe(200);
  abort.abort();
  for (let i = 0; i < 200 && readdirSync(dirOf('objects')).length > objectsBefore; i++) await new Promise((r) => setTimeout(r, 10));
  expect(readdirSync(dirOf('objects')).length).toBe(objectsBefore);
}, 120_000);
