// ali-oss 6.23 with alice's vended STS credentials: each operation works under her prefix and is
// refused with AccessDenied under bob's. ali-oss 6.23 has no CRC-64 check of its own (its
// lib/ holds no CRC code, and no option turns one on), so each case compares the
// x-oss-hash-crc64ecma OSS answers with the CRC-64 of the bytes sent or received, as the Go and
// Python SDKs do for every transfer.

import { crc64 } from '../../local/oss/crc64';
import { refusal, send, startTestOss, type AliOss, type AliResult, type TestOss } from './local-oss-setup';

let t: TestOss;
let alice: AliOss;
beforeAll(async () => {
  t = await startTestOss();
  alice = t.client(t.alice);
  for (const user of ['alice', 'bob']) {
    await send(t, t.admin, 'PUT', `users/${user}/matrix/seed.txt`, { body: SEED });
    await send(t, t.admin, 'PUT', `users/${user}/matrix/sub/deeper.txt`, { body: 'deeper' });
  }
});
afterAll(() => t.close());

const SEED = Buffer.from('0123456789abcdef');
const PARTS = Buffer.from(Array.from({ length: 250 * 1024 }, (_, i) => (i * 7) % 256));
const CRC = 'x-oss-hash-crc64ecma';

/** Each operation, run under `users/<user>/matrix/`, and what a success must show. */
const OPERATIONS: [string, (dir: string) => Promise<AliResult>, (r: AliResult) => void | Promise<void>][] = [
  [
    'put',
    (dir) => alice.put(`${dir}/put.txt`, SEED),
    (r) => expect(r.res.headers[CRC]).toBe(crc64(SEED)),
  ],
  [
    'get',
    (dir) => alice.get(`${dir}/seed.txt`),
    (r) => {
      const { content } = r as AliResult & { content: Buffer };
      expect([content.toString(), r.res.headers[CRC]]).toEqual([SEED.toString(), crc64(content)]);
    },
  ],
  [
    'get with a range',
    (dir) => alice.get(`${dir}/seed.txt`, { headers: { Range: 'bytes=2-5' } }),
    (r) => expect([r.res.status, (r as AliResult & { content: Buffer }).content.toString()]).toEqual([206, '2345']),
  ],
  [
    'head',
    (dir) => alice.head(`${dir}/seed.txt`),
    (r) => expect([r.res.headers['content-length'], r.res.headers[CRC]]).toEqual([String(SEED.length), crc64(SEED)]),
  ],
  [
    'getObjectMeta',
    (dir) => alice.getObjectMeta(`${dir}/seed.txt`),
    (r) => expect([r.res.status, r.res.headers['content-length'], r.res.headers[CRC]]).toEqual([200, String(SEED.length), crc64(SEED)]),
  ],
  [
    'list with prefix and delimiter',
    (dir) => alice.list({ prefix: `${dir}/`, delimiter: '/' }, {}),
    (r) => {
      const listed = r as AliResult & { objects?: { name: string }[]; prefixes?: string[] };
      expect(listed.objects?.map((o) => o.name.split('/').pop())).toContain('seed.txt');
      expect(listed.prefixes?.map((p) => p.split('/').slice(-2).join('/'))).toEqual(['sub/']);
    },
  ],
  [
    'multipartUpload in 3 parts',
    (dir) => alice.multipartUpload(`${dir}/parts.bin`, PARTS, { partSize: 100 * 1024 }),
    async (r) => {
      expect([r.res.status, r.res.headers[CRC]]).toEqual([200, crc64(PARTS)]);
      const got = await alice.get('users/alice/matrix/parts.bin');
      expect([got.content.equals(PARTS), got.res.headers[CRC]]).toEqual([true, crc64(PARTS)]);
    },
  ],
];

it.each(OPERATIONS)("%s works under alice's prefix (CRC-64 compared where bytes move)", async (_op, run, check) => {
  await check(await run('users/alice/matrix'));
});

it.each(OPERATIONS)("%s under bob's prefix is refused: 403 AccessDenied", async (_op, run) => {
  expect(await refusal(run('users/bob/matrix'))).toEqual({ status: 403, code: 'AccessDenied' });
});
