// Conditional GET and HEAD, answered as OSS documents each header (412 PreconditionFailed for
// If-Match and If-Unmodified-Since, 304 for If-None-Match and If-Modified-Since, an invalid time
// ignored), several at once in HTTP's order (RFC 9110 §13.2.2).

import { elements, send, startTestOss, type TestOss } from './local-oss-setup';

let t: TestOss;
let etag: string;
let modified: Date;
const KEY = 'users/alice/cond/object.txt';

beforeAll(async () => {
  t = await startTestOss();
  const put = await send(t, t.alice, 'PUT', KEY, { body: '0123456789' });
  etag = (put.headers.get('etag') as string).slice(1, -1);
  modified = new Date((await send(t, t.alice, 'HEAD', KEY)).headers.get('last-modified') as string);
});
afterAll(() => t.close());

const at = (ms: number) => new Date(modified.getTime() + ms).toUTCString();
const get = (headers: Record<string, string>) => send(t, t.alice, 'GET', KEY, { headers });
const head = (headers: Record<string, string>) => send(t, t.alice, 'HEAD', KEY, { headers });
const codeOf = (xml: string) => elements(xml, 'Code')[0];
const conditionOf = (xml: string) => elements(xml, 'Condition')[0];

describe('If-Match', () => {
  it.each([
    ['the quoted ETag', () => `"${etag}"`],
    ['the bare ETag (oss2 and the Python SDK v2 send it unquoted)', () => etag],
    ['a list that holds it', () => `"0000", "${etag}"`],
    ['*', () => '*'],
  ])('matching %s: 200 and the object', async (_what, value) => {
    const res = await get({ 'If-Match': value() });
    expect([res.status, await res.text()]).toEqual([200, '0123456789']);
  });

  it('another ETag: 412 PreconditionFailed naming If-Match', async () => {
    const res = await get({ 'If-Match': '"0123456789ABCDEF0123456789ABCDEF"' });
    const xml = await res.text();
    expect([res.status, codeOf(xml), conditionOf(xml)]).toEqual([412, 'PreconditionFailed', 'If-Match']);
  });

  it('another ETag on HEAD: 412, the error in x-oss-err as OSS sends it for HEAD', async () => {
    const res = await head({ 'If-Match': '"0123456789ABCDEF0123456789ABCDEF"' });
    expect(res.status).toBe(412);
    expect(codeOf(Buffer.from(res.headers.get('x-oss-err') as string, 'base64').toString())).toBe('PreconditionFailed');
  });

  it('a matching ETag with a range (oss2 resumable download): 206 and the range', async () => {
    const res = await get({ 'If-Match': etag, Range: 'bytes=2-4' });
    expect([res.status, await res.text()]).toEqual([206, '234']);
  });
});

describe('If-None-Match', () => {
  it('the ETag: 304 Not Modified, no body, the validators', async () => {
    const res = await get({ 'If-None-Match': `"${etag}"` });
    expect([res.status, await res.text(), res.headers.get('etag')]).toEqual([304, '', `"${etag}"`]);
  });

  it('the ETag on HEAD: 304', async () => {
    expect((await head({ 'If-None-Match': etag })).status).toBe(304);
  });

  it('another ETag: 200', async () => {
    expect((await get({ 'If-None-Match': '"0000"' })).status).toBe(200);
  });
});

describe('If-Modified-Since', () => {
  it.each([
    ['the modification time', 304, 0],
    ['a later time (oss2 before 2.2 probed existence with now + 24 h)', 304, 86_400_000],
    ['an earlier time', 200, -1000],
  ])('%s: %i', async (_what, status, offset) => {
    expect((await get({ 'If-Modified-Since': at(offset) })).status).toBe(status);
  });

  it('an invalid time is ignored: 200', async () => {
    expect((await get({ 'If-Modified-Since': 'yesterday' })).status).toBe(200);
  });
});

describe('If-Unmodified-Since', () => {
  it.each([
    ['the modification time', 200, 0],
    ['a later time', 200, 1000],
  ])('%s: %i', async (_what, status, offset) => {
    expect((await get({ 'If-Unmodified-Since': at(offset) })).status).toBe(status);
  });

  it('an earlier time: 412 PreconditionFailed naming If-Unmodified-Since', async () => {
    const res = await get({ 'If-Unmodified-Since': at(-1000) });
    const xml = await res.text();
    expect([res.status, codeOf(xml), conditionOf(xml)]).toEqual([412, 'PreconditionFailed', 'If-Unmodified-Since']);
  });

  it('an invalid time is ignored: 200', async () => {
    expect((await get({ 'If-Unmodified-Since': '2020-01-01' })).status).toBe(200);
  });
});

describe('several conditions, in HTTP order', () => {
  it('a matching If-Match overrides a failing If-Unmodified-Since: 200', async () => {
    expect((await get({ 'If-Match': etag, 'If-Unmodified-Since': at(-1000) })).status).toBe(200);
  });

  it('If-None-Match decides over If-Modified-Since: another ETag with an unmodified time is 200', async () => {
    expect((await get({ 'If-None-Match': '"0000"', 'If-Modified-Since': at(0) })).status).toBe(200);
  });

  it('a failing If-Match comes before a matching If-None-Match: 412', async () => {
    expect((await get({ 'If-Match': '"0000"', 'If-None-Match': etag })).status).toBe(412);
  });

  it('the preconditions come before the range: 304 for a range of an unmodified object', async () => {
    expect((await get({ 'If-None-Match': etag, Range: 'bytes=0-1' })).status).toBe(304);
  });

  it('a missing object is 404 NoSuchKey whatever the conditions', async () => {
    const res = await send(t, t.alice, 'GET', 'users/alice/cond/missing', { headers: { 'If-Match': '*' } });
    expect([res.status, codeOf(await res.text())]).toEqual([404, 'NoSuchKey']);
  });

  it("the conditions do not open another user's object: AccessDenied before any precondition", async () => {
    await send(t, t.admin, 'PUT', 'users/bob/cond.txt', { body: 'bob' });
    const res = await send(t, t.alice, 'GET', 'users/bob/cond.txt', { headers: { 'If-None-Match': '*' } });
    expect([res.status, codeOf(await res.text())]).toEqual([403, 'AccessDenied']);
  });
});
