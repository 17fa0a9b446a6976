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

/** A CRC-64 fed the file's bytes in order. */
export interface Crc64Hasher {
  update(bytes: Uint8Array): void;
  /** The CRC-64 of every byte fed so far, in OSS's decimal form (e.g. `11051210869376104954`). */
  digest(): string;
}

/** A fresh CRC-64/XZ, as OSS computes x-oss-hash-crc64ecma. */
export async function crc64Hasher(): Promise<Crc64Hasher> {
  const crc = await createCRC64(ECMA_182_REFLECTED);
  crc.init();
  return {
    update: (bytes) => void crc.update(bytes),
    digest: () => BigInt(`0x${crc.digest('hex')}`).toString(),
  };
}

/** Bytes `start` (inclusive) to `end` (exclusive) of `file`; throws UploadError FileUnreadable when the Blob cannot be read (a file removed or changed on disk). */
export async function readSlice(file: Blob, start: number, end: number): Promise<Uint8Array> {
  try {
    return new Uint8Array(await file.slice(start, end).arrayBuffer());
  } catch (err) {
    throw fileUnreadableError(err);
  }
}

/**
 * The CRC-64 of `file`, in OSS's decimal form, read a slice at a time so an upload's progress events
 * keep flowing. Throws UploadError Cancelled when the signal fires, FileUnreadable when the Blob
 * cannot be read.
 */
export async function crc64OfBlob(file: Blob, signal?: AbortSignal): Promise<string> {
  const crc = await crc64Hasher();
  for (let at = 0; at < file.size; at += SLICE) {
    if (signal?.aborted) throw cancelledError();
    crc.update(await readSlice(file, at, at + SLICE));
  }
  return crc.digest();
}
