// CRC-64 of a file as OSS computes x-oss-hash-crc64ecma: CRC-64/XZ (the ECMA-182 polynomial,
// reflected, initial value and final XOR all ones; check value 0x995DC9BBDF1939FA for "123456789").
// The arithmetic is hash-wasm's (WebAssembly, as the local OSS uses it: about 15 times js-crc's
// speed, so hashing keeps up with the upload); loaded by dynamic import, only when an upload starts.

import { createCRC64 } from 'hash-wasm';
import { cancelledError, fileUnreadableError } from './errors';

/** The ECMA-182 polynomial 0x42F0E1EBA9EA3693 bit-reversed, the form hash-wasm takes (Go's crc64.ECMA). */
const ECMA_182_REFLECTED = 'C96C5795D7870F42';

/** Bytes read and hashed at a time: large enough to be fast, small enough to let the page breathe. */
const SLICE = 4 * 1024 * 1024;

/**
 * The CRC-64 of `file`, in OSS's decimal form (e.g. `11051210869376104954`), read a slice at a time
 * so an upload's progress events keep flowing. Throws UploadError Cancelled when the signal fires,
 * FileUnreadable when the Blob cannot be read.
 */
export async function crc64OfBlob(file: Blob, signal?: AbortSignal): Promise<string> {
  const crc = await createCRC64(ECMA_182_REFLECTED);
  crc.init();
  for (let at = 0; at < file.size; at += SLICE) {
    if (signal?.aborted) throw cancelledError();
    let slice: ArrayBuffer;
    try {
      slice = await file.slice(at, at + SLICE).arrayBuffer();
    } catch (err) {
      throw fileUnreadableError(err);
    }
    crc.update(new Uint8Array(slice));
  }
  return BigInt(`0x${crc.digest('hex')}`).toString();
}
