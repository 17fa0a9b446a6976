// A multipart upload's parts as Node sends them. ali-oss's Node build takes a Buffer (its browser
// build slices the File itself). The client used to read the whole Blob into one Buffer for it
// before the first part: the first part waited for the read, and a 200 MB file made 200 MB of
// memory outside the JavaScript heap. Reading each part into a new buffer instead is no better:
// the buffers live as long as their part is in flight, outlast two young-generation collections,
// and are freed only by full collections, which V8 then runs every few parts (profiled: 17 full
// collections in one 200 MB upload against 5, BENCHMARKS.md "200 MB multipart"). So each part is
// copied into one of a few buffers that are used again once their part is on OSS and hashed: the
// copies' sources die young, and nothing the upload keeps grows. The same bytes are hashed, in file
// order, for the CRC-64 check, so every byte is read once.

import { crc64Hasher, readSlice } from './crc64';
import { cancelledError, fileUnreadableError } from './errors';

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

/** `blob`'s bytes copied into the start of `buffer` (at least blob.size long); the filled part. Throws UploadError FileUnreadable. */
async function fill(buffer: Uint8Array, blob: Blob): Promise<Uint8Array> {
  const reader = blob.stream().getReader();
  let at = 0;
  try {
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      buffer.set(r.value, at);
      at += r.value.byteLength;
    }
  } catch (err) {
    throw fileUnreadableError(err);
  }
  return buffer.subarray(0, at);
}

/** A buffer holding a part, and what must happen before it may hold another. */
interface Held {
  buffer: Uint8Array;
  sent: boolean;
  hashed: boolean;
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
  private readonly held = new Map<number, Held>();
  private readonly free: Uint8Array[] = [];
  private stopped: { reason: unknown } | undefined;

  /** `toSend`: the part numbers `read` will be asked for, each once, in any order; the hash takes the others from the file. */
  constructor(
    private readonly file: Blob,
    private readonly partSize: number,
    toSend: ReadonlySet<number>,
    signal?: AbortSignal,
  ) {
    this.crc64 = this.hash(toSend, signal);
    this.crc64.catch(() => undefined); // awaited only when OSS reports a CRC-64 to compare with
  }

  /**
   * Part `number`'s bytes, valid until `sent(number)`; they are hashed when every part before them
   * has been. Throws UploadError FileUnreadable, or what `stop` was given.
   */
  async read(number: number): Promise<Uint8Array> {
    this.throwIfStopped();
    const { start, end } = partRange(number, this.partSize, this.file.size);
    const turn = this.slot(number);
    const buffer = this.free.pop() ?? new Uint8Array(this.partSize);
    try {
      const bytes = await fill(buffer, this.file.slice(start, end));
      this.throwIfStopped();
      this.held.set(number, { buffer, sent: false, hashed: false });
      turn.resolve(bytes);
      return bytes;
    } catch (err) {
      this.free.push(buffer);
      turn.reject(err);
      throw err;
    }
  }

  /** Part `number` is on OSS: once hashed, its buffer may hold another part. */
  sent(number: number): void {
    this.release(number, 'sent');
  }

  /** The upload ended without completing: the hash stops and releases the parts it holds; `read` throws `reason` from now on. */
  stop(reason: unknown): void {
    this.stopped = { reason };
    for (const s of this.slots.values()) s.reject(reason);
    this.slots.clear();
    this.held.clear();
    this.free.length = 0;
  }

  private throwIfStopped(): void {
    if (this.stopped) throw this.stopped.reason;
  }

  private release(number: number, what: 'sent' | 'hashed'): void {
    const h = this.held.get(number);
    if (!h) return;
    h[what] = true;
    if (h.sent && h.hashed) {
      this.held.delete(number);
      this.free.push(h.buffer);
    }
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
      this.throwIfStopped();
      if (toSend.has(number)) {
        crc.update(await this.slot(number).bytes);
        this.slots.delete(number);
        this.release(number, 'hashed');
      } else {
        const { start, end } = partRange(number, this.partSize, this.file.size);
        crc.update(await readSlice(this.file, start, end));
      }
    }
    return crc.digest();
  }
}
