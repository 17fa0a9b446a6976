// Symlinks in the local OSS, as OSS documents them: PutSymlink needs only oss:PutObject on the
// link and checks nothing about the target; a read through a link needs oss:GetObject on the link
// AND on the target, for the requester. So a user who can write their own prefix can create a link
// to another user's object, and can still not read it through the link. (The PutSymlink event is
// in local-oss-write-settings.test.ts with the others.)

import { BUCKET, elements, send, startTestOss, type Creds, type TestOss } from './local-oss-setup';
import { allowOn, anonymous, stsSession } from './local-oss-principals';

let t: TestOss;
let alice: Creds;
let bob: Creds;
/** Reads every user's prefix, writes none. */
let auditor: Creds;

const BOB_SECRET = 'users/bob/secret.txt';
const ALICE_OWN = 'users/alice/own.txt';

beforeAll(async () => {
  t = await startTestOss();
  alice = t.session('alice', 'readwrite');
  bob = t.session('bob', 'readwrite');
  auditor = stsSession(t, 'auditor', [allowOn('users/', ['oss:GetObject'])]);
  await send(t, bob, 'PUT', BOB_SECRET, { body: 'bob only', headers: { 'content-type': 'text/plain' } });
  await send(t, alice, 'PUT', ALICE_OWN, { body: 'alice text', headers: { 'content-type': 'text/plain' } });
});
afterAll(() => t.close());

const putSymlink = (creds: Creds, key: string, target: string, headers: Record<string, string> = {}) =>
  send(t, creds, 'PUT', key, { query: [['symlink', '']], headers: { 'x-oss-symlink-target': encodeURIComponent(target), ...headers } });

async function refusedWith(res: Response): Promise<{ status: number; code?: string; action?: string; resource?: string }> {
  const xml = res.headers.get('x-oss-err') ? Buffer.from(res.headers.get('x-oss-err') as string, 'base64').toString() : await res.text();
  return { status: res.status, code: elements(xml, 'Code')[0], action: elements(xml, 'Action')[0], resource: elements(xml, 'Resource')[0] };
}

describe('a link to one of your own objects (the allowed twin)', () => {
  const link = 'users/alice/link-to-own';
  beforeAll(async () => {
    expect((await putSymlink(alice, link, ALICE_OWN)).status).toBe(200);
  });

  it('reads the target through the link with the owner\'s STS credentials', async () => {
    const res = await send(t, alice, 'GET', link);
    expect([res.status, await res.text()]).toEqual([200, 'alice text']);
  });

  it('HEAD reports x-oss-object-type Symlink with the target\'s length and ETag', async () => {
    const target = await send(t, alice, 'HEAD', ALICE_OWN);
    const res = await send(t, alice, 'HEAD', link);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-oss-object-type')).toBe('Symlink');
    expect(res.headers.get('content-length')).toBe('10');
    expect(res.headers.get('etag')).toBe(target.headers.get('etag'));
    expect(res.headers.get('x-oss-hash-crc64ecma')).toBe(target.headers.get('x-oss-hash-crc64ecma'));
  });

  it('GetSymlink answers the target, URL-encoded', async () => {
    const res = await send(t, alice, 'GET', link, { query: [['symlink', '']] });
    expect(res.status).toBe(200);
    expect(decodeURIComponent(res.headers.get('x-oss-symlink-target') as string)).toBe(ALICE_OWN);
    expect(res.headers.get('x-oss-symlink-target')).toBe('users%2Falice%2Fown.txt');
  });

  it('ListObjects calls the link a Symlink', async () => {
    const res = await send(t, alice, 'GET', '', { query: [['prefix', 'users/alice/link-to-own']] });
    expect(elements(await res.text(), 'Type')).toEqual(['Symlink']);
  });
});

describe('a link under alice\'s prefix to bob\'s object', () => {
  const peek = 'users/alice/peek';
  beforeAll(async () => {
    // OSS checks neither the target's existence nor the requester's access to it at PutSymlink.
    expect((await putSymlink(alice, peek, BOB_SECRET)).status).toBe(200);
  });

  it('is refused to alice\'s own credentials on GET, with the local OSS\'s XML AccessDenied naming bob\'s object', async () => {
    expect(await refusedWith(await send(t, alice, 'GET', peek))).toEqual({
      status: 403,
      code: 'AccessDenied',
      action: 'oss:GetObject',
      resource: `acs:oss:*:*:${BUCKET}/${BOB_SECRET}`,
    });
  });

  it('is refused to alice\'s own credentials on HEAD and GetObjectMeta too', async () => {
    expect((await refusedWith(await send(t, alice, 'HEAD', peek))).code).toBe('AccessDenied');
    expect((await refusedWith(await send(t, alice, 'HEAD', peek, { query: [['objectMeta', '']] }))).code).toBe('AccessDenied');
  });

  it('is refused to bob, who may read the target but not the link', async () => {
    expect(await refusedWith(await send(t, bob, 'GET', peek))).toMatchObject({ status: 403, code: 'AccessDenied', resource: `acs:oss:*:*:${BUCKET}/${peek}` });
  });

  it('is served to a principal that may read both prefixes', async () => {
    const res = await send(t, auditor, 'GET', peek);
    expect([res.status, await res.text()]).toEqual([200, 'bob only']);
  });

  it('GetSymlink is authorised as oss:GetObject on the link only: alice may, bob may not', async () => {
    expect((await send(t, alice, 'GET', peek, { query: [['symlink', '']] })).status).toBe(200);
    expect(await refusedWith(await send(t, bob, 'GET', peek, { query: [['symlink', '']] }))).toMatchObject({ status: 403, code: 'AccessDenied', action: 'oss:GetObject' });
  });

  it('is not readable without a signature even when the link itself is public-read', async () => {
    await putSymlink(alice, 'users/alice/public-peek', BOB_SECRET, { 'x-oss-object-acl': 'public-read' });
    expect((await refusedWith(await anonymous(t, 'GET', 'users/alice/public-peek'))).code).toBe('AccessDenied');
  });
});

describe('PutSymlink', () => {
  it('is authorised as oss:PutObject on the link: alice cannot create one under bob\'s prefix', async () => {
    expect(await refusedWith(await putSymlink(alice, 'users/bob/planted', ALICE_OWN))).toMatchObject({ status: 403, code: 'AccessDenied', action: 'oss:PutObject' });
  });

  it('refuses to replace an object with x-oss-forbid-overwrite: true (409 FileAlreadyExists)', async () => {
    const res = await putSymlink(alice, ALICE_OWN, 'users/alice/elsewhere', { 'x-oss-forbid-overwrite': 'true' });
    expect((await refusedWith(res)).code).toBe('FileAlreadyExists');
    expect(res.status).toBe(409);
  });

  it('needs x-oss-symlink-target (400 InvalidArgument)', async () => {
    const res = await send(t, alice, 'PUT', 'users/alice/no-target', { query: [['symlink', '']] });
    expect(await refusedWith(res)).toMatchObject({ status: 400, code: 'InvalidArgument' });
  });

  it('keeps a target with spaces, slashes and non-ASCII characters exactly (Go SDK 1.5.0 sends a space as +)', async () => {
    const target = 'users/alice/a b+c/中文.txt';
    await send(t, alice, 'PUT', target, { body: 'odd name' });
    const goStyle = encodeURIComponent(target).replace(/%20/g, '+');
    expect((await send(t, alice, 'PUT', 'users/alice/odd-link', { query: [['symlink', '']], headers: { 'x-oss-symlink-target': goStyle } })).status).toBe(200);
    const got = await send(t, alice, 'GET', 'users/alice/odd-link', { query: [['symlink', '']] });
    expect(decodeURIComponent(got.headers.get('x-oss-symlink-target') as string)).toBe(target);
    expect(await (await send(t, alice, 'GET', 'users/alice/odd-link')).text()).toBe('odd name');
  });
});

describe('reads through a link that cannot be followed', () => {
  it('404 SymlinkTargetNotExist when the target is missing', async () => {
    await putSymlink(alice, 'users/alice/dangling', 'users/alice/nothing-here');
    expect(await refusedWith(await send(t, alice, 'GET', 'users/alice/dangling'))).toMatchObject({ status: 404, code: 'SymlinkTargetNotExist' });
  });

  it('400 InvalidTargetType when the target is itself a link', async () => {
    await putSymlink(alice, 'users/alice/first', ALICE_OWN);
    await putSymlink(alice, 'users/alice/second', 'users/alice/first');
    expect(await refusedWith(await send(t, alice, 'GET', 'users/alice/second'))).toMatchObject({ status: 400, code: 'InvalidTargetType' });
  });

  it('GetSymlink of an object that is not a link is refused (400 NotSymlink)', async () => {
    expect(await refusedWith(await send(t, alice, 'GET', ALICE_OWN, { query: [['symlink', '']] }))).toMatchObject({ status: 400, code: 'NotSymlink' });
  });

  it('a missing link is 404 NoSuchKey, to GetObject and GetSymlink alike', async () => {
    expect((await refusedWith(await send(t, alice, 'GET', 'users/alice/no-link'))).code).toBe('NoSuchKey');
    expect((await refusedWith(await send(t, alice, 'GET', 'users/alice/no-link', { query: [['symlink', '']] }))).code).toBe('NoSuchKey');
  });
});
