// CRC-64 as OSS computes it for x-oss-hash-crc64ecma: the ECMA-182 polynomial, reflected, with the
// initial value and the final XOR all ones. That is the CRC-64/XZ model (Go's hash/crc64 with the
// ECMA table, which the Go SDKs use); its check value for "123456789" is 0x995DC9BBDF1939FA. The
// arithmetic is js-crc's; this module only names the model and writes the value as OSS does.

import { crc_64_xz } from 'js-crc/models';

/** A running CRC-64 over the bytes given to `update`, in order. */
export class Crc64 {
  private readonly crc = crc_64_xz.create();

  update(bytes: Uint8Array): this {
    this.crc.update(bytes);
    return this;
  }

  /** The value as OSS sends it: the unsigned 64-bit integer in decimal, e.g. `11051210869376104954`. */
  decimal(): string {
    return BigInt(`0x${this.crc.hex()}`).toString();
  }
}

/** The CRC-64 of `bytes`, in OSS's decimal form. */
export function crc64(bytes: Uint8Array): string {
  return new Crc64().update(bytes).decimal();
}
