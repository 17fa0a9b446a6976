// AppendObject in the local OSS, as the API reference gives it: positions checked against the
// object's length, only Appendable objects take appends, the CRC-64 answered is the whole object's,
// authorised as oss:PutObject; and ali-oss's append() works against it.

import { crc64 } from '../../local/oss/crc64';
import { elements, send, startTestOss, type Creds, type TestOss } from './local-oss-setup';

let t: TestOss;
let alice: Creds;

beforeAll(async () => {
  t = await startTestOss();
  alice = t.session('alice', 'readwrite');
});
afterAll(() => t.close());

const append = (key: string, position: number, body: string, headers: Record<string, string> = {}, creds: Creds = alice) =>
  send(t, creds, 'POST', key, { query: [['append', ''], ['position', String(position)]], body, headers });

async function code(res: Response): Promise<string | undefined> {
  return elements(await res.text(), 'Code')[0];
}

describe('appending to an Appendable object', () => {
  const key = 'users/alice/log.txt';
  let first: Response;
  let second: Response;
  beforeAll(async () => {
    first = await append(key, 0, 'hello ');
    second = await append(key, 6, 'world');
  });

  it('answers each append with the next position and the CRC-64 of everything so far', () => {
    expect([first.status, first.headers.get('x-oss-next-append-position'), first.headers.get('x-oss-hash-crc64ecma')]).toEqual([200, '6', crc64(Buffer.from('hello '))]);
    expect([second.status, second.headers.get('x-oss-next-append-position'), second.headers.get('x-oss-hash-crc64ecma')]).toEqual([200, '11', crc64(Buffer.from('hello world'))]);
  });

  it('holds the bytes in order, and HEAD says Appendable with the next position', async () => {
    expect(await (await send(t, alice, 'GET', key)).text()).toBe('hello world');
    const head = await send(t, alice, 'HEAD', key);
    expect([head.headers.get('x-oss-object-type'), head.headers.get('x-oss-next-append-position'), head.headers.get('content-md5')]).toEqual(['Appendable', '11', null]);
  });

  it('gives each append a new ETag (not the content MD5, as for PutObject)', () => {
    expect(first.headers.get('etag')).not.toBe(second.headers.get('etag'));
  });

  it('refuses a position other than the length with 409 PositionNotEqualToLength and the position to use', async () => {
    const res = await append(key, 6, 'again');
    expect([res.status, res.headers.get('x-oss-next-append-position'), await code(res)]).toEqual([409, '11', 'PositionNotEqualToLength']);
  });

  it('refuses position 0 once the object has bytes (the Go SDK v2 integration test\'s case)', async () => {
    const res = await append(key, 0, 'x');
    expect([res.status, await code(res)]).toEqual([409, 'PositionNotEqualToLength']);
  });

  it('refuses x-oss-meta-* on a later append (400 InvalidArgument)', async () => {
    const res = await append(key, 11, '!', { 'x-oss-meta-late': 'no' });
    expect([res.status, await code(res)]).toEqual([400, 'InvalidArgument']);
  });

  it('leaves the object as it is when 0 bytes are appended', async () => {
    const res = await append(key, 11, '');
    expect([res.status, res.headers.get('x-oss-next-append-position')]).toEqual([200, '11']);
    expect(await (await send(t, alice, 'GET', key)).text()).toBe('hello world');
  });
});

describe('AppendObject refusals', () => {
  it('409 ObjectNotAppendable on an object PutObject wrote', async () => {
    await send(t, alice, 'PUT', 'users/alice/normal.txt', { body: 'normal' });
    const res = await append('users/alice/normal.txt', 6, 'more');
    expect([res.status, await code(res)]).toEqual([409, 'ObjectNotAppendable']);
  });

  it('is authorised as oss:PutObject: alice cannot append under bob\'s prefix (XML AccessDenied)', async () => {
    const res = await append('users/bob/log.txt', 0, 'planted');
    const xml = await res.text();
    expect([res.status, elements(xml, 'Code')[0], elements(xml, 'Action')[0]]).toEqual([403, 'AccessDenied', 'oss:PutObject']);
    expect((await send(t, t.admin, 'HEAD', 'users/bob/log.txt')).status).toBe(404);
  });

  it('400 InvalidDigest when Content-MD5 does not match the appended bytes, which are not kept', async () => {
    const res = await append('users/alice/md5.txt', 0, 'abc', { 'content-md5': Buffer.alloc(16).toString('base64') });
    expect([res.status, await code(res)]).toEqual([400, 'InvalidDigest']);
    expect((await send(t, alice, 'HEAD', 'users/alice/md5.txt')).status).toBe(404);
  });

  it('400 InvalidArgument without a position', async () => {
    const res = await send(t, alice, 'POST', 'users/alice/nopos.txt', { query: [['append', '']], body: 'x' });
    expect([res.status, await code(res)]).toEqual([400, 'InvalidArgument']);
  });

  it('lets one of two appends at the same position land, and refuses the other', async () => {
    const key = 'users/alice/race.txt';
    await append(key, 0, 'a');
    const results = await Promise.all([append(key, 1, 'b'.repeat(64 * 1024)), append(key, 1, 'c'.repeat(64 * 1024))]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    const body = await (await send(t, alice, 'GET', key)).text();
    expect(body.length).toBe(1 + 64 * 1024);
  });
});

it('a PutObject over an Appendable object makes it Normal', async () => {
  await append('users/alice/replaced.txt', 0, 'appended');
  await send(t, alice, 'PUT', 'users/alice/replaced.txt', { body: 'put' });
  expect((await send(t, alice, 'HEAD', 'users/alice/replaced.txt')).headers.get('x-oss-object-type')).toBe('Normal');
});

it('works through ali-oss append(), which reads the next position from the answer', async () => {
  const client = t.client(alice) as unknown as { append(name: string, body: Buffer, options?: { position?: string }): Promise<{ nextAppendPosition: string }> };
  const a = await client.append('users/alice/sdk.log', Buffer.from('one,'));
  const b = await client.append('users/alice/sdk.log', Buffer.from('two'), { position: a.nextAppendPosition });
  expect([a.nextAppendPosition, b.nextAppendPosition]).toEqual(['4', '7']);
  expect(await (await send(t, alice, 'GET', 'users/alice/sdk.log')).text()).toBe('one,two');
});

it('delivers ObjectCreated:AppendObject for each append, with the bytes it added as deltaSize', async () => {
  const key = 'users/alice/evented.log';
  await append(key, 0, 'abc');
  await append(key, 3, 'defg');
  let found: { eventName: string; oss: { object: { key: string; size: number; deltaSize: number } } }[] = [];
  for (let i = 0; i < 200 && found.length < 2; i++) {
    found = t.events.map((e) => (JSON.parse(e.toString('utf8')) as { events: typeof found }).events[0]).filter((e) => e.oss.object.key === key);
    await new Promise((r) => setTimeout(r, 10));
  }
  expect(found.map((e) => [e.eventName, e.oss.object.size, e.oss.object.deltaSize])).toEqual([
    ['ObjectCreated:AppendObject', 3, 3],
    ['ObjectCreated:AppendObject', 7, 4],
  ]);
});
