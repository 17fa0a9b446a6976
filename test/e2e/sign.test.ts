// POST /sign end to end, V4: what the function signs is accepted by the local OSS over real HTTP,
// with its upload callback, and every change a client could make afterwards is refused with the
// error code OSS gives.

import { formOf, ossCode, type SignCaller, startSigning } from './sign-helpers';

let s: SignCaller;

beforeAll(async () => {
  s = await startSigning({ UPLOAD_MAX_SIZE: '1024', UPLOAD_CONTENT_TYPES: 'text/plain,image/png,application/pdf' });
});

afterAll(() => s.stop());

async function presignedPut(request: object = {}) {
  const { status, body } = await s.sign({ op: 'put', contentType: 'text/plain', size: 11, ...request });
  expect(status).toBe(200);
  return body;
}

describe('a presigned PUT', () => {
  test('with the returned headers stores the object, and OSS relays the upload callback answer', async () => {
    const put = await presignedPut();
    const res = await fetch(put.url, { method: 'PUT', headers: put.headers, body: 'hello world' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ key: put.key, size: 11, mimeType: 'text/plain', user: 'alice' });
  });

  test('with another Content-Type is refused: 403 SignatureDoesNotMatch', async () => {
    const put = await presignedPut();
    const res = await fetch(put.url, { method: 'PUT', headers: { ...put.headers, 'Content-Type': 'text/html' }, body: 'hello world' });
    expect(res.status).toBe(403);
    expect(await ossCode(res)).toBe('SignatureDoesNotMatch');
  });

  test('with a larger body than signed is refused: 403 SignatureDoesNotMatch', async () => {
    const put = await presignedPut();
    const { 'Content-Length': _signed, ...headers } = put.headers;
    const res = await fetch(put.url, { method: 'PUT', headers, body: 'hello world, and more' });
    expect(res.status).toBe(403);
    expect(await ossCode(res)).toBe('SignatureDoesNotMatch');
  });

  test('to another key is refused: 403 SignatureDoesNotMatch', async () => {
    const put = await presignedPut();
    const other = new URL(put.url);
    other.pathname = other.pathname.replace(/[^/]+$/, 'other.txt');
    const res = await fetch(other, { method: 'PUT', headers: put.headers, body: 'hello world' });
    expect(res.status).toBe(403);
    expect(await ossCode(res)).toBe('SignatureDoesNotMatch');
  });

  test('without the forbid-overwrite header is refused: 403 SignatureDoesNotMatch', async () => {
    const put = await presignedPut();
    const { 'x-oss-forbid-overwrite': _signed, ...headers } = put.headers;
    const res = await fetch(put.url, { method: 'PUT', headers, body: 'hello world' });
    expect(res.status).toBe(403);
    expect(await ossCode(res)).toBe('SignatureDoesNotMatch');
  });

  test.each([
    ['x-oss-object-acl: public-read-write', 'x-oss-object-acl', 'public-read-write'],
    ['x-oss-storage-class: Archive', 'x-oss-storage-class', 'Archive'],
    ['x-oss-tagging: a=b', 'x-oss-tagging', 'a=b'],
    ['x-oss-meta-note: x', 'x-oss-meta-note', 'x'],
  ])('with an added %s header is refused: 403 SignatureDoesNotMatch (V4 signs every x-oss-* header)', async (_what, name, value) => {
    const put = await presignedPut();
    const res = await fetch(put.url, { method: 'PUT', headers: { ...put.headers, [name]: value }, body: 'hello world' });
    expect(res.status).toBe(403);
    expect(await ossCode(res)).toBe('SignatureDoesNotMatch');
  });

  test.each([
    ['a longer lifetime', (u: URL) => u.searchParams.set('x-oss-expires', '604800')],
    ['no callback', (u: URL) => u.searchParams.delete('callback')],
    ['another callback', (u: URL) => u.searchParams.set('callback', Buffer.from('{"callbackUrl":"http://localhost:1/x","callbackBody":"x"}').toString('base64'))],
    ['an added parameter', (u: URL) => u.searchParams.set('x-oss-object-acl', 'public-read')],
  ])('with a tampered query (%s) is refused: 403 SignatureDoesNotMatch', async (_what, tamper) => {
    const put = await presignedPut();
    const url = new URL(put.url);
    tamper(url);
    const res = await fetch(url, { method: 'PUT', headers: put.headers, body: 'hello world' });
    expect(res.status).toBe(403);
    expect(await ossCode(res)).toBe('SignatureDoesNotMatch');
  });

  test('that has expired is refused: 403 AccessDenied', async () => {
    const put = await presignedPut({ expiresIn: 1 });
    await new Promise((r) => setTimeout(r, 2100));
    const res = await fetch(put.url, { method: 'PUT', headers: put.headers, body: 'hello world' });
    expect(res.status).toBe(403);
    expect(await ossCode(res)).toBe('AccessDenied');
  });

  test('cannot overwrite an object: 409 FileAlreadyExists', async () => {
    const first = await presignedPut();
    expect((await fetch(first.url, { method: 'PUT', headers: first.headers, body: 'hello world' })).status).toBe(200);
    const again = await presignedPut({ key: first.key });
    const res = await fetch(again.url, { method: 'PUT', headers: again.headers, body: 'HELLO WORLD' });
    expect(res.status).toBe(409);
    expect(await ossCode(res)).toBe('FileAlreadyExists');
  });
});

describe('a presigned GET', () => {
  let key: string;

  beforeAll(async () => {
    const put = await presignedPut({ filename: 'hello.txt' });
    expect((await fetch(put.url, { method: 'PUT', headers: put.headers, body: 'hello world' })).status).toBe(200);
    key = put.key;
  });

  test('downloads the object, served as the type its key\'s extension names', async () => {
    const { body } = await s.sign({ op: 'get', key });
    const res = await fetch(body.url);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('hello world');
    expect(res.headers.get('content-type')).toBe('text/plain');
  });

  test('with a filename delivers it in Content-Disposition', async () => {
    const { body } = await s.sign({ op: 'get', key, filename: 'Grüße.txt' });
    const res = await fetch(body.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="Gr__e.txt"; filename*=UTF-8''Gr%C3%BC%C3%9Fe.txt`);
  });

  test('with a tampered disposition is refused: 403 SignatureDoesNotMatch', async () => {
    const { body } = await s.sign({ op: 'get', key, filename: 'a.txt' });
    const url = new URL(body.url);
    url.searchParams.set('response-content-disposition', 'inline');
    const res = await fetch(url);
    expect(res.status).toBe(403);
    expect(await ossCode(res)).toBe('SignatureDoesNotMatch');
  });
});

describe('a PostObject form', () => {
  async function form(request: object = {}) {
    const { status, body } = await s.sign({ op: 'post', contentType: 'image/png', ...request });
    expect(status).toBe(200);
    return body;
  }
  const png = { bytes: Buffer.from('\x89PNG fake image bytes', 'latin1'), name: 'photo.png', type: 'image/png' };

  test('posted as multipart/form-data stores the object and OSS relays the callback answer', async () => {
    const f = await form();
    const res = await fetch(f.url, { method: 'POST', body: formOf(f.fields, png) });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ key: f.key, size: png.bytes.length, mimeType: 'image/png', user: 'alice' });
    const got = await fetch((await s.sign({ op: 'get', key: f.key })).body.url);
    expect(Buffer.from(await got.arrayBuffer())).toEqual(png.bytes);
  });

  // The limit is the literal UPLOAD_MAX_SIZE given above, never a number read from the answer.
  test('with a file of 1,024 bytes (the UPLOAD_MAX_SIZE of 1,024) is stored', async () => {
    const f = await form();
    const res = await fetch(f.url, { method: 'POST', body: formOf(f.fields, { ...png, bytes: Buffer.alloc(1024, 1) }) });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ key: f.key, size: 1024 });
  });

  test('with a file of 1,025 bytes (one over the UPLOAD_MAX_SIZE of 1,024) is refused: 400 EntityTooLarge', async () => {
    const f = await form();
    const res = await fetch(f.url, { method: 'POST', body: formOf(f.fields, { ...png, bytes: Buffer.alloc(1025, 1) }) });
    expect(res.status).toBe(400);
    expect(await ossCode(res)).toBe('EntityTooLarge');
  });

  test.each([
    ['a wrong type', { 'Content-Type': 'text/html' }],
    ['another key', { key: 'users/alice/chosen.png' }],
    ['another user prefix', { key: 'users/bob/x.png' }],
    ['the prefix of a user whose id extends hers', { key: 'users/alice2/x.png' }],
    ['a tampered callback', { callback: Buffer.from('{"callbackUrl":"http://localhost:1/x","callbackBody":"x"}').toString('base64') }],
    ['overwrite allowed', { 'x-oss-forbid-overwrite': 'false' }],
    ['a public ACL', { 'x-oss-object-acl': 'public-read-write' }],
    ['x-oss-content-type: text/html, overriding the pinned type', { 'x-oss-content-type': 'text/html' }],
    ['another storage class', { 'x-oss-storage-class': 'Archive' }],
    ['tags', { 'x-oss-tagging': 'a=b' }],
    ['a redirect after the upload', { success_action_redirect: 'https://evil.example/' }],
    ['a Cache-Control served with every download', { 'Cache-Control': 'public, max-age=31536000' }],
    ['a Content-Disposition served with every download', { 'Content-Disposition': 'inline' }],
  ])('with %s is refused: 403 AccessDenied', async (_what, change) => {
    const f = await form();
    const res = await fetch(f.url, { method: 'POST', body: formOf({ ...f.fields, ...change }, png) });
    expect(res.status).toBe(403);
    expect(await ossCode(res)).toBe('AccessDenied');
  });

  test('without the callback field is refused: 403 AccessDenied', async () => {
    const f = await form();
    const { callback: _dropped, ...fields } = f.fields;
    const res = await fetch(f.url, { method: 'POST', body: formOf(fields, png) });
    expect(res.status).toBe(403);
    expect(await ossCode(res)).toBe('AccessDenied');
  });

  test('with a tampered policy is refused: 403 SignatureDoesNotMatch', async () => {
    const f = await form();
    const policy = JSON.parse(Buffer.from(f.fields.policy, 'base64').toString('utf8'));
    policy.conditions = policy.conditions.map((c: unknown) => (Array.isArray(c) && c[0] === 'content-length-range' ? ['content-length-range', 0, 1e9] : c));
    const res = await fetch(f.url, { method: 'POST', body: formOf({ ...f.fields, policy: Buffer.from(JSON.stringify(policy)).toString('base64') }, png) });
    expect(res.status).toBe(403);
    expect(await ossCode(res)).toBe('SignatureDoesNotMatch');
  });

  test('whose key ends in ${filename} stores the file under its own name in the signed folder', async () => {
    const f = await form({ key: 'users/alice/inbox/${filename}' });
    const res = await fetch(f.url, { method: 'POST', body: formOf(f.fields, { ...png, name: 'holiday.png' }) });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ key: 'users/alice/inbox/holiday.png', user: 'alice' });
  });
});

describe('an object a holder of STS credentials stored as text/html', () => {
  interface AliOss {
    put(name: string, body: Buffer, options: { headers: Record<string, string> }): Promise<{ res: { status: number } }>;
  }
  const OSS = require('ali-oss') as new (options: Record<string, unknown>) => AliOss;

  async function storeAsHtml(key: string): Promise<void> {
    const jwt = await s.rt.login('alice');
    const res = await fetch(`${s.rt.appUrl}/api/token`, { method: 'POST', headers: { Authorization: `Bearer ${jwt}`, 'Content-Type': 'application/json' }, body: '{"access":"upload"}' });
    const c = (await res.json()) as { AccessKeyId: string; AccessKeySecret: string; SecurityToken: string };
    const client = new OSS({ endpoint: s.rt.ossUrl, sldEnable: true, bucket: 'local-uploads', region: 'oss-cn-hangzhou', accessKeyId: c.AccessKeyId, accessKeySecret: c.AccessKeySecret, stsToken: c.SecurityToken, authorizationV4: true });
    // STS credentials carry no type rule: OSS stores what the client says.
    expect((await client.put(key, Buffer.from('<script>alert(document.domain)</script>'), { headers: { 'Content-Type': 'text/html' } })).res.status).toBe(200);
  }

  test('under image.png, downloads through /sign as image/png, never as the HTML OSS holds', async () => {
    await storeAsHtml('users/alice/innocent.png');
    const { body } = await s.sign({ op: 'get', key: 'users/alice/innocent.png' });
    const res = await fetch(body.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
  });

  test('under a key whose extension names no passive type, downloads as an application/octet-stream attachment', async () => {
    await storeAsHtml('users/alice/page');
    const { body } = await s.sign({ op: 'get', key: 'users/alice/page' });
    const res = await fetch(body.url);
    expect([res.status, res.headers.get('content-type'), res.headers.get('content-disposition')]).toEqual([200, 'application/octet-stream', `attachment; filename="page"; filename*=UTF-8''page`]);
  });
});

describe('an object ACL asked for with STS credentials', () => {
  interface AliOss {
    put(name: string, body: Buffer, options: { headers: Record<string, string> }): Promise<{ res: { status: number } }>;
  }
  const OSS = require('ali-oss') as new (options: Record<string, unknown>) => AliOss;

  async function stsClient(): Promise<AliOss> {
    const jwt = await s.rt.login('alice');
    const res = await fetch(`${s.rt.appUrl}/api/token`, { method: 'POST', headers: { Authorization: `Bearer ${jwt}`, 'Content-Type': 'application/json' }, body: '{"access":"upload"}' });
    const c = (await res.json()) as { AccessKeyId: string; AccessKeySecret: string; SecurityToken: string };
    return new OSS({ endpoint: s.rt.ossUrl, sldEnable: true, bucket: 'local-uploads', region: 'oss-cn-hangzhou', accessKeyId: c.AccessKeyId, accessKeySecret: c.AccessKeySecret, stsToken: c.SecurityToken, authorizationV4: true, retryMax: 0 });
  }
  const outcome = (p: Promise<{ res: { status: number } }>) =>
    p.then(
      (r) => ({ status: r.res.status, code: undefined as string | undefined }),
      (e: { status: number; code: string }) => ({ status: e.status, code: e.code }),
    );

  test.each(['public-read', 'public-read-write'])('%s is refused by OSS\'s rules (403 AccessDenied: the session policy\'s Scenario 10 Deny), and nothing readable is left', async (acl) => {
    const client = await stsClient();
    const key = `users/alice/public-${acl}.txt`;
    expect(await outcome(client.put(key, Buffer.from('for everyone'), { headers: { 'Content-Type': 'text/plain', 'x-oss-object-acl': acl } }))).toEqual({ status: 403, code: 'AccessDenied' });
    const anonymous = await fetch(`${s.rt.ossUrl}/local-uploads/${key}`);
    expect([anonymous.status, await ossCode(anonymous)]).toEqual([403, 'AccessDenied']);
  });

  test.each([
    ['private', { 'x-oss-object-acl': 'private' }],
    ['no ACL at all (RAM reads default)', {}],
  ])('%s is stored, and stays unreadable without a signature', async (_what, acl) => {
    const client = await stsClient();
    const key = `users/alice/private-${Object.keys(acl).length}.txt`;
    expect(await outcome(client.put(key, Buffer.from('mine'), { headers: { 'Content-Type': 'text/plain', ...acl } }))).toEqual({ status: 200, code: undefined });
    const anonymous = await fetch(`${s.rt.ossUrl}/local-uploads/${key}`);
    expect([anonymous.status, await ossCode(anonymous)]).toEqual([403, 'AccessDenied']);
  });
});
