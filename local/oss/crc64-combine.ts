// The CRC-64 of bytes joined end to end, from each piece's CRC-64 and length, without the bytes:
// what OSS returns as a multipart object's x-oss-hash-crc64ecma at CompleteMultipartUpload, made
// from its parts' values (the OSS SDKs combine part CRCs the same way to check it).
//
// Hand-written because no maintained npm package combines CRC-64/XZ values: js-crc and hash-wasm
// (which compute them here) have no combine; tos-crc64-js has one, but it is a single 0.0.1 release
// of a 1.1 MB asm.js build with an install script. The method is zlib's crc32_combine (crc32.c,
// multmodp and x2nmodp) at 64 bits: appending n bytes multiplies a CRC by x^(8n) modulo the
// polynomial, and with the initial value and the final XOR both all ones their effects cancel, so
// crc(A‖B) = crc(A)·x^(8·|B|) mod P XOR crc(B). Polynomials are in reflected form, as the CRC
// register holds them: the top bit is x^0. Tested against the CRC of the joined bytes and Go's
// hash/crc64 in test/unit/local-oss-crc64-combine.test.ts.

import { ECMA_182_REFLECTED } from './crc64';

/** A 64-bit polynomial in reflected form as two unsigned 32-bit halves, high first (BigInt
 * arithmetic was 15 times slower: 2 s for 10,000 parts of different sizes). */
type Poly = [number, number];

/** The ECMA-182 polynomial, bit-reversed (crc64.ts), as two 32-bit halves. */
const POLY_HI = parseInt(ECMA_182_REFLECTED.slice(0, 8), 16);
const POLY_LO = parseInt(ECMA_182_REFLECTED.slice(8), 16);
/** 1, that is x^0, in reflected form. */
const ONE: Poly = [0x80000000, 0];

/** a·b modulo the polynomial. */
function multModP([aHi, aLo]: Poly, [bHi, bLo]: Poly): Poly {
  let hi = 0;
  let lo = 0;
  for (let i = 0; i < 64; i++) {
    const bit = i < 32 ? (aHi >>> (31 - i)) & 1 : (aLo >>> (63 - i)) & 1;
    if (bit) {
      hi ^= bHi;
      lo ^= bLo;
    }
    const carry = bLo & 1;
    bLo = (bLo >>> 1) | ((bHi & 1) << 31);
    bHi >>>= 1;
    if (carry) {
      bHi ^= POLY_HI;
      bLo ^= POLY_LO;
    }
  }
  return [hi >>> 0, lo >>> 0];
}

/** X2N[k] = x^(2^k) mod P; k reaches 3 + 53 for a length up to 2^53 bytes. */
const X2N: Poly[] = [];
for (let k = 0, p: Poly = [0x40000000, 0]; k < 64; k++, p = multModP(p, p)) X2N.push(p);

/** x^(8n) mod P: the factor that shifts a CRC past `n` bytes. */
function shiftPast(n: number): Poly {
  let p = ONE;
  for (let k = 3; n > 0; n = Math.floor(n / 2), k++) if (n % 2 === 1) p = multModP(X2N[k], p);
  return p;
}

/** A piece of a whole: its CRC-64 (decimal, as OSS writes x-oss-hash-crc64ecma) and its length in bytes. */
export interface Crc64Piece {
  crc64: string;
  size: number;
}

/**
 * The CRC-64 (CRC-64/XZ, decimal as OSS writes it) of the pieces' bytes joined in order: `0`, the
 * CRC of nothing, for no pieces. Empty pieces change nothing. Sizes are whole numbers of bytes up to
 * 2^53 - 1; throws a TypeError for a CRC that is not an unsigned 64-bit decimal or a size that is not
 * such a number.
 */
export function combineCrc64(pieces: readonly Crc64Piece[]): string {
  // Parts share a few sizes (all but the last are usually equal): each shift is computed once.
  const shifts = new Map<number, Poly>();
  let crc: Poly = [0, 0];
  for (const { crc64, size } of pieces) {
    const value = /^\d{1,20}$/.test(crc64) ? BigInt(crc64) : -1n;
    if (value < 0n || value >= 1n << 64n) throw new TypeError(`not a CRC-64: ${crc64}`);
    if (!Number.isSafeInteger(size) || size < 0) throw new TypeError(`not a length in bytes: ${size}`);
    let shift = shifts.get(size);
    if (shift === undefined) shifts.set(size, (shift = shiftPast(size)));
    const [hi, lo] = multModP(shift, crc);
    crc = [(hi ^ Number(value >> 32n)) >>> 0, (lo ^ Number(value & 0xffffffffn)) >>> 0];
  }
  return ((BigInt(crc[0]) << 32n) | BigInt(crc[1])).toString();
}
