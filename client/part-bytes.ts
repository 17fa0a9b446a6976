// A multipart upload's parts as Node sends them. ali-oss's Node build takes a Buffer (its browser
// build slices the File itself), and the client used to read the whole Blob into one Buffer for it
// before the first part: the first part waited for the read, and a 200 MB file made 200 MB of
// external memory that drove the garbage collector (BENCHMARKS.md, "200 MB multipart"). Here each
// part's slice is read when its turn comes and the same bytes are hashed, in file order, for the
// CRC-64 check: every byte is read once, and only the parts in flight are in memory.

import { crc64Hasher, readSlice } from './crc64';
import { cancelledError } from './errors';

/** Bytes [start, end) of part `number` (from 1) of a `size`-byte file cut into `partSize`-byte parts. */
export function partRange(number: number, partSize: number, size: number): { start: number; end: number } {
  const start = (number - 1) * partSize;
  return { start, end: Math.min(start + partSize, size) };
}

interface Slot {
  bytes: Promise<Uint8Array>;
  resolve(bytes: Uint8Array): void;
  reject(reason: unknown): void;
}

function slot(): Slot {
  let resolve!: (bytes: Uint8Array) => void;
  let reject!: (reason: unknown) => void;
  const bytes = new Promise<Uint8Array>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  bytes.catch(() => undefined); // a part whose turn to be hashed never comes (the upload stopped)
  return { bytes, resolve, reject };
}

/**
 * The parts of `file` cut into `partSize`-byte parts, read once each: `read(n)` for a part being
 * sent, and the file's CRC-64 from those same bytes, with the parts not sent (uploaded by an earlier
 * attempt) read for the hash alone. The CRC-64 covers what was read for sending, so it checks what
 * OSS stored against those bytes; that the parts are the right slices of the file is the tests' job
 * (test/unit/client-node-multipart.test.ts compares what OSS stored with the file).
 */
export class PartBytes {
  /**
   * The file's CRC-64 in OSS's decimal form, once every part has been read. Rejects with what
   * `stop` was given, Cancelled when the signal fires, or FileUnreadable.
   */
  readonly crc64: Promise<string>;
  private readonly slots = new Map<number, Slot>();
  private stopped: { reason: unknown } | undefined;

  /** `toSend`: the part numbers `read` will be asked for, in any order; the hash takes the others from the file. */
  constructor(
    private readonly file: Blob,
    private readonly partSize: number,
    toSend: ReadonlySet<number>,
    signal?: AbortSignal,
  ) {
    this.crc64 = this.hash(toSend, signal);
    this.crc64.catch(() => undefined); // awaited only when OSS reports a CRC-64 to compare with
  }

  /** Part `number`'s bytes; they are hashed when every part before them has been. Throws UploadError FileUnreadable. */
  async read(number: number): Promise<Uint8Array> {
    const { start, end } = partRange(number, this.partSize, this.file.size);
    const turn = this.slot(number);
    try {
      const bytes = await readSlice(this.file, start, end);
      turn.resolve(bytes);
      return bytes;
    } catch (err) {
      turn.reject(err);
      throw err;
    }
  }

  /** The upload ended without completing: the hash stops and releases the parts it holds. */
  stop(reason: unknown): void {
    this.stopped = { reason };
    for (const s of this.slots.values()) s.reject(reason);
    this.slots.clear();
  }

  private slot(number: number): Slot {
    let s = this.slots.get(number);
    if (!s) {
      s = slot();
      if (this.stopped) s.reject(this.stopped.reason);
      else this.slots.set(number, s);
    }
    return s;
  }

  private async hash(toSend: ReadonlySet<number>, signal: AbortSignal | undefined): Promise<string> {
    const crc = await crc64Hasher();
    const parts = Math.max(1, Math.ceil(this.file.size / this.partSize));
    for (let number = 1; number <= parts; number++) {
      if (signal?.aborted) throw cancelledError();
      if (this.stopped) throw this.stopped.reason;
      let bytes: Uint8Array;
      if (toSend.has(number)) {
        bytes = await this.slot(number).bytes;
        this.slots.delete(number);
      } else {
        const { start, end } = partRange(number, this.partSize, this.file.size);
        bytes = await readSlice(this.file, start, end);
      }
      crc.update(bytes);
    }
    return crc.digest();
  }
}
