// CopyObject and UploadPartCopy in the local OSS: the requester needs oss:GetObject on the source
// and oss:PutObject on the destination, so a user who may write only their own prefix cannot copy
// another user's object into it. Metadata and tagging directives, x-oss-copy-source-if-*, symlink
// and Appendable sources, ranges, and the events each one delivers (or not).

import { createHash } from 'node:crypto';
import { BUCKET, elements, send, startTestOss, type Creds, type TestOss } from './local-oss-setup';
import { allowOn, stsSession } from './local-oss-principals';

let t: TestOss;
let alice: Creds;
let bob: Creds;

const BOB_SECRET = 'users/bob/secret.txt';
const ALICE_SRC = 'users/alice/source.txt';
const source = (key: string, bucket = BUCKET) => `/${bucket}/${encodeURIComponent(key)}`;

beforeAll(async () => {
  t = await startTestOss();
  alice = t.session('alice', 'readwrite');
  bob = t.session('bob', 'readwrite');
  await send(t, bob, 'PUT', BOB_SECRET, { body: 'bob only' });
  await send(t, alice, 'PUT', ALICE_SRC, { body: 'alice bytes', headers: { 'content-type': 'text/plain', 'x-oss-meta-origin': 'upload' } });
});
afterAll(() => t.close());

const copy = (creds: Creds, to: string, from: string, headers: Record<string, string> = {}) => send(t, creds, 'PUT', to, { headers: { 'x-oss-copy-source': from, ...headers } });

async function answer(res: Response): Promise<{ status: number; code?: string; action?: string; resource?: string }> {
  const xml = await res.text();
  return { status: res.status, code: elements(xml, 'Code')[0], action: elements(xml, 'Action')[0], resource: elements(xml, 'Resource')[0] };
}

async function eventNames(key: string, atLeast = 1): Promise<string[]> {
  let names: string[] = [];
  for (let i = 0; i < 200 && names.length < atLeast; i++) {
    names = t.events
      .map((e) => (JSON.parse(e.toString('utf8')) as { events: { eventName: string; oss: { object: { key: string } } }[] }).events[0])
      .filter((e) => e.oss.object.key === key)
      .map((e) => e.eventName);
    await new Promise((r) => setTimeout(r, 10));
  }
  return names;
}

describe('CopyObject', () => {
  it('copies alice\'s own object within her prefix with her STS credentials, metadata and ETag included', async () => {
    const res = await copy(alice, 'users/alice/copy.txt', source(ALICE_SRC));
    const xml = await res.text();
    const original = await send(t, alice, 'HEAD', ALICE_SRC);
    expect(res.status).toBe(200);
    expect(elements(xml, 'ETag')).toEqual([original.headers.get('etag')]);
    expect(elements(xml, 'LastModified')[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
    const got = await send(t, alice, 'GET', 'users/alice/copy.txt');
    expect([await got.text(), got.headers.get('content-type'), got.headers.get('x-oss-meta-origin')]).toEqual(['alice bytes', 'text/plain', 'upload']);
  });

  it('refuses alice a copy of bob\'s object into her own prefix: XML AccessDenied for oss:GetObject on bob\'s object, nothing stored', async () => {
    expect(await answer(await copy(alice, 'users/alice/stolen.txt', source(BOB_SECRET)))).toEqual({
      status: 403,
      code: 'AccessDenied',
      action: 'oss:GetObject',
      resource: `acs:oss:*:*:${BUCKET}/${BOB_SECRET}`,
    });
    expect((await send(t, alice, 'HEAD', 'users/alice/stolen.txt')).status).toBe(404);
  });

  it('refuses alice a copy of her object into bob\'s prefix: oss:PutObject on the destination', async () => {
    expect(await answer(await copy(alice, 'users/bob/planted.txt', source(ALICE_SRC)))).toMatchObject({ status: 403, code: 'AccessDenied', action: 'oss:PutObject' });
  });

  it('lets a principal that may read bob\'s prefix and write alice\'s make the same copy', async () => {
    const both = stsSession(t, 'mover', [allowOn('users/bob/', ['oss:GetObject']), allowOn('users/alice/', ['oss:PutObject', 'oss:GetObject'])]);
    expect((await copy(both, 'users/alice/moved.txt', source(BOB_SECRET))).status).toBe(200);
    expect(await (await send(t, alice, 'GET', 'users/alice/moved.txt')).text()).toBe('bob only');
  });

  it('REPLACE takes the metadata from the request', async () => {
    await copy(alice, 'users/alice/replaced.txt', source(ALICE_SRC), { 'x-oss-metadata-directive': 'REPLACE', 'content-type': 'application/json', 'x-oss-meta-new': 'yes' });
    const head = await send(t, alice, 'HEAD', 'users/alice/replaced.txt');
    expect([head.headers.get('content-type'), head.headers.get('x-oss-meta-new'), head.headers.get('x-oss-meta-origin')]).toEqual(['application/json', 'yes', null]);
  });

  it('onto itself updates the metadata and keeps the bytes and ETag (oss2 update_object_meta)', async () => {
    await send(t, alice, 'PUT', 'users/alice/self.txt', { body: 'same', headers: { 'content-type': 'text/plain' } });
    const before = await send(t, alice, 'HEAD', 'users/alice/self.txt');
    await copy(alice, 'users/alice/self.txt', source('users/alice/self.txt'), { 'content-type': 'text/csv' });
    const after = await send(t, alice, 'GET', 'users/alice/self.txt');
    expect([after.headers.get('content-type'), after.headers.get('etag'), await after.text()]).toEqual(['text/csv', before.headers.get('etag'), 'same']);
  });

  it('copies a symlink as the link, not its target', async () => {
    await send(t, alice, 'PUT', 'users/alice/link', { query: [['symlink', '']], headers: { 'x-oss-symlink-target': encodeURIComponent(ALICE_SRC) } });
    expect((await copy(alice, 'users/alice/link-copy', source('users/alice/link'))).status).toBe(200);
    const got = await send(t, alice, 'GET', 'users/alice/link-copy', { query: [['symlink', '']] });
    expect(decodeURIComponent(got.headers.get('x-oss-symlink-target') as string)).toBe(ALICE_SRC);
  });

  it('refuses an Appendable source (400 OperationNotSupported)', async () => {
    await send(t, alice, 'POST', 'users/alice/log', { query: [['append', ''], ['position', '0']], body: 'x' });
    expect(await answer(await copy(alice, 'users/alice/log-copy', source('users/alice/log')))).toMatchObject({ status: 400, code: 'OperationNotSupported' });
  });

  it('holds x-oss-copy-source-if-match (412) and x-oss-copy-source-if-none-match (304) to the source', async () => {
    const etag = (await send(t, alice, 'HEAD', ALICE_SRC)).headers.get('etag') as string;
    expect(await answer(await copy(alice, 'users/alice/cond.txt', source(ALICE_SRC), { 'x-oss-copy-source-if-match': '"0123456789ABCDEF0123456789ABCDEF"' }))).toMatchObject({ status: 412, code: 'PreconditionFailed' });
    expect((await copy(alice, 'users/alice/cond.txt', source(ALICE_SRC), { 'x-oss-copy-source-if-none-match': etag })).status).toBe(304);
    expect((await send(t, alice, 'HEAD', 'users/alice/cond.txt')).status).toBe(404);
    expect((await copy(alice, 'users/alice/cond.txt', source(ALICE_SRC), { 'x-oss-copy-source-if-match': etag })).status).toBe(200);
  });

  it('refuses to replace an object with x-oss-forbid-overwrite: true (409 FileAlreadyExists)', async () => {
    expect(await answer(await copy(alice, 'users/alice/copy.txt', source(ALICE_SRC), { 'x-oss-forbid-overwrite': 'true' }))).toMatchObject({ status: 409, code: 'FileAlreadyExists' });
  });

  it('answers a missing source 404 NoSuchKey, a missing bucket 404 NoSuchBucket, a malformed source 400 InvalidArgument', async () => {
    expect((await answer(await copy(alice, 'users/alice/x', source('users/alice/none')))).code).toBe('NoSuchKey');
    expect((await answer(await copy(alice, 'users/alice/x', source(ALICE_SRC, 'no-such-bucket')))).code).toBe('NoSuchBucket');
    expect(await answer(await copy(alice, 'users/alice/x', `${BUCKET}/${ALICE_SRC}`))).toMatchObject({ status: 400, code: 'InvalidArgument' });
  });

  it('works through ali-oss copy()', async () => {
    const client = t.client(alice) as unknown as { copy(name: string, sourceName: string): Promise<{ res: { status: number } }> };
    expect((await client.copy('users/alice/sdk-copy.txt', ALICE_SRC)).res.status).toBe(200);
    expect(await (await send(t, alice, 'GET', 'users/alice/sdk-copy.txt')).text()).toBe('alice bytes');
  });
});

describe('UploadPartCopy', () => {
  const big = Buffer.from(Array.from({ length: 300 * 1024 }, (_, i) => (i * 7) % 251));
  const BIG = 'users/alice/big.bin';
  beforeAll(async () => {
    await send(t, alice, 'PUT', BIG, { body: big });
  });

  async function initiate(key: string): Promise<string> {
    const res = await send(t, alice, 'POST', key, { query: [['uploads', '']] });
    return elements(await res.text(), 'UploadId')[0];
  }
  const partCopy = (creds: Creds, key: string, uploadId: string, part: number, from: string, headers: Record<string, string> = {}) =>
    send(t, creds, 'PUT', key, { query: [['partNumber', String(part)], ['uploadId', uploadId]], headers: { 'x-oss-copy-source': from, ...headers } });

  it('copies ranges of alice\'s object into parts of her upload, answering Content-Range and the part\'s ETag; only Complete delivers an event', async () => {
    const key = 'users/alice/assembled.bin';
    const uploadId = await initiate(key);
    const first = await partCopy(alice, key, uploadId, 1, source(BIG), { 'x-oss-copy-source-range': 'bytes=0-204799' });
    const firstXml = await first.text();
    expect([first.status, first.headers.get('content-range')]).toEqual([200, `bytes 0-204799/${big.length}`]);
    expect(elements(firstXml, 'ETag')).toEqual([`"${createHash('md5').update(big.subarray(0, 204800)).digest('hex').toUpperCase()}"`]);
    const second = await partCopy(alice, key, uploadId, 2, source(BIG), { 'x-oss-copy-source-range': `bytes=204800-${big.length - 1}` });
    const secondEtag = elements(await second.text(), 'ETag')[0];
    const body = `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${elements(firstXml, 'ETag')[0]}</ETag></Part><Part><PartNumber>2</PartNumber><ETag>${secondEtag}</ETag></Part></CompleteMultipartUpload>`;
    expect((await send(t, alice, 'POST', key, { query: [['uploadId', uploadId]], body })).status).toBe(200);
    const got = Buffer.from(await (await send(t, alice, 'GET', key)).arrayBuffer());
    expect(got.equals(big)).toBe(true);
    expect(await eventNames(key)).toEqual(['ObjectCreated:CompleteMultipartUpload']);
  });

  it('copies the whole source when the range is not of the form bytes=first-last, with no Content-Range', async () => {
    const key = 'users/alice/whole.bin';
    const uploadId = await initiate(key);
    const res = await partCopy(alice, key, uploadId, 1, source(BIG), { 'x-oss-copy-source-range': 'bytes=999999999-' });
    expect([res.status, res.headers.get('content-range')]).toEqual([200, null]);
    expect(elements(await res.text(), 'ETag')).toEqual([`"${createHash('md5').update(big).digest('hex').toUpperCase()}"`]);
  });

  it('refuses a bytes=first-last that ends past the source: XML InvalidArgument naming x-oss-copy-source-range, no part stored', async () => {
    const key = 'users/alice/past-end.bin';
    const uploadId = await initiate(key);
    const range = `bytes=204800-${big.length}`;
    const res = await partCopy(alice, key, uploadId, 1, source(BIG), { 'x-oss-copy-source-range': range });
    const xml = await res.text();
    expect([res.status, elements(xml, 'Code'), elements(xml, 'ArgumentName'), elements(xml, 'ArgumentValue')]).toEqual([
      400,
      ['InvalidArgument'],
      ['x-oss-copy-source-range'],
      [range],
    ]);
    const parts = await send(t, alice, 'GET', key, { query: [['uploadId', uploadId]] });
    expect([parts.status, elements(await parts.text(), 'PartNumber')]).toEqual([200, []]);
  });

  it('refuses alice a part copied from bob\'s object: XML AccessDenied for oss:GetObject on it', async () => {
    const key = 'users/alice/from-bob.bin';
    const uploadId = await initiate(key);
    expect(await answer(await partCopy(alice, key, uploadId, 1, source(BOB_SECRET)))).toEqual({
      status: 403,
      code: 'AccessDenied',
      action: 'oss:GetObject',
      resource: `acs:oss:*:*:${BUCKET}/${BOB_SECRET}`,
    });
  });

  it('refuses a symlink as the source (EC 0042-00000308)', async () => {
    const key = 'users/alice/from-link.bin';
    const uploadId = await initiate(key);
    await send(t, alice, 'PUT', 'users/alice/big-link', { query: [['symlink', '']], headers: { 'x-oss-symlink-target': encodeURIComponent(BIG) } });
    expect(await answer(await partCopy(alice, key, uploadId, 1, source('users/alice/big-link')))).toMatchObject({ status: 400, code: 'OperationNotSupported' });
  });

  it('answers 404 NoSuchUpload for an upload that does not exist', async () => {
    expect((await answer(await partCopy(alice, 'users/alice/none.bin', 'F'.repeat(32), 1, source(BIG)))).code).toBe('NoSuchUpload');
  });
});
