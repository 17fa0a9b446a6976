// How the client cuts a file for multipart (client/multipart.ts multipartPlan): four parts in
// flight, parts of about an eighth of the file between 2 and 4 MiB, and never more than OSS's
// 10,000 parts.

import fc from 'fast-check';
import { multipartPlan } from '../../client/multipart';

const MiB = 1024 * 1024;
const parts = (size: number) => Math.ceil(size / multipartPlan(size).partSize);

test.each([
  ['just over the multipart threshold (9 MiB)', 9 * MiB, 2 * MiB, 5],
  ['20 MiB', 20 * MiB, 3 * MiB, 7],
  ['32 MiB', 32 * MiB, 4 * MiB, 8],
  ['200 MB', 200_000_000, 4 * MiB, 48],
])('%s (%d bytes): parts of %d bytes, %d of them, 4 in flight', (_, size, partSize, count) => {
  expect(multipartPlan(size)).toEqual({ partSize, parallel: 4 });
  expect(parts(size)).toBe(count);
});

test('a file too large for 10,000 parts of 4 MiB gets larger parts, and no more than 10,000', () => {
  const size = 100 * 1024 * MiB;
  expect(multipartPlan(size).partSize).toBeGreaterThan(4 * MiB);
  expect(parts(size)).toBeLessThanOrEqual(10_000);
});

test('any size up to OSS\'s largest object (48.8 TB): at most 10,000 parts, none under OSS\'s 100 KB minimum, 16 MiB in flight until the part limit asks for more', () => {
  fc.assert(
    fc.property(fc.integer({ min: 8 * MiB + 1, max: 48_800_000_000_000 }), (size) => {
      const { partSize, parallel } = multipartPlan(size);
      expect(parts(size)).toBeLessThanOrEqual(10_000);
      expect(partSize).toBeGreaterThanOrEqual(100 * 1024);
      if (size <= 10_000 * 4 * MiB) expect(partSize * parallel).toBeLessThanOrEqual(16 * MiB);
    }),
  );
});
