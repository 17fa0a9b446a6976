// The local OSS's CRC-64, against known answers: the CRC-64/XZ check value and values computed with
// Go's hash/crc64 (crc64.Checksum with crc64.MakeTable(crc64.ECMA)), which the Go SDKs compare.

import { Crc64, crc64 } from '../../local/oss/crc64';

const pattern = Buffer.from(Array.from({ length: 1 << 20 }, (_, i) => (i * 31) % 251));

it.each([
  ['the check value of "123456789" (0x995DC9BBDF1939FA)', Buffer.from('123456789'), '11051210869376104954'],
  ['nothing', Buffer.alloc(0), '0'],
  ['"The quick brown fox jumps over the lazy dog" (Go hash/crc64)', Buffer.from('The quick brown fox jumps over the lazy dog'), '6583902852472283588'],
  ['1 MiB of (i*31 mod 251) (Go hash/crc64)', pattern, '3978899255525241857'],
])('gives the known answer for %s', (_what, bytes, expected) => {
  expect(crc64(bytes)).toBe(expected);
});

it.each([
  ['"123456789"', Buffer.from('123456789'), '11051210869376104954'],
  ['nothing', Buffer.alloc(0), '0'],
  ['1 MiB of (i*31 mod 251)', pattern, '3978899255525241857'],
])('gives the known answer for %s as the objects it stores are hashed', async (_what, bytes, expected) => {
  expect((await Crc64.start()).update(bytes).decimal()).toBe(expected);
});

it('gives the same value fed in pieces as in one piece', async () => {
  const running = await Crc64.start();
  for (let i = 0; i < pattern.length; i += 65_537) running.update(pattern.subarray(i, i + 65_537));
  expect(running.decimal()).toBe('3978899255525241857');
});

it.each([
  ['after "12345", "6789" gives the check value', Buffer.from('12345'), Buffer.from('6789')],
  ['after nothing (CRC 0), 1 MiB gives its own CRC', Buffer.alloc(0), pattern],
  ['after 1 MiB, 1 MiB more gives the CRC of both', pattern, pattern],
  ['after one byte, one zero byte gives the CRC of both', Buffer.from([0xff]), Buffer.from([0])],
])('continues from an earlier CRC as AppendObject accumulates it: %s', async (_what, first, second) => {
  expect((await Crc64.start(crc64(first))).update(second).decimal()).toBe(crc64(Buffer.concat([first, second])));
});
