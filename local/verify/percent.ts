// RFC 3986 percent-encoding as OSS V4 and STS's POP signature define it: the UTF-8 bytes of the
// text, each unreserved byte (A-Z a-z 0-9 - . _ ~) kept, every other byte written %XX with
// upper-case hex. Worked byte by byte from that definition.

const HEX = '0123456789ABCDEF';

function isUnreserved(b: number): boolean {
  return (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || (b >= 0x30 && b <= 0x39) || b === 0x2d || b === 0x2e || b === 0x5f || b === 0x7e;
}

/** Every byte but the unreserved ones encoded; with `keepSlash`, `/` stays too (URI paths). */
export function percentEncode(text: string, keepSlash = false): string {
  let out = '';
  for (const b of Buffer.from(text, 'utf8')) {
    out += isUnreserved(b) || (keepSlash && b === 0x2f) ? String.fromCharCode(b) : `%${HEX[b >> 4]}${HEX[b & 0xf]}`;
  }
  return out;
}

/** Ascending by UTF-16 code unit, which for the ASCII strings compared here is byte order. */
export function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
