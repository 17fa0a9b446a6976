// What the official SDKs that cannot run here (Go SDK v2, Python oss2 and Python SDK v2) send and
// parse, written as request/response fixtures from those SDKs' own tests and samples (each case
// names the file it comes from), and replayed against the local OSS with a valid signature.
//
// Sources: aliyun/alibabacloud-oss-go-sdk-v2@b3226d1b, aliyun/aliyun-oss-python-sdk@eb329ec (oss2),
// aliyun/alibabacloud-oss-python-sdk-v2@ebe9a43f.

import { createHash, randomBytes, randomInt } from 'node:crypto';
import { crc64 } from '../../local/oss/crc64';
import { signPostV4 } from '../../shared/signer/v4';
import { BUCKET, elements, REGION, send, startTestOss, type TestOss } from './local-oss-setup';

let t: TestOss;
beforeAll(async () => {
  t = await startTestOss();
});
afterAll(() => t.close());
afterEach(() => {
  t.clock.offsetMs = 0;
});

const KB = 1024;
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex').toUpperCase();

/** Initiate an upload and put `sizes.length` parts; returns the upload id and the part bodies. */
async function uploadParts(key: string, sizes: number[]): Promise<{ uploadId: string; parts: Buffer[] }> {
  const init = await send(t, t.alice, 'POST', key, { query: [['uploads', '']] });
  const uploadId = elements(await init.text(), 'UploadId')[0];
  const parts = sizes.map((n, i) => Buffer.alloc(n, 97 + i));
  for (const [i, body] of parts.entries()) {
    const res = await send(t, t.alice, 'PUT', key, { query: [['partNumber', String(i + 1)], ['uploadId', uploadId]], body });
    expect(res.status).toBe(200);
  }
  return { uploadId, parts };
}

// oss2/utils.py: iso8601_to_unixtime accepts only `YYYY-MM-DDTHH:MM:SS.000Z` (a literal .000Z) for
// every XML time (ListObjects LastModified, ListParts LastModified, ListMultipartUploads
// Initiated), and http_to_unixtime only `Www, DD Mon YYYY HH:MM:SS GMT` for Last-Modified.
const OSS2_ISO = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d\.000Z$/;
const OSS2_HTTP = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), (0[1-9]|[12]\d|3[01]) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} ([01]\d|2[0-3]):[0-5]\d:[0-5]\d GMT$/;

describe('Python SDK (oss2)', () => {
  // tests/test_object.py (test_list_objects) and tests/test_iterator.py (PartIterator) list objects
  // and parts; xml_utils.py parses each LastModified with iso8601_to_unixtime, so one time in another
  // form makes the call raise.
  it('lists objects and parts with times in the one form oss2 parses', async () => {
    // The server's clock at .789 of a second: OSS keeps whole seconds.
    t.clock.offsetMs = 1789 - (Date.now() % 1000);
    const key = 'users/alice/oss2/listed.txt';
    expect((await send(t, t.alice, 'PUT', key, { body: 'x' })).status).toBe(200);
    const list = await send(t, t.alice, 'GET', '', { query: [['prefix', 'users/alice/oss2/']] });
    const times = elements(await list.text(), 'LastModified');
    expect(times).toHaveLength(1);
    expect(times[0]).toMatch(OSS2_ISO);

    const { uploadId } = await uploadParts('users/alice/oss2/parts.bin', [10]);
    const parts = await send(t, t.alice, 'GET', 'users/alice/oss2/parts.bin', { query: [['uploadId', uploadId]] });
    expect(elements(await parts.text(), 'LastModified')).toEqual([expect.stringMatching(OSS2_ISO)]);

    const head = await send(t, t.alice, 'HEAD', key);
    expect(head.headers.get('last-modified')).toMatch(OSS2_HTTP);
    expect(head.headers.get('date')).toMatch(OSS2_HTTP);
    expect(new Date(head.headers.get('last-modified') as string).toISOString()).toBe(times[0]);
  });

  // resumable.py _ResumableDownloader: a HEAD, then each part a ranged GET with If-Match set to the
  // ETag without quotes (models.py _get_etag strips them) and If-Unmodified-Since set to
  // utils.http_date of the HEAD's Last-Modified; a part of a changed object must fail, not mix.
  it('serves resumable_download parts while the object is unchanged, and refuses them with 412 once it changed', async () => {
    const key = 'users/alice/oss2/download.bin';
    await send(t, t.alice, 'PUT', key, { body: 'first version!' });
    const head = await send(t, t.alice, 'HEAD', key);
    const headers = { 'If-Match': (head.headers.get('etag') as string).replace(/"/g, ''), 'If-Unmodified-Since': head.headers.get('last-modified') as string };
    const part = await send(t, t.alice, 'GET', key, { headers: { ...headers, Range: 'bytes=0-4' } });
    expect([part.status, await part.text()]).toEqual([206, 'first']);
    await send(t, t.alice, 'PUT', key, { body: 'second version' });
    const stale = await send(t, t.alice, 'GET', key, { headers: { ...headers, Range: 'bytes=5-9' } });
    expect([stale.status, elements(await stale.text(), 'Code')]).toEqual([412, ['PreconditionFailed']]);
  });
});

const xOssErr = (res: Response) => Buffer.from(res.headers.get('x-oss-err') ?? '', 'base64').toString('utf8');

// GetObjectMeta is how every SDK asks whether an object exists: Go v2 client_extension.go
// IsObjectExist (false only on NoSuchKey, read from x-oss-err), oss2 api.py object_exists (false on
// NoSuchKey or NotFound), and the Python v2 is_object_exist. All send HEAD /<key>?objectMeta
// (Go v2 client_mock_test.go TestMockGetObjectMeta_Success asserts the request line) and read
// Content-Length, ETag, Last-Modified and x-oss-hash-crc64ecma (GetObjectMetaResult).
describe('GetObjectMeta, as the Go v2, oss2 and Python v2 "does it exist" helpers send it', () => {
  const key = 'users/alice/meta/object.txt';
  beforeAll(async () => {
    await send(t, t.alice, 'PUT', key, { body: 'twelve bytes' });
  });

  it('answers the size, ETag, Last-Modified and CRC-64 in headers, with no body', async () => {
    const res = await send(t, t.alice, 'HEAD', key, { query: [['objectMeta', '']] });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe('12');
    expect(res.headers.get('etag')).toBe(`"${md5(Buffer.from('twelve bytes'))}"`);
    expect(res.headers.get('last-modified')).toMatch(OSS2_HTTP);
    expect(res.headers.get('x-oss-hash-crc64ecma')).toMatch(/^\d+$/);
  });

  it('answers a missing object with 404 and NoSuchKey in x-oss-err (so IsObjectExist says false)', async () => {
    const res = await send(t, t.alice, 'HEAD', 'users/alice/meta/missing.txt', { query: [['objectMeta', '']] });
    expect(res.status).toBe(404);
    expect(xOssErr(res)).toContain('<Code>NoSuchKey</Code>');
  });

  it("refuses another user's object with 403 AccessDenied, not 404 (so IsObjectExist reports an error)", async () => {
    await send(t, t.admin, 'PUT', 'users/bob/meta.txt', { body: 'bob' });
    const res = await send(t, t.alice, 'HEAD', 'users/bob/meta.txt', { query: [['objectMeta', '']] });
    expect(res.status).toBe(403);
    expect(xOssErr(res)).toContain('<Code>AccessDenied</Code>');
  });

  it('answers a GET ?objectMeta (the older request form) with the same validators and no body', async () => {
    const res = await send(t, t.alice, 'GET', key, { query: [['objectMeta', '']] });
    expect([res.status, res.headers.get('etag'), await res.text()]).toEqual([200, `"${md5(Buffer.from('twelve bytes'))}"`, '']);
  });
});

/**
 * The PostObject body of the Go v2 (sample/post_object.go) and Python v2 (sample/post_object.py)
 * samples: the key, the V4 policy fields in the samples' order, then `file` as a plain form field,
 * with no filename and no Content-Type. Both sign with a long-term key (no STS token).
 */
async function samplePostObject(key: string, boundary: string, content: string): Promise<Response> {
  const now = new Date();
  const signed = signPostV4([{ bucket: BUCKET }, ['content-length-range', 1, 1024]], { key }, t.admin, REGION, now, 3600);
  const order = ['key', 'policy', 'x-oss-signature-version', 'x-oss-credential', 'x-oss-date', 'x-oss-signature'];
  const fields = order.map((k) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${signed.fields[k]}\r\n`).join('');
  const body = `${fields}--${boundary}\r\nContent-Disposition: form-data; name="file"\r\n\r\n${content}\r\n--${boundary}--\r\n`;
  return fetch(`${t.oss.url}/${BUCKET}`, { method: 'POST', body: Buffer.from(body), headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` } });
}

describe('Python SDK v2', () => {
  it('stores the PostObject of sample/post_object.py (a file part without a filename)', async () => {
    const boundary = String(randomInt(1e10, 1e11));
    const res = await samplePostObject('users/alice/py2/posted.txt', boundary, 'hi oss');
    expect(res.status).toBe(204);
    const got = await send(t, t.admin, 'GET', 'users/alice/py2/posted.txt');
    expect(await got.text()).toBe('hi oss');
  });
});

/** Go's url.QueryUnescape, which the Go SDK v2 applies to every value of a result marked <EncodingType>url. */
const goQueryUnescape = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));

describe('Go SDK v2', () => {
  // api_op_object.go sends encoding-type=url on InitiateMultipartUpload, ListParts and
  // CompleteMultipartUpload; api_op_bucket.go unmarshalEncodeType URL-decodes Key in their results
  // when <EncodingType>url</EncodingType> says so (client_mock_test.go ListParts: Key
  // demo%2Fgp-%0C%0A%0B).
  it('gets the key back through encoding-type=url on Initiate, ListParts and Complete', async () => {
    const key = 'users/alice/go/gp-\f\n\v a+b%.bin';
    const enc: [string, string] = ['encoding-type', 'url'];
    const init = await send(t, t.alice, 'POST', key, { query: [enc, ['uploads', '']] });
    const initXml = await init.text();
    expect([elements(initXml, 'EncodingType'), elements(initXml, 'Key').map(goQueryUnescape)]).toEqual([['url'], [key]]);
    const uploadId = elements(initXml, 'UploadId')[0];
    const part = Buffer.from('part');
    await send(t, t.alice, 'PUT', key, { query: [['partNumber', '1'], ['uploadId', uploadId]], body: part });
    const listed = await (await send(t, t.alice, 'GET', key, { query: [enc, ['uploadId', uploadId]] })).text();
    expect([elements(listed, 'EncodingType'), elements(listed, 'Key').map(goQueryUnescape)]).toEqual([['url'], [key]]);
    const body = `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>&#34;${md5(part)}&#34;</ETag></Part></CompleteMultipartUpload>`;
    const done = await (await send(t, t.alice, 'POST', key, { query: [enc, ['uploadId', uploadId]], body })).text();
    expect([elements(done, 'EncodingType'), elements(done, 'Key').map(goQueryUnescape)]).toEqual([['url'], [key]]);
  });

  // api_op_bucket.go ListObjectsV2 always sends encoding-type=url and URL-decodes
  // NextContinuationToken before sending it back: a token holding '+' would return as a space.
  it('pages ListObjectsV2 to the end with the continuation token as the Go SDK v2 hands it back', async () => {
    const keys = ['a~~~', 'b~~', 'c~', 'd?>', 'e>>>'].map((k) => `users/alice/go2/${k}`);
    for (const k of keys) await send(t, t.alice, 'PUT', k, { body: 'x' });
    const seen: string[] = [];
    let token: string | undefined;
    for (let page = 0; page < 10; page++) {
      const query: [string, string][] = [['list-type', '2'], ['prefix', 'users/alice/go2/'], ['max-keys', '1'], ['encoding-type', 'url']];
      if (token !== undefined) query.push(['continuation-token', token]);
      const xml = await (await send(t, t.alice, 'GET', '', { query })).text();
      seen.push(...elements(xml, 'Key').map(goQueryUnescape));
      const next = elements(xml, 'NextContinuationToken')[0];
      if (next === undefined) break;
      token = goQueryUnescape(next);
    }
    expect(seen).toEqual(keys);
  });

  it('stores the PostObject of sample/post_object.go (mime/multipart CreateFormField("file"), no filename)', async () => {
    const res = await samplePostObject('users/alice/go/posted.txt', randomBytes(30).toString('hex'), 'hi oss');
    expect(res.status).toBe(204);
    const got = await send(t, t.admin, 'GET', 'users/alice/go/posted.txt');
    expect(await got.text()).toBe('hi oss');
  });

  // oss/api_op_object_test.go TestMarshalInput_CompleteMultipartUpload and oss/client_mock_test.go
  // (the CompleteMultipartUpload mock cases) assert this exact body: encoding/xml writes the quotes
  // around each ETag as &#34;, with no declaration and no whitespace. The Go SDK v1 writes the same.
  it('completes a multipart upload with the body encoding/xml writes (ETag quotes as &#34;)', async () => {
    const key = 'users/alice/go/complete.bin';
    const { uploadId, parts } = await uploadParts(key, [100 * KB, 100 * KB, 10]);
    const body =
      '<CompleteMultipartUpload>' +
      parts.map((p, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>&#34;${md5(p)}&#34;</ETag></Part>`).join('') +
      '</CompleteMultipartUpload>';
    const res = await send(t, t.alice, 'POST', key, { query: [['uploadId', uploadId]], body });
    expect(res.status).toBe(200);
    const combined = createHash('md5').update(Buffer.concat(parts.map((p) => Buffer.from(md5(p), 'hex')))).digest('hex').toUpperCase();
    expect(elements(await res.text(), 'ETag')).toEqual([`"${combined}-3"`]);
  });

  // CompleteMultipartUploadRequest.CompleteAll (header x-oss-complete-all: yes, no body);
  // client_integration_test.go completes that way against OSS, and asserts OSS's refusal of the
  // header together with a body.
  it('completes with x-oss-complete-all: yes and no body: every part, in order', async () => {
    const key = 'users/alice/go/complete-all.bin';
    const { uploadId, parts } = await uploadParts(key, [100 * KB, 100 * KB, 7]);
    const res = await send(t, t.alice, 'POST', key, { query: [['uploadId', uploadId]], headers: { 'x-oss-complete-all': 'yes' } });
    expect(res.status).toBe(200);
    const got = await send(t, t.alice, 'GET', key);
    expect(Buffer.from(await got.arrayBuffer()).equals(Buffer.concat(parts))).toBe(true);
  });

  it('refuses x-oss-complete-all with a body: 400 InvalidArgument, in OSS words', async () => {
    const key = 'users/alice/go/complete-all-body.bin';
    const { uploadId, parts } = await uploadParts(key, [10]);
    const body = `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>&#34;${md5(parts[0])}&#34;</ETag></Part></CompleteMultipartUpload>`;
    const res = await send(t, t.alice, 'POST', key, { query: [['uploadId', uploadId]], headers: { 'x-oss-complete-all': 'yes' }, body });
    const xml = await res.text();
    expect([res.status, elements(xml, 'Code')[0], elements(xml, 'Message')[0]]).toEqual([400, 'InvalidArgument', 'Should not speficy both complete all header and http body.']);
  });

  it('holds x-oss-complete-all to the part-size rule: a small part before the last is EntityTooSmall', async () => {
    const key = 'users/alice/go/complete-all-small.bin';
    const { uploadId } = await uploadParts(key, [100 * KB, 10, 100 * KB]);
    const res = await send(t, t.alice, 'POST', key, { query: [['uploadId', uploadId]], headers: { 'x-oss-complete-all': 'yes' } });
    expect([res.status, elements(await res.text(), 'Code')[0]]).toEqual([400, 'EntityTooSmall']);
  });

  // downloader.go downloadChunk and filelike.go ReadOnlyFile send every ranged GET with
  // x-oss-range-behavior: standard (bytes=<offset>-<last> per chunk, bytes=<offset>- to read on);
  // io_utils.go RangeReader takes the offset and total size from Content-Range (utils.go
  // parseOffsetAndSizeFromHeaders) and fails the read when the offset is not the one it asked for.
  it('answers a read on from an offset (bytes=<offset>-) with Content-Range at that offset, and cuts a range past the end to it', async () => {
    const key = 'users/alice/go/read-on.bin';
    const body = randomBytes(3 * KB + 7);
    await send(t, t.alice, 'PUT', key, { body });
    const standard = { 'x-oss-range-behavior': 'standard' };
    const readOn = await send(t, t.alice, 'GET', key, { headers: { Range: 'bytes=1024-', ...standard } });
    expect([readOn.status, readOn.headers.get('content-range'), Buffer.from(await readOn.arrayBuffer()).equals(body.subarray(1024))]).toEqual([
      206,
      `bytes 1024-${body.length - 1}/${body.length}`,
      true,
    ]);
    const pastEnd = await send(t, t.alice, 'GET', key, { headers: { Range: `bytes=${2 * KB}-${4 * KB - 1}`, ...standard } });
    expect([pastEnd.status, pastEnd.headers.get('content-range'), Number(pastEnd.headers.get('content-length'))]).toEqual([
      206,
      `bytes ${2 * KB}-${body.length - 1}/${body.length}`,
      body.length - 2 * KB,
    ]);
  });
});

describe('Python SDK (oss2): symlinks, appends, copies and object ACLs', () => {
  // tests/test_mock_object.py test_put_symlink / test_get_symlink: `PUT /<link>?symlink=` with
  // x-oss-symlink-target (urlquote(target, '')) and x-oss-meta-*; the answer carries ETag and
  // x-oss-hash-crc64ecma: 0; models.py GetSymlinkResult urlunquotes x-oss-symlink-target.
  // tests/test_object.py test_put_symlink: HEAD of the link answers the target's length and ETag
  // and the link's own x-oss-meta-*.
  it('put_symlink, get_symlink and head_object of the link', async () => {
    const target = 'users/alice/oss2/中文!@#$%^&*()-=文件\x0C-1.txt';
    await send(t, t.alice, 'PUT', target, { body: 'hello' });
    const link = 'users/alice/oss2/link';
    const put = await send(t, t.alice, 'PUT', link, { query: [['symlink', '']], headers: { 'x-oss-symlink-target': encodeURIComponent(target), 'x-oss-meta-key1': 'value1' } });
    expect([put.status, put.headers.get('x-oss-hash-crc64ecma')]).toEqual([200, '0']);
    expect(put.headers.get('etag')).toMatch(/^"[0-9A-F]{32}"$/);
    const got = await send(t, t.alice, 'GET', link, { query: [['symlink', '']] });
    expect(decodeURIComponent(got.headers.get('x-oss-symlink-target') as string)).toBe(target);
    const head = await send(t, t.alice, 'HEAD', link);
    expect([head.headers.get('content-length'), head.headers.get('etag'), head.headers.get('x-oss-meta-key1')]).toEqual(['5', '"5D41402ABC4B2A76B9719D911017C592"', 'value1']);
  });

  // tests/test_mock_object.py test_append: `POST /<key>?position=0&append=`; AppendObjectResult reads
  // x-oss-next-append-position, ETag and x-oss-hash-crc64ecma (checked against its own CRC).
  it('append_object', async () => {
    const content = randomBytes(8192 * 2 - 1);
    const res = await send(t, t.alice, 'POST', 'users/alice/oss2/appended', { query: [['position', '0'], ['append', '']], body: content });
    expect([res.status, res.headers.get('x-oss-next-append-position')]).toEqual([200, String(content.length)]);
    expect(res.headers.get('x-oss-hash-crc64ecma')).toBe(crc64(content));
  });

  // tests/test_mock_object.py test_copy_object (update_object_meta): a copy onto itself with
  // Content-Type and x-oss-meta-*; the answer's ETag header and <CopyObjectResult><ETag>.
  it('update_object_meta', async () => {
    const key = 'users/alice/oss2/meta.js';
    await send(t, t.alice, 'PUT', key, { body: 'x' });
    const res = await send(t, t.alice, 'PUT', key, { headers: { 'x-oss-copy-source': `/${BUCKET}/${key}`, 'Content-Type': 'text/plain', 'x-oss-meta-category': 'novel' } });
    const xml = await res.text();
    expect([res.status, res.headers.get('etag'), elements(xml, 'ETag')[0]]).toEqual([200, `"${md5(Buffer.from('x'))}"`, `"${md5(Buffer.from('x'))}"`]);
    expect(elements(xml, 'LastModified')[0]).toMatch(OSS2_ISO);
    const head = await send(t, t.alice, 'HEAD', key);
    expect([head.headers.get('content-type'), head.headers.get('x-oss-meta-category')]).toEqual(['text/plain', 'novel']);
  });

  // tests/test_mock_multipart.py test_upload_part_copy: x-oss-copy-source-range: bytes=0-102399 of a
  // 204800-byte object; the answer carries Content-Range: bytes 0-102399/204800 and the part's ETag.
  it('upload_part_copy', async () => {
    const source = randomBytes(204800);
    await send(t, t.alice, 'PUT', 'users/alice/oss2/copy-source', { body: source });
    const init = await send(t, t.alice, 'POST', 'users/alice/oss2/copy-dest', { query: [['uploads', '']] });
    const uploadId = elements(await init.text(), 'UploadId')[0];
    const res = await send(t, t.alice, 'PUT', 'users/alice/oss2/copy-dest', {
      query: [['partNumber', '1'], ['uploadId', uploadId]],
      headers: { 'x-oss-copy-source': `/${BUCKET}/users/alice/oss2/copy-source`, 'x-oss-copy-source-range': 'bytes=0-102399' },
    });
    const xml = await res.text();
    expect([res.status, res.headers.get('content-range'), res.headers.get('etag')]).toEqual([200, 'bytes 0-102399/204800', `"${md5(source.subarray(0, 102400))}"`]);
    expect(xml).toMatch(/<CopyPartResult><LastModified>[^<]+<\/LastModified><ETag>"[0-9A-F]{32}"<\/ETag><\/CopyPartResult>$/);
  });

  // tests/test_object.py test_object_acl: an object put without an ACL answers `default`; each of
  // private, public-read, public-read-write, default put_object_acl'd reads back the same.
  it('put_object_acl and get_object_acl (for a principal allowed both)', async () => {
    const key = 'users/alice/oss2/acl.txt';
    await send(t, t.admin, 'PUT', key, { body: 'x' });
    const grant = async () => elements(await (await send(t, t.admin, 'GET', key, { query: [['acl', '']] })).text(), 'Grant')[0];
    expect(await grant()).toBe('default');
    for (const acl of ['private', 'public-read', 'public-read-write', 'default']) {
      expect((await send(t, t.admin, 'PUT', key, { query: [['acl', '']], headers: { 'x-oss-object-acl': acl } })).status).toBe(200);
      expect(await grant()).toBe(acl);
    }
  });
});

describe('Go SDK v2: symlinks', () => {
  // oss/client_mock_test.go (PutSymlink): the SDK sends x-oss-symlink-target as given, unencoded
  // ("target-object"); GetSymlink's result takes the header and the ETag as they come.
  it('PutSymlink with a plain target, then GetSymlink', async () => {
    await send(t, t.alice, 'PUT', 'users/alice/gov2/target-object', { body: 'x' });
    expect((await send(t, t.alice, 'PUT', 'users/alice/gov2/link', { query: [['symlink', '']], headers: { 'x-oss-symlink-target': 'users/alice/gov2/target-object' } })).status).toBe(200);
    const got = await send(t, t.alice, 'GET', 'users/alice/gov2/link', { query: [['symlink', '']] });
    expect(decodeURIComponent(got.headers.get('x-oss-symlink-target') as string)).toBe('users/alice/gov2/target-object');
    expect(got.headers.get('etag')).toMatch(/^"[0-9A-F]{32}"$/);
  });
});
