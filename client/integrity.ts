// Whether what OSS stored is the file: the size and CRC-64 OSS reported (the callback answer carries
// both, from the HeadObject the callback makes; without a callback, the CRC-64 OSS sent with its
// answer) compared with the file's own. An upload resolves only when they are equal.

import { UploadError } from './errors';

/** What OSS reported storing; either may be missing. */
export interface StoredRecord {
  /** Bytes. */
  size?: number;
  /** Decimal, as x-oss-hash-crc64ecma. */
  crc64?: string;
}

/** The record in a callback answer (`size`, `crc64`), else the CRC-64 header of OSS's own answer. */
export function storedRecord(answer: unknown, crc64Header: string | undefined): StoredRecord {
  const a = (answer && typeof answer === 'object' ? answer : {}) as { size?: unknown; crc64?: unknown };
  const size = typeof a.size === 'number' ? a.size : undefined;
  const crc64 = typeof a.crc64 === 'string' && /^\d{1,20}$/.test(a.crc64) ? a.crc64 : crc64Header && /^\d{1,20}$/.test(crc64Header) ? crc64Header : undefined;
  return { size, crc64 };
}

/**
 * Throws UploadError `SizeMismatch` or `ChecksumMismatch` when the record differs from the file, and
 * `Unverified` when OSS reported neither (nothing shows the stored object is whole). `fileCrc64` is
 * asked only when the record carries a CRC-64.
 */
export async function checkStored(file: Blob, record: StoredRecord, fileCrc64: () => Promise<string>): Promise<void> {
  if (record.size === undefined && record.crc64 === undefined) {
    throw new UploadError('Unverified', 'The upload could not be checked: OSS reported neither the size nor the checksum of what it stored');
  }
  if (record.size !== undefined && record.size !== file.size) {
    throw new UploadError('SizeMismatch', `The upload is incomplete: OSS stored ${record.size} bytes of a ${file.size}-byte file`);
  }
  if (record.crc64 !== undefined) {
    const own = await fileCrc64();
    if (own !== record.crc64) {
      throw new UploadError('ChecksumMismatch', `The upload is damaged: the stored file's CRC-64 (${record.crc64}) differs from the file's (${own})`);
    }
  }
}
