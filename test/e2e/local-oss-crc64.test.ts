// CRC-64 on every write, as OSS returns it: x-oss-hash-crc64ecma (decimal, ECMA-182) on PutObject,
// PostObject, each UploadPart and CompleteMultipartUpload (the whole object's value), kept with
// the object and answered on GET and HEAD, and listed per part by ListParts. The SDKs compare it
// with their own CRC of what they sent or received.

import { crc64 } from '../../local/oss/crc64';
import { postPlan } from '../../shared/policy/post-conditions';
import { grantFor } from '../../shared/policy/rules';
import { signPostV4 } from '../../shared/signer/v4';
import { BUCKET, elements, REGION, send, startTestOss, type TestOss } from './local-oss-setup';

let t: TestOss;
beforeAll(async () => {
  t = await startTestOss();
});
afterAll(() => t.close());

const HEADER = 'x-oss-hash-crc64ecma';
const body = (n: number, seed: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * seed + 7) % 256));

it('PutObject answers the CRC-64 of the body, and GET, HEAD and a range GET answer the stored one', async () => {
  const key = 'users/alice/crc/put.bin';
  const data = body(70_000, 13);
  const put = await send(t, t.alice, 'PUT', key, { body: data });
  expect(put.headers.get(HEADER)).toBe(crc64(data));
  const get = await send(t, t.alice, 'GET', key);
  const got = Buffer.from(await get.arrayBuffer());
  expect([get.headers.get(HEADER), crc64(got)]).toEqual([crc64(data), crc64(data)]);
  expect((await send(t, t.alice, 'HEAD', key)).headers.get(HEADER)).toBe(crc64(data));
  const range = await send(t, t.alice, 'GET', key, { headers: { Range: 'bytes=0-9' } });
  expect([range.status, range.headers.get(HEADER)]).toEqual([206, crc64(data)]);
});

it('an empty object has CRC-64 0', async () => {
  expect((await send(t, t.alice, 'PUT', 'users/alice/crc/empty', { body: Buffer.alloc(0) })).headers.get(HEADER)).toBe('0');
});

it('PostObject answers the CRC-64 of the file', async () => {
  const plan = postPlan(grantFor('alice', 'readwrite', t.rules), { contentType: 'text/plain' }, { now: new Date() });
  const signed = signPostV4(plan.conditions, plan.fields, t.alice, REGION, new Date(), plan.expiresSeconds);
  const form = new FormData();
  for (const [k, v] of Object.entries(signed.fields)) form.append(k, v);
  form.append('file', new Blob(['posted for crc']), 'a.txt');
  const res = await fetch(`${t.oss.url}/${BUCKET}`, { method: 'POST', body: form });
  expect([res.status, res.headers.get(HEADER)]).toEqual([200, crc64(Buffer.from('posted for crc'))]);
});

it("each UploadPart answers its part's CRC-64, ListParts lists them, and CompleteMultipartUpload answers the whole object's", async () => {
  const key = 'users/alice/crc/multi.bin';
  const parts = [body(100 * 1024, 3), body(100 * 1024, 5), body(1000, 11)];
  const init = await send(t, t.alice, 'POST', key, { query: [['uploads', '']] });
  const uploadId = elements(await init.text(), 'UploadId')[0];
  const etags: string[] = [];
  for (const [i, p] of parts.entries()) {
    const res = await send(t, t.alice, 'PUT', key, { query: [['partNumber', String(i + 1)], ['uploadId', uploadId]], body: p });
    expect(res.headers.get(HEADER)).toBe(crc64(p));
    etags.push(res.headers.get('etag') as string);
  }
  const listed = await send(t, t.alice, 'GET', key, { query: [['uploadId', uploadId]] });
  expect(elements(await listed.text(), 'HashCrc64ecma')).toEqual(parts.map(crc64));
  const xml = `<CompleteMultipartUpload>${etags.map((e, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${e}</ETag></Part>`).join('')}</CompleteMultipartUpload>`;
  const done = await send(t, t.alice, 'POST', key, { query: [['uploadId', uploadId]], body: xml });
  const whole = crc64(Buffer.concat(parts));
  expect([done.status, done.headers.get(HEADER)]).toEqual([200, whole]);
  expect((await send(t, t.alice, 'HEAD', key)).headers.get(HEADER)).toBe(whole);
});
