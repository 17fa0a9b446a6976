// The parts of a multipart upload as Node sends them (client/part-bytes.ts): each part's slice of
// the file read once, and the file's CRC-64 from those same bytes, in file order, whatever order the
// parts are read in and whichever of them an earlier attempt already sent.

import { randomBytes } from 'node:crypto';
import { PartBytes, partRange } from '../../client/part-bytes';
import { crc64 } from '../../local/oss/crc64';

const bytes = randomBytes(10 * 1000 + 7);
const file = new Blob([bytes]);
const PART = 1000; // 11 parts, the last of 7 bytes
const all = new Set(Array.from({ length: 11 }, (_, i) => i + 1));

test('each part is its slice of the file, the last one short', async () => {
  const parts = new PartBytes(file, PART, all);
  expect(Buffer.from(await parts.read(1)).equals(bytes.subarray(0, 1000))).toBe(true);
  expect(Buffer.from(await parts.read(4)).equals(bytes.subarray(3000, 4000))).toBe(true);
  expect(Buffer.from(await parts.read(11)).equals(bytes.subarray(10_000))).toBe(true);
  expect(partRange(11, PART, file.size)).toEqual({ start: 10_000, end: 10_007 });
  parts.stop(new Error('done with it'));
});

test("the CRC-64 of the parts read in any order is the whole file's, as OSS computes it", async () => {
  const parts = new PartBytes(file, PART, all);
  for (const n of [2, 1, 5, 3, 4, 11, 7, 6, 10, 9, 8]) await parts.read(n);
  await expect(parts.crc64).resolves.toBe(crc64(bytes));
});

test('parts not sent this time (a resumed upload) are read for the CRC-64 alone, which is still the whole file\'s', async () => {
  const toSend = new Set([3, 4, 9, 11]);
  const parts = new PartBytes(file, PART, toSend);
  await Promise.all([...toSend].map((n) => parts.read(n)));
  await expect(parts.crc64).resolves.toBe(crc64(bytes));
});

test("a part's buffer holds a later part only once it is on OSS and hashed: a few buffers serve every part, and the CRC-64 stays the file's", async () => {
  const parts = new PartBytes(file, PART, all);
  const buffers = new Set<ArrayBufferLike>();
  for (let n = 1; n <= 11; n++) {
    const part = await parts.read(n);
    expect(Buffer.from(part).equals(bytes.subarray((n - 1) * PART, n * PART))).toBe(true);
    buffers.add(part.buffer);
    parts.sent(n);
    await new Promise((r) => setImmediate(r)); // the hash's turn
  }
  await expect(parts.crc64).resolves.toBe(crc64(bytes));
  expect(buffers.size).toBeLessThan(11);
});

test('a part sent before the parts ahead of it were hashed keeps its buffer until it is hashed too', async () => {
  // Part 1 went out in an earlier attempt: the hash reads it from the file while parts 2 and 3 are sent.
  const parts = new PartBytes(file, PART, new Set(Array.from({ length: 10 }, (_, i) => i + 2)));
  const part2 = await parts.read(2);
  parts.sent(2);
  const part3 = await parts.read(3);
  if (part3.buffer === part2.buffer) throw new Error('part 2 had been hashed already; the case needs the hash behind');
  for (let n = 3; n <= 11; n++) {
    if (n > 3) await parts.read(n);
    parts.sent(n);
  }
  await expect(parts.crc64).resolves.toBe(crc64(bytes));
});

test('a file of no bytes is one empty part with the CRC-64 of nothing', async () => {
  const parts = new PartBytes(new Blob([]), PART, new Set([1]));
  expect((await parts.read(1)).byteLength).toBe(0);
  await expect(parts.crc64).resolves.toBe('0');
});

test('an upload that stops before its last part rejects the CRC-64 with the reason it stopped', async () => {
  const parts = new PartBytes(file, PART, all);
  await parts.read(1);
  const reason = new Error('OSS refused part 2');
  parts.stop(reason);
  await expect(parts.crc64).rejects.toBe(reason);
});

test('a cancelled upload stops reading the parts an earlier attempt sent', async () => {
  const controller = new AbortController();
  controller.abort();
  const parts = new PartBytes(file, PART, new Set([11]), controller.signal);
  await expect(parts.crc64).rejects.toMatchObject({ code: 'Cancelled' });
});

test('a file that can no longer be read is FileUnreadable, for the part and for the CRC-64', async () => {
  // As Node's Blob of a file changed on disk reads, by either method.
  const error = () => new DOMException('The requested file could not be read', 'NotReadableError');
  const unreadable = { arrayBuffer: () => Promise.reject(error()), stream: () => new ReadableStream<Uint8Array>({ pull: (c) => c.error(error()) }) };
  const gone = Object.assign(new Blob(['x']), { slice: () => Object.assign(new Blob(['x']), unreadable) });
  const parts = new PartBytes(gone, PART, new Set([1]));
  await expect(parts.read(1)).rejects.toMatchObject({ code: 'FileUnreadable' });
  await expect(parts.crc64).rejects.toMatchObject({ code: 'FileUnreadable' });
});
