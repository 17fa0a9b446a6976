// GetObject's Range through ali-oss 6.23 (get(name, {headers: {Range}})) and signed requests, as OSS
// answers it by default and under x-oss-range-behavior: standard; ranges across the parts of a
// multipart object; HEAD, which takes no Range; and a presigned URL, which does not sign Range.

import { objectUrl } from '../../shared/signer/url';
import { presignV4 } from '../../shared/signer/v4';
import { BUCKET, errorCode, REGION, refusal, send, startTestOss, type AliOss, type TestOss } from './local-oss-setup';

let t: TestOss;
let alice: AliOss;
const SMALL = 'users/alice/range/1000.bin';
const small = Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 13 + 5) % 256));
const STANDARD = { 'x-oss-range-behavior': 'standard' };

beforeAll(async () => {
  t = await startTestOss();
  alice = t.client(t.alice);
  await alice.put(SMALL, small);
});
afterAll(() => t.close());

const get = (range: string, extra: Record<string, string> = {}) => alice.get(SMALL, { headers: { Range: range, ...extra } });

describe('by default', () => {
  it('a range inside the object answers 206, its bytes, Content-Range and Content-Length', async () => {
    const got = await get('bytes=500-999');
    expect([got.res.status, got.res.headers['content-range'], got.res.headers['content-length'], got.content.equals(small.subarray(500))]).toEqual([
      206,
      'bytes 500-999/1000',
      '500',
      true,
    ]);
  });

  it('a range starting at the end (bytes=1000-) answers 200 and the whole object, not 416', async () => {
    const got = await get('bytes=1000-');
    expect([got.res.status, got.res.headers['content-range'], got.content.equals(small)]).toEqual([200, undefined, true]);
  });

  it('a range ending past the object (bytes=500-2000) answers 200 and the whole object', async () => {
    const got = await get('bytes=500-2000');
    expect([got.res.status, got.res.headers['content-range'], got.content.equals(small)]).toEqual([200, undefined, true]);
  });

  it('several ranges answer the first only', async () => {
    const got = await get('bytes=0-499,500-999');
    expect([got.res.status, got.res.headers['content-range'], got.content.equals(small.subarray(0, 500))]).toEqual([206, 'bytes 0-499/1000', true]);
  });
});

describe('with x-oss-range-behavior: standard', () => {
  it('a range ending past the object is cut to it: 206 bytes 500-999', async () => {
    const got = await get('bytes=500-2000', STANDARD);
    expect([got.res.status, got.res.headers['content-range'], got.content.equals(small.subarray(500))]).toEqual([206, 'bytes 500-999/1000', true]);
  });

  it('a suffix longer than the object answers all of it as 206', async () => {
    const got = await get('bytes=-2000', STANDARD);
    expect([got.res.status, got.res.headers['content-range'], got.content.equals(small)]).toEqual([206, 'bytes 0-999/1000', true]);
  });

  it('a range starting past the object is refused: 416 InvalidRange', async () => {
    expect(await refusal(get('bytes=1000-2000', STANDARD))).toEqual({ status: 416, code: 'InvalidRange' });
  });

  it('the 416 is OSS\'s XML error, with no byte of the object', async () => {
    const res = await send(t, t.alice, 'GET', SMALL, { headers: { Range: 'bytes=1000-', ...STANDARD } });
    expect([res.status, res.headers.get('content-type'), res.headers.get('content-range'), await errorCode(res)]).toEqual([
      416,
      'application/xml',
      null,
      'InvalidRange',
    ]);
  });
});

it('a malformed Range is ignored in both behaviours: 200 and the whole object', async () => {
  const answers = await Promise.all([get('byte=0-499'), get('byte=0-499', STANDARD)]);
  expect(answers.map((a) => [a.res.status, a.content.equals(small)])).toEqual([
    [200, true],
    [200, true],
  ]);
});

it('HEAD takes no Range: 200 with the whole size and no Content-Range', async () => {
  const res = await send(t, t.alice, 'HEAD', SMALL, { headers: { Range: 'bytes=0-9', ...STANDARD } });
  expect([res.status, res.headers.get('content-length'), res.headers.get('content-range'), res.headers.get('accept-ranges')]).toEqual([200, '1000', null, 'bytes']);
});

it('a presigned GET URL answers a Range sent with it (Range is not signed)', async () => {
  const url = alice.signatureUrl(SMALL, { expires: 60 });
  const res = await fetch(url, { headers: { Range: 'bytes=10-19' } });
  expect([res.status, res.headers.get('content-range'), Buffer.from(await res.arrayBuffer()).equals(small.subarray(10, 20))]).toEqual([206, 'bytes 10-19/1000', true]);
});

describe('a V4 presigned GET URL, as /sign makes it', () => {
  const signed = (headers: Record<string, string> = {}) =>
    presignV4({ method: 'GET', bucket: BUCKET, key: SMALL, query: [], headers }, t.alice, REGION, new Date(), 60).query;
  const url = (query: [string, string][]) => objectUrl({ endpoint: t.oss.url, pathStyle: true }, BUCKET, SMALL, query);

  it('answers a Range sent with it, unsigned', async () => {
    const res = await fetch(url(signed()), { headers: { Range: 'bytes=990-' } });
    expect([res.status, res.headers.get('content-range'), Buffer.from(await res.arrayBuffer()).equals(small.subarray(990))]).toEqual([206, 'bytes 990-999/1000', true]);
  });

  it('refuses an x-oss-range-behavior it did not sign (OSS signs every x-oss- header): 403 SignatureDoesNotMatch', async () => {
    const res = await fetch(url(signed()), { headers: { Range: 'bytes=990-', ...STANDARD } });
    expect([res.status, await errorCode(res)]).toEqual([403, 'SignatureDoesNotMatch']);
  });

  it('honours x-oss-range-behavior when it was signed', async () => {
    const res = await fetch(url(signed(STANDARD)), { headers: { Range: 'bytes=990-2000', ...STANDARD } });
    expect([res.status, res.headers.get('content-range')]).toEqual([206, 'bytes 990-999/1000']);
  });
});

describe('a multipart object (its data kept as the parts)', () => {
  const KEY = 'users/alice/range/parts.bin';
  const PART = 100 * 1024;
  const data = Buffer.from(Array.from({ length: 2 * PART + 12_345 }, (_, i) => (i * 31 + 3) % 251));
  beforeAll(async () => {
    await alice.multipartUpload(KEY, data, { partSize: PART });
  });

  it('is stored from three parts (its ETag ends in -3)', async () => {
    expect((await alice.head(KEY)).res.headers['etag']).toMatch(/-3"$/);
  });

  it('a range across a part boundary answers exactly those bytes', async () => {
    const got = await alice.get(KEY, { headers: { Range: `bytes=${PART - 10}-${PART + 9}` } });
    expect([got.res.status, got.content.equals(data.subarray(PART - 10, PART + 10))]).toEqual([206, true]);
  });

  it('a range over all three parts, cut to the end under standard, answers exactly those bytes', async () => {
    const got = await alice.get(KEY, { headers: { Range: `bytes=5-${data.length + 100}`, ...STANDARD } });
    expect([got.res.status, got.res.headers['content-range'], got.content.equals(data.subarray(5))]).toEqual([206, `bytes 5-${data.length - 1}/${data.length}`, true]);
  });

  it('a suffix inside the last part answers its last bytes', async () => {
    const got = await alice.get(KEY, { headers: { Range: 'bytes=-100' } });
    expect([got.res.status, got.content.equals(data.subarray(data.length - 100))]).toEqual([206, true]);
  });
});

it('an empty object: 200 by default, 416 InvalidRange under standard', async () => {
  const key = 'users/alice/range/empty';
  await alice.put(key, Buffer.alloc(0));
  const byDefault = await alice.get(key, { headers: { Range: 'bytes=0-' } });
  expect([byDefault.res.status, byDefault.content.length]).toEqual([200, 0]);
  expect(await refusal(alice.get(key, { headers: { Range: 'bytes=0-', ...STANDARD } }))).toEqual({ status: 416, code: 'InvalidRange' });
});

