// CRC-64 as OSS computes it for x-oss-hash-crc64ecma: the ECMA-182 polynomial, reflected, with the
// initial value and the final XOR all ones. That is the CRC-64/XZ model (Go's hash/crc64 with the
// ECMA table, which the Go SDKs use); its check value for "123456789" is 0x995DC9BBDF1939FA. The
// arithmetic is a library's; this module only names the model and writes the value as OSS does.
// Every byte the local OSS stores goes through hash-wasm's CRC-64 (WebAssembly, ~15x js-crc's
// ~45 MB/s, which held a 200 MB multipart upload to the speed of its two CRC passes). hash-wasm starts
// only from the model's own initial value, so a CRC that continues an earlier one (AppendObject) and
// the one-shot crc64() use js-crc, whose model takes any initial register: the two agree on every
// known answer in test/unit/local-oss-crc64.test.ts.

import { createCRC64, type IHasher } from 'hash-wasm';
import { createModel, type Crc } from 'js-crc';
import { crc_64_xz } from 'js-crc/models';

const ALL_ONES = (1n << 64n) - 1n;

/** The 64 bits of `x` in reverse order. */
function reflect64(x: bigint): bigint {
  let out = 0n;
  for (let i = 0n; i < 64n; i++) out = (out << 1n) | ((x >> i) & 1n);
  return out;
}

/** A 64-bit value as js-crc takes it: two 32-bit words, high first. */
const words = (x: bigint): number[] => [Number(x >> 32n), Number(x & 0xffffffffn)];

/**
 * A CRC-64/XZ whose register starts where the CRC of earlier bytes left it. The register after
 * bytes A is crc(A) XOR the final XOR; js-crc takes a reflected model's initial value unreflected,
 * so the register is reflected back. Feeding B then gives crc(A‖B) (tested against the CRC of the
 * whole in test/unit/local-oss-crc64.test.ts).
 */
function continuing(previous: bigint): Crc {
  return createModel({
    width: 64,
    poly: words(0x42f0e1eba9ea3693n),
    init: words(reflect64(previous ^ ALL_ONES)),
    refin: true,
    refout: true,
    xorout: words(ALL_ONES),
  }).create();
}

/** The ECMA-182 polynomial 0x42F0E1EBA9EA3693 bit-reversed, the form hash-wasm takes and the value of Go's crc64.ECMA. */
export const ECMA_182_REFLECTED = 'C96C5795D7870F42';

/** A running CRC-64 over the bytes given to `update`, in order. */
export class Crc64 {
  private constructor(private readonly engine: { update(bytes: Uint8Array): unknown; hex(): string }) {}

  /**
   * A CRC-64 of no bytes yet.
   * @param previous the CRC-64 (decimal, as OSS writes it) of bytes that came before, for a value
   *   that covers them and what follows (AppendObject's x-oss-hash-crc64ecma is the whole object's).
   */
  static async start(previous?: string): Promise<Crc64> {
    if (previous !== undefined) {
      const crc = continuing(BigInt(previous));
      return new Crc64({ update: (b) => crc.update(b), hex: () => crc.hex() });
    }
    const hasher: IHasher = await createCRC64(ECMA_182_REFLECTED);
    hasher.init();
    return new Crc64({ update: (b) => hasher.update(b), hex: () => hasher.digest('hex') });
  }

  update(bytes: Uint8Array): this {
    this.engine.update(bytes);
    return this;
  }

  /** The value as OSS sends it: the unsigned 64-bit integer in decimal, e.g. `11051210869376104954`. */
  decimal(): string {
    return BigInt(`0x${this.engine.hex()}`).toString();
  }
}

/** The CRC-64 of `bytes`, in OSS's decimal form. */
export function crc64(bytes: Uint8Array): string {
  return BigInt(`0x${crc_64_xz.create().update(bytes).hex()}`).toString();
}
