// CRC-64 combination, as CompleteMultipartUpload makes a multipart object's CRC from its parts':
// the combined value must be the CRC-64 of the joined bytes. Known answers from Go's hash/crc64
// (crc64.MakeTable(crc64.ECMA), what the Go SDKs compare) and from the local OSS's own CRC-64 of
// the whole (js-crc, checked against Go's in local-oss-crc64.test.ts).

import { randomBytes } from 'node:crypto';
import { crc64 } from '../../local/oss/crc64';
import { combineCrc64 } from '../../local/oss/crc64-combine';

const piece = (bytes: Buffer) => ({ crc64: crc64(bytes), size: bytes.length });

it('gives the CRC of "123456789" (0x995DC9BBDF1939FA) from "12345" and "6789"', () => {
  expect(combineCrc64([piece(Buffer.from('12345')), piece(Buffer.from('6789'))])).toBe('11051210869376104954');
});

it("gives Go's CRC of the fox sentence from its words' CRCs", () => {
  const words = 'The quick brown fox jumps over the lazy dog'.split(/(?<= )/).map((w) => piece(Buffer.from(w)));
  expect(words).toHaveLength(9);
  expect(combineCrc64(words)).toBe('6583902852472283588');
});

it("gives Go's CRC of \"abc\", 2^32 + 5 zero bytes and \"xyz\" from the three pieces' CRCs (a piece longer than 32 bits can count)", () => {
  const pieces = [
    { crc64: '3231342946509354535', size: 3 },
    { crc64: '6143736300167510706', size: 2 ** 32 + 5 },
    { crc64: '6346312441545089269', size: 3 },
  ];
  expect(combineCrc64(pieces)).toBe('16798336529863731130');
});

it('gives the CRC of nothing (0) for no pieces', () => {
  expect(combineCrc64([])).toBe('0');
});

it('gives a single piece its own CRC', () => {
  const bytes = randomBytes(1000);
  expect(combineCrc64([piece(bytes)])).toBe(crc64(bytes));
});

it('is not changed by empty pieces, first, between and last', () => {
  const [a, b] = [randomBytes(300), randomBytes(17)];
  const empty = piece(Buffer.alloc(0));
  expect(combineCrc64([empty, piece(a), empty, empty, piece(b), empty])).toBe(crc64(Buffer.concat([a, b])));
});

it('gives the CRC of the joined bytes for random splits of random bytes', () => {
  for (let trial = 0; trial < 40; trial++) {
    const whole = randomBytes(1 + Math.floor(Math.random() * 5000));
    const cuts = Array.from({ length: Math.floor(Math.random() * 6) }, () => Math.floor(Math.random() * whole.length)).sort((x, y) => x - y);
    const bounds = [0, ...cuts, whole.length];
    const pieces = bounds.slice(1).map((end, i) => piece(whole.subarray(bounds[i], end)));
    expect(combineCrc64(pieces)).toBe(crc64(whole));
  }
});

it('gives the CRC of a whole cut into equal parts and a shorter last one, as a multipart upload is', () => {
  const whole = randomBytes(10 * 4096 + 123);
  const parts = Array.from({ length: 11 }, (_, i) => piece(whole.subarray(i * 4096, (i + 1) * 4096)));
  expect(combineCrc64(parts)).toBe(crc64(whole));
});

it('gives different values for the same pieces in another order', () => {
  const [a, b] = [piece(Buffer.from('part one')), piece(Buffer.from('part two'))];
  expect(combineCrc64([a, b])).not.toBe(combineCrc64([b, a]));
});

it.each([
  ['a CRC that is not decimal', { crc64: '0x12', size: 1 }],
  ['a CRC past 64 bits', { crc64: (1n << 64n).toString(), size: 1 }],
  ['a negative size', { crc64: '1', size: -1 }],
  ['a fractional size', { crc64: '1', size: 1.5 }],
])('throws a TypeError for %s', (_what, bad) => {
  expect(() => combineCrc64([bad])).toThrow(TypeError);
});
