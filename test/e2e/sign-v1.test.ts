// POST /sign end to end with OSS_SIGNATURE_VERSION=v1 (legacy buckets): V1 forms and URLs, signed
// with the caller's own scoped STS credentials, are accepted by the local OSS; what V1 cannot bind is
// not offered, and what it signs (every x-oss-* header) cannot be added to.

import { formOf, ossCode, type SignCaller, startSigning } from './sign-helpers';

let s: SignCaller;

beforeAll(async () => {
  s = await startSigning({ OSS_SIGNATURE_VERSION: 'v1', UPLOAD_MAX_SIZE: '1024', UPLOAD_CONTENT_TYPES: 'text/plain,image/png' });
});

afterAll(() => s.stop());

const text = { bytes: 'hello legacy', name: 'note.txt', type: 'text/plain' };

async function uploadByForm(request: object = {}) {
  const { status, body } = await s.sign({ op: 'post', contentType: 'text/plain', ...request });
  expect(status).toBe(200);
  return body;
}

test('a V1 form stores the object and OSS relays the callback answer', async () => {
  const f = await uploadByForm();
  expect(f.fields).toHaveProperty('OSSAccessKeyId');
  const res = await fetch(f.url, { method: 'POST', body: formOf(f.fields, text) });
  expect(res.status).toBe(200);
  expect(await res.json()).toMatchObject({ key: f.key, size: 12, user: 'alice' });
});

test('a V1 form with a file over the limit is refused: 400 EntityTooLarge', async () => {
  const f = await uploadByForm();
  const res = await fetch(f.url, { method: 'POST', body: formOf(f.fields, { ...text, bytes: 'x'.repeat(1025) }) });
  expect(res.status).toBe(400);
  expect(await ossCode(res)).toBe('EntityTooLarge');
});

test('a V1 form without its STS token is refused: 403 InvalidAccessKeyId, as OSS answers an STS key id without its token', async () => {
  const f = await uploadByForm();
  const { 'x-oss-security-token': _token, ...fields } = f.fields;
  const res = await fetch(f.url, { method: 'POST', body: formOf(fields, text) });
  expect(res.status).toBe(403);
  expect(await ossCode(res)).toBe('InvalidAccessKeyId');
});

test('a V1 GET URL downloads, with its disposition, and a tampered one is refused: 403 SignatureDoesNotMatch', async () => {
  const f = await uploadByForm();
  expect((await fetch(f.url, { method: 'POST', body: formOf(f.fields, text) })).status).toBe(200);
  const { body } = await s.sign({ op: 'get', key: f.key, filename: 'note.txt' });
  expect(new URL(body.url).searchParams.has('Signature')).toBe(true);
  const res = await fetch(body.url);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-disposition')).toBe(`attachment; filename="note.txt"; filename*=UTF-8''note.txt`);
  expect(await res.text()).toBe('hello legacy');
  const tampered = new URL(body.url);
  tampered.searchParams.set('response-content-disposition', 'inline');
  const refused = await fetch(tampered);
  expect(refused.status).toBe(403);
  expect(await ossCode(refused)).toBe('SignatureDoesNotMatch');
});

test('a PUT that must bind its size is not offered: 400 SizeNotEnforceable', async () => {
  const { status, body } = await s.sign({ op: 'put', contentType: 'text/plain', size: 12 });
  expect(status).toBe(400);
  expect(body.error.code).toBe('SizeNotEnforceable');
});

describe('where no size rule needs a V1 PUT to bind its length', () => {
  let anySize: SignCaller;
  beforeAll(async () => {
    anySize = await startSigning({ OSS_SIGNATURE_VERSION: 'v1', UPLOAD_MIN_SIZE: '0', UPLOAD_MAX_SIZE: String(5 * 1024 ** 3), UPLOAD_CONTENT_TYPES: 'text/plain' });
  });
  afterAll(() => anySize.stop());

  test('a V1 PUT URL stores the object with exactly its signed headers', async () => {
    const { body } = await anySize.sign({ op: 'put', contentType: 'text/plain' });
    const res = await fetch(body.url, { method: 'PUT', headers: body.headers, body: 'hello v1' });
    expect(res.status).toBe(200);
  });

  test('a named V1 PUT stores the exact name as x-oss-meta-filename, and another name breaks the signature: 403 SignatureDoesNotMatch', async () => {
    const { body } = await anySize.sign({ op: 'put', filename: 'Grüße 2026.txt' });
    expect(body.key).toMatch(/^users\/alice\/[A-Za-z0-9_-]{16}\/Grüße 2026\.txt$/);
    expect(body.headers['x-oss-meta-filename']).toBe('Gr%C3%BC%C3%9Fe%202026.txt');
    const other = await fetch(body.url, { method: 'PUT', headers: { ...body.headers, 'x-oss-meta-filename': 'other.txt' }, body: 'hello v1' });
    expect([other.status, await ossCode(other)]).toEqual([403, 'SignatureDoesNotMatch']);
    const res = await fetch(body.url, { method: 'PUT', headers: body.headers, body: 'hello v1' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ key: body.key, filename: 'Grüße 2026.txt' });
  });

  test('a V1 presigned DELETE removes the caller\'s object: 204, then its GET URL is 404 NoSuchKey', async () => {
    const { body: put } = await anySize.sign({ op: 'put', contentType: 'text/plain' });
    expect((await fetch(put.url, { method: 'PUT', headers: put.headers, body: 'bye' })).status).toBe(200);
    const { body: get } = await anySize.sign({ op: 'get', key: put.key });
    const { body: del } = await anySize.sign({ op: 'delete', key: put.key });
    expect(new URL(del.url).searchParams.has('Signature')).toBe(true);
    expect((await fetch(del.url, { method: 'DELETE' })).status).toBe(204);
    const gone = await fetch(get.url);
    expect([gone.status, await ossCode(gone)]).toEqual([404, 'NoSuchKey']);
  });

  test.each([
    ['x-oss-object-acl', 'public-read-write'],
    ['x-oss-storage-class', 'Archive'],
    ['x-oss-tagging', 'a=b'],
    ['x-oss-meta-filename', 'other.txt'],
  ])('a V1 PUT URL with an added %s header is refused: 403 SignatureDoesNotMatch (V1 signs every x-oss-* header too)', async (name, value) => {
    const { body } = await anySize.sign({ op: 'put', contentType: 'text/plain' });
    const res = await fetch(body.url, { method: 'PUT', headers: { ...body.headers, [name]: value }, body: 'hello v1' });
    expect(res.status).toBe(403);
    expect(await ossCode(res)).toBe('SignatureDoesNotMatch');
  });
});
