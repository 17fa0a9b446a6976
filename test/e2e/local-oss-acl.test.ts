// Object ACLs in the local OSS: x-oss-object-acl on every write (header, or form field for
// PostObject), PutObjectAcl and GetObjectAcl, what a request without a signature may do with a
// public object, and the RAM condition key oss:x-oss-object-acl, which OSS's Scenario 10 policy uses
// to deny any write that would make an object public. When a write asks for no ACL the key is
// `default`, so Scenario 10 lets it through.

import { signPostV4 } from '../../shared/signer/v4';
import { BUCKET, elements, REGION, send, startTestOss, type Creds, type TestOss } from './local-oss-setup';
import { allowOn, anonymous, SCENARIO_10_DENY, stsSession } from './local-oss-principals';

let t: TestOss;
/** May write, read and change ACLs under users/carol/; no ACL condition anywhere. */
let carol: Creds;
/** The same role, with a session policy that adds OSS's Scenario 10 Deny. */
let guarded: Creds;
let alice: Creds;

const CAROL_ACTIONS = ['oss:PutObject', 'oss:GetObject', 'oss:PutObjectAcl', 'oss:GetObjectAcl'];

beforeAll(async () => {
  t = await startTestOss();
  const role = [allowOn('users/carol/', CAROL_ACTIONS)];
  carol = stsSession(t, 'carol', role);
  guarded = stsSession(t, 'carol', role, [allowOn('users/carol/', CAROL_ACTIONS), SCENARIO_10_DENY]);
  alice = t.session('alice', 'readwrite');
});
afterAll(() => t.close());

async function outcome(res: Response): Promise<{ status: number; code?: string; action?: string }> {
  const err = res.headers.get('x-oss-err');
  const xml = err ? Buffer.from(err, 'base64').toString() : await res.text();
  return { status: res.status, code: elements(xml, 'Code')[0], action: elements(xml, 'Action')[0] };
}

const put = (creds: Creds, key: string, headers: Record<string, string> = {}, body = 'content') => send(t, creds, 'PUT', key, { body, headers });

/** A PostObject form signed with `creds`, its policy binding the key and every extra field. */
function postForm(creds: Creds, key: string, extra: Record<string, string>): Promise<Response> {
  const conditions = [{ bucket: BUCKET }, ['eq', '$key', key], ...Object.entries(extra).map(([k, v]) => ['eq', `$${k}`, v])];
  const signed = signPostV4(conditions as never[], { key, ...extra }, creds, REGION, new Date(), 600);
  const form = new FormData();
  for (const [k, v] of Object.entries(signed.fields)) form.append(k, v);
  form.append('file', new Blob([new Uint8Array(Buffer.from('posted'))]), 'f.txt');
  return fetch(`${t.oss.url}/${BUCKET}`, { method: 'POST', body: form });
}

const aclOf = async (key: string) => elements(await (await send(t, carol, 'GET', key, { query: [['acl', '']] })).text(), 'Grant')[0];

describe('Scenario 10 in a session policy: oss:x-oss-object-acl present and absent', () => {
  it('lets a PutObject without the header through (absent reads as default)', async () => {
    expect((await put(guarded, 'users/carol/plain.txt')).status).toBe(200);
  });

  it.each(['private', 'default'])('lets a PutObject with x-oss-object-acl: %s through', async (acl) => {
    expect((await put(guarded, `users/carol/${acl}.txt`, { 'x-oss-object-acl': acl })).status).toBe(200);
  });

  it.each(['public-read', 'public-read-write'])('refuses a PutObject with x-oss-object-acl: %s (XML AccessDenied), storing nothing', async (acl) => {
    expect(await outcome(await put(guarded, `users/carol/${acl}.txt`, { 'x-oss-object-acl': acl }))).toEqual({ status: 403, code: 'AccessDenied', action: 'oss:PutObject' });
    expect((await send(t, carol, 'HEAD', `users/carol/${acl}.txt`)).status).toBe(404);
  });

  it('refuses a form with x-oss-object-acl public-read-write, and takes the same form without it', async () => {
    expect(await outcome(await postForm(guarded, 'users/carol/form-public.txt', { 'x-oss-object-acl': 'public-read-write' }))).toEqual({ status: 403, code: 'AccessDenied', action: 'oss:PutObject' });
    expect((await postForm(guarded, 'users/carol/form-plain.txt', {})).status).toBe(204);
  });

  it('refuses public-read-write on every other write: Initiate, Append, PutSymlink, Copy, PutObjectAcl', async () => {
    const h = { 'x-oss-object-acl': 'public-read-write' };
    await put(carol, 'users/carol/src.txt');
    const refused = await Promise.all([
      send(t, guarded, 'POST', 'users/carol/mp.bin', { query: [['uploads', '']], headers: h }),
      send(t, guarded, 'POST', 'users/carol/log', { query: [['append', ''], ['position', '0']], headers: h, body: 'x' }),
      send(t, guarded, 'PUT', 'users/carol/link', { query: [['symlink', '']], headers: { ...h, 'x-oss-symlink-target': 'users%2Fcarol%2Fsrc.txt' } }),
      send(t, guarded, 'PUT', 'users/carol/copied.txt', { headers: { ...h, 'x-oss-copy-source': `/${BUCKET}/users%2Fcarol%2Fsrc.txt` } }),
      send(t, guarded, 'PUT', 'users/carol/src.txt', { query: [['acl', '']], headers: h }),
    ]);
    expect(await Promise.all(refused.map(outcome))).toEqual([
      { status: 403, code: 'AccessDenied', action: 'oss:PutObject' },
      { status: 403, code: 'AccessDenied', action: 'oss:PutObject' },
      { status: 403, code: 'AccessDenied', action: 'oss:PutObject' },
      { status: 403, code: 'AccessDenied', action: 'oss:PutObject' },
      { status: 403, code: 'AccessDenied', action: 'oss:PutObjectAcl' },
    ]);
    expect(await aclOf('users/carol/src.txt')).toBe('default');
  });

  it('lets a whole multipart upload without the header through: every step is oss:PutObject with the key at default', async () => {
    const key = 'users/carol/mp-plain.bin';
    const init = await send(t, guarded, 'POST', key, { query: [['uploads', '']] });
    const uploadId = elements(await init.text(), 'UploadId')[0];
    const part = await send(t, guarded, 'PUT', key, { query: [['partNumber', '1'], ['uploadId', uploadId]], body: 'one part' });
    const complete = await send(t, guarded, 'POST', key, { query: [['uploadId', uploadId]], headers: { 'x-oss-complete-all': 'yes' } });
    expect([init.status, part.status, complete.status]).toEqual([200, 200, 200]);
  });
});

describe('without the Deny, the ACL a write asks for is the ACL the object gets', () => {
  it('a header public-read-write makes the object readable, overwritable and deletable without a signature', async () => {
    for (const key of ['users/carol/open.txt', 'users/carol/open-2.txt']) {
      expect((await put(carol, key, { 'x-oss-object-acl': 'public-read-write' }, 'open')).status).toBe(200);
      expect(await aclOf(key)).toBe('public-read-write');
    }
    expect(await (await anonymous(t, 'GET', 'users/carol/open.txt')).text()).toBe('open');
    expect((await anonymous(t, 'PUT', 'users/carol/open.txt', { body: 'overwritten by anyone' })).status).toBe(200);
    expect((await anonymous(t, 'DELETE', 'users/carol/open-2.txt')).status).toBe(204);
    expect((await send(t, carol, 'HEAD', 'users/carol/open-2.txt')).status).toBe(404);
  });

  it('an overwrite without the header leaves the object at default, private again', async () => {
    expect(await (await send(t, carol, 'GET', 'users/carol/open.txt')).text()).toBe('overwritten by anyone');
    expect(await aclOf('users/carol/open.txt')).toBe('default');
    expect((await outcome(await anonymous(t, 'GET', 'users/carol/open.txt'))).code).toBe('AccessDenied');
  });

  it('a form field public-read-write does the same', async () => {
    expect((await postForm(carol, 'users/carol/form-open.txt', { 'x-oss-object-acl': 'public-read-write' })).status).toBe(204);
    expect(await aclOf('users/carol/form-open.txt')).toBe('public-read-write');
    expect(await (await anonymous(t, 'GET', 'users/carol/form-open.txt')).text()).toBe('posted');
  });

  it('an invalid value is refused with 400 InvalidArgument, as header, form field and PutObjectAcl alike', async () => {
    expect(await outcome(await put(carol, 'users/carol/bad.txt', { 'x-oss-object-acl': 'public' }))).toMatchObject({ status: 400, code: 'InvalidArgument' });
    expect(await outcome(await postForm(carol, 'users/carol/bad.txt', { 'x-oss-object-acl': 'Public-Read' }))).toMatchObject({ status: 400, code: 'InvalidArgument' });
    await put(carol, 'users/carol/acl-target.txt');
    expect(await outcome(await send(t, carol, 'PUT', 'users/carol/acl-target.txt', { query: [['acl', '']], headers: { 'x-oss-object-acl': 'everyone' } }))).toMatchObject({ status: 400, code: 'InvalidArgument' });
  });
});

describe('PutObjectAcl and GetObjectAcl', () => {
  const key = 'users/carol/acl.txt';
  beforeAll(async () => {
    await put(carol, key);
  });

  it('an object written without an ACL answers default', async () => {
    expect(await aclOf(key)).toBe('default');
  });

  it('PutObjectAcl changes it (and neither the ETag nor Last-Modified)', async () => {
    const before = await send(t, carol, 'HEAD', key);
    expect((await send(t, carol, 'PUT', key, { query: [['acl', '']], headers: { 'x-oss-object-acl': 'public-read' } })).status).toBe(200);
    const after = await send(t, carol, 'HEAD', key);
    expect(await aclOf(key)).toBe('public-read');
    expect([after.headers.get('etag'), after.headers.get('last-modified')]).toEqual([before.headers.get('etag'), before.headers.get('last-modified')]);
  });

  it('GetObjectAcl answers OSS\'s AccessControlPolicy document', async () => {
    const xml = await (await send(t, carol, 'GET', key, { query: [['acl', '']] })).text();
    expect(elements(xml, 'ID')).toEqual([t.account.iam.accountId]);
    expect(xml).toMatch(/<AccessControlPolicy><Owner><ID>\d+<\/ID><DisplayName>\d+<\/DisplayName><\/Owner><AccessControlList><Grant>public-read<\/Grant><\/AccessControlList><\/AccessControlPolicy>$/);
  });

  it('are refused to the project\'s own session policy, which grants neither oss:PutObjectAcl nor oss:GetObjectAcl', async () => {
    await put(alice, 'users/alice/mine.txt');
    expect(await outcome(await send(t, alice, 'PUT', 'users/alice/mine.txt', { query: [['acl', '']], headers: { 'x-oss-object-acl': 'public-read' } }))).toEqual({ status: 403, code: 'AccessDenied', action: 'oss:PutObjectAcl' });
    expect(await outcome(await send(t, alice, 'GET', 'users/alice/mine.txt', { query: [['acl', '']] }))).toEqual({ status: 403, code: 'AccessDenied', action: 'oss:GetObjectAcl' });
  });

  it('PutObjectAcl of a missing object is 404 NoSuchKey', async () => {
    expect(await outcome(await send(t, carol, 'PUT', 'users/carol/none.txt', { query: [['acl', '']], headers: { 'x-oss-object-acl': 'private' } }))).toMatchObject({ status: 404, code: 'NoSuchKey' });
  });
});

describe('requests without a signature', () => {
  beforeAll(async () => {
    await put(carol, 'users/carol/private.txt', {}, 'private bytes');
    await put(carol, 'users/carol/explicitly-private.txt', { 'x-oss-object-acl': 'private' });
    await put(carol, 'users/carol/public.txt', { 'x-oss-object-acl': 'public-read', 'content-type': 'text/plain' }, 'public bytes');
  });

  it('GET of an object with the default ACL (the bucket is private) is refused with XML AccessDenied', async () => {
    expect(await outcome(await anonymous(t, 'GET', 'users/carol/private.txt'))).toEqual({ status: 403, code: 'AccessDenied', action: undefined });
    expect((await outcome(await anonymous(t, 'GET', 'users/carol/explicitly-private.txt'))).code).toBe('AccessDenied');
  });

  it('GET and HEAD of a public-read object are served', async () => {
    const got = await anonymous(t, 'GET', 'users/carol/public.txt');
    expect([got.status, await got.text()]).toEqual([200, 'public bytes']);
    const head = await anonymous(t, 'HEAD', 'users/carol/public.txt');
    expect([head.status, head.headers.get('content-length')]).toEqual([200, '12']);
  });

  it('PUT and DELETE of a public-read object are refused', async () => {
    expect((await outcome(await anonymous(t, 'PUT', 'users/carol/public.txt', { body: 'x' }))).code).toBe('AccessDenied');
    expect((await outcome(await anonymous(t, 'DELETE', 'users/carol/public.txt'))).code).toBe('AccessDenied');
    expect(await (await anonymous(t, 'GET', 'users/carol/public.txt')).text()).toBe('public bytes');
  });

  it('a GET through a public-read link is served only when the target is public-read too', async () => {
    const link = (target: string) => ({ query: [['symlink', '']] as [string, string][], headers: { 'x-oss-symlink-target': encodeURIComponent(target), 'x-oss-object-acl': 'public-read' } });
    await send(t, carol, 'PUT', 'users/carol/link-to-public', link('users/carol/public.txt'));
    await send(t, carol, 'PUT', 'users/carol/link-to-private', link('users/carol/private.txt'));
    expect(await (await anonymous(t, 'GET', 'users/carol/link-to-public')).text()).toBe('public bytes');
    expect((await outcome(await anonymous(t, 'GET', 'users/carol/link-to-private'))).code).toBe('AccessDenied');
  });

  it('a missing object answers AccessDenied too, not NoSuchKey', async () => {
    expect(await outcome(await anonymous(t, 'GET', 'users/carol/nothing.txt'))).toMatchObject({ status: 403, code: 'AccessDenied' });
  });

  it('everything else on a public object is refused: response-* overrides, ?acl, ?objectMeta, ?symlink, setting an ACL', async () => {
    await put(carol, 'users/carol/open-rw.txt', { 'x-oss-object-acl': 'public-read-write' });
    const refused = await Promise.all([
      anonymous(t, 'GET', 'users/carol/public.txt', { query: '?response-content-type=text%2Fhtml' }),
      anonymous(t, 'GET', 'users/carol/public.txt', { query: '?acl' }),
      anonymous(t, 'HEAD', 'users/carol/public.txt', { query: '?objectMeta' }),
      anonymous(t, 'GET', 'users/carol/public.txt', { query: '?symlink' }),
      anonymous(t, 'PUT', 'users/carol/open-rw.txt', { body: 'x', headers: { 'x-oss-object-acl': 'public-read-write' } }),
      anonymous(t, 'PUT', 'users/carol/open-rw.txt', { query: '?acl', headers: { 'x-oss-object-acl': 'private' } }),
    ]);
    expect((await Promise.all(refused.map(outcome))).map((o) => [o.status, o.code])).toEqual(Array(6).fill([403, 'AccessDenied']));
  });
});
