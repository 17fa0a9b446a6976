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
  const gone = Object.assign(new Blob(['x']), {
    slice: () => Object.assign(new Blob(['x']), { arrayBuffer: () => Promise.reject(new DOMException('The requested file could not be read', 'NotReadableError')) }),
  });
  const parts = new PartBytes(gone, PART, new Set([1]));
  await expect(parts.read(1)).rejects.toMatchObject({ code: 'FileUnreadable' });
  await expect(parts.crc64).rejects.toMatchObject({ code: 'FileUnreadable' });
});
