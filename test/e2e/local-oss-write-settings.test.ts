// What a write sets besides its bytes, in the local OSS: x-oss-storage-class (reported on HEAD, GET
// and in listings; archive classes unreadable until restored), the standard HTTP headers it keeps
// and serves back (PutObject, multipart, PostObject, CopyObject), x-oss-tagging (which needs
// oss:PutObjectTagging as well as oss:PutObject), the PostObject field x-oss-content-type (which
// overrides the Content-Type field), and the object-created event of every operation that leaves
// an object (and of none that does not).

import { signPostV4 } from '../../shared/signer/v4';
import { BUCKET, elements, REGION, send, startTestOss, type Creds, type TestOss } from './local-oss-setup';
import { allowOn, stsSession } from './local-oss-principals';

let t: TestOss;
let alice: Creds;
/** Writes and reads under users/dan/, and may tag. */
let dan: Creds;

beforeAll(async () => {
  t = await startTestOss();
  alice = t.session('alice', 'readwrite');
  dan = stsSession(t, 'dan', [allowOn('users/dan/', ['oss:PutObject', 'oss:GetObject', 'oss:PutObjectTagging', 'oss:ListObjects']), { Effect: 'Allow', Action: 'oss:ListObjects', Resource: `acs:oss:*:*:${BUCKET}` }]);
});
afterAll(() => t.close());

async function outcome(res: Response): Promise<{ status: number; code?: string; action?: string }> {
  const xml = await res.text();
  return { status: res.status, code: elements(xml, 'Code')[0], action: elements(xml, 'Action')[0] };
}

function postForm(creds: Creds, key: string, extra: Record<string, string>): Promise<Response> {
  const conditions = [{ bucket: BUCKET }, ['eq', '$key', key], ...Object.entries(extra).map(([k, v]) => ['eq', `$${k}`, v])];
  const signed = signPostV4(conditions as never[], { key, ...extra }, creds, REGION, new Date(), 600);
  const form = new FormData();
  for (const [k, v] of Object.entries(signed.fields)) form.append(k, v);
  form.append('file', new Blob([new Uint8Array(Buffer.from('<p>posted</p>'))]), 'f.html');
  return fetch(`${t.oss.url}/${BUCKET}`, { method: 'POST', body: form });
}

describe('x-oss-storage-class', () => {
  it('is reported back on HEAD, GET and in ListObjects', async () => {
    expect((await send(t, alice, 'PUT', 'users/alice/ia.txt', { body: 'cold-ish', headers: { 'x-oss-storage-class': 'IA' } })).status).toBe(200);
    expect((await send(t, alice, 'HEAD', 'users/alice/ia.txt')).headers.get('x-oss-storage-class')).toBe('IA');
    expect((await send(t, alice, 'GET', 'users/alice/ia.txt')).headers.get('x-oss-storage-class')).toBe('IA');
    const listing = await (await send(t, alice, 'GET', '', { query: [['prefix', 'users/alice/ia.txt']] })).text();
    expect(elements(listing, 'StorageClass')).toEqual(['IA']);
  });

  it('is Standard when the write names none', async () => {
    await send(t, alice, 'PUT', 'users/alice/standard.txt', { body: 'x' });
    expect((await send(t, alice, 'HEAD', 'users/alice/standard.txt')).headers.get('x-oss-storage-class')).toBe('Standard');
  });

  it('an Archive object answers HEAD but refuses GET and CopyObject with 403 InvalidObjectState until restored', async () => {
    await send(t, alice, 'PUT', 'users/alice/archived.txt', { body: 'frozen', headers: { 'x-oss-storage-class': 'Archive' } });
    expect((await send(t, alice, 'HEAD', 'users/alice/archived.txt')).headers.get('x-oss-storage-class')).toBe('Archive');
    expect(await outcome(await send(t, alice, 'GET', 'users/alice/archived.txt'))).toMatchObject({ status: 403, code: 'InvalidObjectState' });
    const copied = await send(t, alice, 'PUT', 'users/alice/archived-copy.txt', { headers: { 'x-oss-copy-source': `/${BUCKET}/users%2Falice%2Farchived.txt` } });
    expect(await outcome(copied)).toMatchObject({ status: 403, code: 'InvalidObjectState' });
  });

  it('an unknown class is refused with 400 InvalidArgument', async () => {
    expect(await outcome(await send(t, alice, 'PUT', 'users/alice/bad-class.txt', { body: 'x', headers: { 'x-oss-storage-class': 'Glacier' } }))).toMatchObject({ status: 400, code: 'InvalidArgument' });
  });

  it('is taken from a form field too', async () => {
    expect((await postForm(alice, 'users/alice/form-ia.txt', { 'x-oss-storage-class': 'IA' })).status).toBe(204);
    expect((await send(t, alice, 'HEAD', 'users/alice/form-ia.txt')).headers.get('x-oss-storage-class')).toBe('IA');
  });
});

describe('x-oss-tagging', () => {
  it('needs oss:PutObjectTagging as well: refused to the project\'s session policy with XML AccessDenied, nothing stored', async () => {
    expect(await outcome(await send(t, alice, 'PUT', 'users/alice/tagged.txt', { body: 'x', headers: { 'x-oss-tagging': 'team=blue' } }))).toEqual({ status: 403, code: 'AccessDenied', action: 'oss:PutObjectTagging' });
    expect((await send(t, alice, 'HEAD', 'users/alice/tagged.txt')).status).toBe(404);
  });

  it('is refused in a form for the same reason', async () => {
    expect(await outcome(await postForm(alice, 'users/alice/form-tagged.txt', { 'x-oss-tagging': 'team=blue' }))).toEqual({ status: 403, code: 'AccessDenied', action: 'oss:PutObjectTagging' });
  });

  it('is stored for a principal allowed oss:PutObjectTagging, and copying those tags needs it too', async () => {
    expect((await send(t, dan, 'PUT', 'users/dan/tagged.txt', { body: 'x', headers: { 'x-oss-tagging': 'team=blue&stage=a%20b' } })).status).toBe(200);
    expect((await send(t, dan, 'PUT', 'users/dan/tagged-copy.txt', { headers: { 'x-oss-copy-source': `/${BUCKET}/users%2Fdan%2Ftagged.txt` } })).status).toBe(200);
    const copier = stsSession(t, 'copier', [allowOn('users/dan/', ['oss:PutObject', 'oss:GetObject'])]);
    expect(await outcome(await send(t, copier, 'PUT', 'users/dan/untagged-copy.txt', { headers: { 'x-oss-copy-source': `/${BUCKET}/users%2Fdan%2Ftagged.txt` } }))).toEqual({
      status: 403,
      code: 'AccessDenied',
      action: 'oss:PutObjectTagging',
    });
  });

  it.each([
    ['eleven tags', Array.from({ length: 11 }, (_, i) => `k${i}=v`).join('&')],
    ['a repeated key', 'a=1&a=2'],
    ['an empty key', '=v'],
    ['a key of 129 characters', `${'k'.repeat(129)}=v`],
    ['a character outside the allowed set', 'k=v%3Bw'],
  ])('refuses %s with 400 InvalidArgument', async (_what, tagging) => {
    expect(await outcome(await send(t, dan, 'PUT', 'users/dan/bad-tags.txt', { body: 'x', headers: { 'x-oss-tagging': tagging } }))).toMatchObject({ status: 400, code: 'InvalidArgument' });
  });
});

describe('the standard HTTP headers a write stores (Cache-Control, Content-Disposition, Content-Encoding, Content-Language, Expires)', () => {
  const SERVED = {
    'cache-control': 'public, max-age=31536000',
    'content-disposition': 'attachment; filename="other.exe"',
    'content-encoding': 'gzip',
    'content-language': 'fr-CA',
    expires: 'Wed, 21 Oct 2037 07:28:00 GMT',
  };
  const served = (res: Response) => Object.fromEntries(Object.keys(SERVED).map((h) => [h, res.headers.get(h)]));
  const headOf = async (key: string) => served(await send(t, alice, 'HEAD', key));

  it('PutObject: stored and served back on HEAD and GET', async () => {
    expect((await send(t, alice, 'PUT', 'users/alice/served/put.txt', { body: 'x', headers: SERVED })).status).toBe(200);
    expect(await headOf('users/alice/served/put.txt')).toEqual(SERVED);
    expect(served(await send(t, alice, 'GET', 'users/alice/served/put.txt'))).toEqual(SERVED);
  });

  it('InitiateMultipartUpload: the completed object carries what the initiation sent', async () => {
    const key = 'users/alice/served/multipart.txt';
    const uploadId = elements(await (await send(t, alice, 'POST', key, { query: [['uploads', '']], headers: SERVED })).text(), 'UploadId')[0];
    await send(t, alice, 'PUT', key, { query: [['partNumber', '1'], ['uploadId', uploadId]], body: 'part' });
    expect((await send(t, alice, 'POST', key, { query: [['uploadId', uploadId]], headers: { 'x-oss-complete-all': 'yes' } })).status).toBe(200);
    expect(await headOf(key)).toEqual(SERVED);
  });

  it('PostObject: taken from the form fields of the same names', async () => {
    const fields = { 'Cache-Control': SERVED['cache-control'], 'Content-Disposition': SERVED['content-disposition'], 'Content-Encoding': SERVED['content-encoding'], Expires: SERVED.expires };
    expect((await postForm(alice, 'users/alice/served/post.txt', fields)).status).toBe(204);
    expect(await headOf('users/alice/served/post.txt')).toEqual({ ...SERVED, 'content-language': null });
  });

  it('CopyObject keeps the source\'s with x-oss-metadata-directive COPY (the default) and takes the request\'s with REPLACE', async () => {
    await send(t, alice, 'PUT', 'users/alice/served/source.txt', { body: 'x', headers: SERVED });
    const source = { 'x-oss-copy-source': `/${BUCKET}/users%2Falice%2Fserved%2Fsource.txt` };
    await send(t, alice, 'PUT', 'users/alice/served/copied.txt', { headers: source });
    expect(await headOf('users/alice/served/copied.txt')).toEqual(SERVED);
    await send(t, alice, 'PUT', 'users/alice/served/replaced.txt', { headers: { ...source, 'x-oss-metadata-directive': 'REPLACE', 'cache-control': 'no-store' } });
    expect(await headOf('users/alice/served/replaced.txt')).toEqual({ 'cache-control': 'no-store', 'content-disposition': null, 'content-encoding': null, 'content-language': null, expires: null });
  });

  it('none is reported for an object whose write sent none', async () => {
    await send(t, alice, 'PUT', 'users/alice/served/plain.txt', { body: 'x' });
    expect(await headOf('users/alice/served/plain.txt')).toEqual(Object.fromEntries(Object.keys(SERVED).map((h) => [h, null])));
  });
});

describe('x-oss-tagging-count', () => {
  it('HeadObject reports how many tags an object has, and sends none for an untagged one', async () => {
    await send(t, dan, 'PUT', 'users/dan/two-tags.txt', { body: 'x', headers: { 'x-oss-tagging': 'a=1&b=2' } });
    await send(t, dan, 'PUT', 'users/dan/no-tags.txt', { body: 'x' });
    expect((await send(t, dan, 'HEAD', 'users/dan/two-tags.txt')).headers.get('x-oss-tagging-count')).toBe('2');
    expect((await send(t, dan, 'HEAD', 'users/dan/no-tags.txt')).headers.get('x-oss-tagging-count')).toBeNull();
  });
});

describe('the PostObject field x-oss-content-type', () => {
  it('overrides the Content-Type field, as the PostObject page ranks them', async () => {
    expect((await postForm(alice, 'users/alice/typed.html', { 'Content-Type': 'text/plain', 'x-oss-content-type': 'text/html' })).status).toBe(204);
    expect((await send(t, alice, 'HEAD', 'users/alice/typed.html')).headers.get('content-type')).toBe('text/html');
  });

  it('leaves the Content-Type field in charge when it is absent', async () => {
    await postForm(alice, 'users/alice/plain-typed.txt', { 'Content-Type': 'text/plain' });
    expect((await send(t, alice, 'HEAD', 'users/alice/plain-typed.txt')).headers.get('content-type')).toBe('text/plain');
  });
});

describe('the object-created event', () => {
  interface CreatedEvent {
    eventName: string;
    eventSource: string;
    eventVersion: string;
    oss: { bucket: { name: string; arn: string }; object: { key: string; size: number; eTag: string } };
    userIdentity: { principalId: string };
  }
  const eventsFor = (key: string): CreatedEvent[] =>
    t.events.map((e) => (JSON.parse(e.toString('utf8')) as { events: CreatedEvent[] }).events[0]).filter((e) => e.oss.object.key === key);

  /** Waits for `count` events for `key`, then a little longer, so an event that should not come has had time to. */
  async function settle(key: string, count: number): Promise<CreatedEvent[]> {
    for (let i = 0; i < 200 && eventsFor(key).length < count; i++) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 50));
    return eventsFor(key);
  }

  it('is delivered once per write that leaves an object, named ObjectCreated:<operation>, in OSS\'s shape', async () => {
    const k = (name: string) => `users/alice/events/${name}`;
    await send(t, alice, 'PUT', k('put'), { body: 'p' });
    await postForm(alice, k('post'), {});
    await send(t, alice, 'POST', k('append'), { query: [['append', ''], ['position', '0']], body: 'a' });
    await send(t, alice, 'PUT', k('copy'), { headers: { 'x-oss-copy-source': `/${BUCKET}/${encodeURIComponent(k('put'))}` } });
    await send(t, alice, 'PUT', k('link'), { query: [['symlink', '']], headers: { 'x-oss-symlink-target': encodeURIComponent(k('put')) } });
    const init = await send(t, alice, 'POST', k('multipart'), { query: [['uploads', '']] });
    const uploadId = elements(await init.text(), 'UploadId')[0];
    await send(t, alice, 'PUT', k('multipart'), { query: [['partNumber', '1'], ['uploadId', uploadId]], body: Buffer.alloc(100 * 1024, 1) });
    await send(t, alice, 'PUT', k('multipart'), { query: [['partNumber', '2'], ['uploadId', uploadId]], headers: { 'x-oss-copy-source': `/${BUCKET}/${encodeURIComponent(k('put'))}` } });
    await send(t, alice, 'POST', k('multipart'), { query: [['uploadId', uploadId]], headers: { 'x-oss-complete-all': 'yes' } });
    const names: Record<string, string[]> = {};
    for (const name of ['put', 'post', 'append', 'copy', 'link', 'multipart']) names[name] = (await settle(k(name), 1)).map((e) => e.eventName);
    expect(names).toEqual({
      put: ['ObjectCreated:PutObject'],
      post: ['ObjectCreated:PostObject'],
      append: ['ObjectCreated:AppendObject'],
      copy: ['ObjectCreated:CopyObject'],
      link: ['ObjectCreated:PutSymlink'],
      multipart: ['ObjectCreated:CompleteMultipartUpload'],
    });
    const copied = eventsFor(k('copy'))[0];
    expect(copied).toMatchObject({ eventSource: 'acs:oss', eventVersion: '1.0', oss: { bucket: { name: BUCKET, arn: `acs:oss:${REGION}:${t.account.iam.accountId}:${BUCKET}` }, object: { size: 1 } } });
    expect(copied.userIdentity.principalId).toMatch(/alice$/);
  });
});
