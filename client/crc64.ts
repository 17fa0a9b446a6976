// CRC-64 of a file as OSS computes x-oss-hash-crc64ecma: CRC-64/XZ (the ECMA-182 polynomial,
// reflected, initial value and final XOR all ones; check value 0x995DC9BBDF1939FA for "123456789").
// The arithmetic is js-crc's; loaded by dynamic import, only when an upload is checked.

import { createModel } from 'js-crc';
import { cancelledError, fileUnreadableError } from './errors';

/** A 64-bit constant as js-crc takes it: two 32-bit words, high first. */
const ALL_ONES = [0xffffffff, 0xffffffff];
const CRC_64_XZ = { width: 64, poly: [0x42f0e1eb, 0xa9ea3693], init: ALL_ONES, refin: true, refout: true, xorout: ALL_ONES };

/** Bytes read and hashed at a time: large enough to be fast, small enough to let the page breathe. */
const SLICE = 1024 * 1024;

/**
 * The CRC-64 of `file`, in OSS's decimal form (e.g. `11051210869376104954`), read a slice at a time
 * so an upload's progress events keep flowing. Throws UploadError Cancelled when the signal fires,
 * FileUnreadable when the Blob cannot be read.
 */
export async function crc64OfBlob(file: Blob, signal?: AbortSignal): Promise<string> {
  const crc = createModel(CRC_64_XZ).create();
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
  return BigInt(`0x${crc.hex()}`).toString();
}
