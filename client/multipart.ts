// Large uploads: STS credentials and ali-oss multipart, resumable after a reload or a dropped
// connection. The server still decides the key and checks type and size: the upload starts from
// POST /sign {op: "callback"}, whose key it uses and whose pinned callback (with the MAC that lets the
// callback answer with a download URL) is handed to CompleteMultipartUpload.

import type OSS from 'ali-oss';
import type { ApiClient, SignedCallback } from './api';
import { checkpointId, toSaved, type CheckpointStore, type SavedCheckpoint } from './checkpoints';
import { crc64OfBlob } from './crc64';
import type { CredentialProvider } from './credentials';
import { cancelledError, UploadError } from './errors';
import { ossClient, ossFailure } from './oss-client';
import { PartBytes, partRange } from './part-bytes';
import { parseCallbackAnswer } from './single-request';

export interface MultipartOptions {
  api: ApiClient;
  /** Credentials with upload access. */
  credentials: CredentialProvider;
  checkpoints: CheckpointStore;
  /** With lastModified and the size, what recognises the same file after a reload. */
  filename: string;
  lastModified: number;
  contentType: string;
  partSize?: number;
  parallel?: number;
  onProgress?: (fraction: number) => void;
  /** Called before any part is sent when an earlier attempt left parts on OSS. */
  onResume?: (partsDone: number, partsTotal: number) => void;
  signal?: AbortSignal;
}

export interface MultipartResult {
  key: string;
  callback: unknown;
  /** CompleteMultipartUpload's x-oss-hash-crc64ecma, when OSS sent one the client may read. */
  crc64?: string;
  /** Parts an earlier attempt had uploaded; 0 for a fresh upload. */
  resumedParts: number;
  /**
   * The file's CRC-64 (decimal), hashed while the parts went out: in Node from the bytes read for
   * the parts, in a browser (where ali-oss reads the parts itself) by a read of its own. Rejects
   * with UploadError FileUnreadable or Cancelled; nothing waits on it unless it is asked for.
   */
  fileCrc64: Promise<string>;
}

const MiB = 1024 * 1024;
/** OSS's limit on parts per upload. */
const MAX_PARTS = 10_000;
const MIN_PART = 2 * MiB;
const MAX_PART = 4 * MiB;
const PARALLEL = 4;

export interface MultipartPlan {
  /** Bytes per part (the last may be smaller). */
  partSize: number;
  /** Parts in flight at once. */
  parallel: number;
}

/**
 * How a file of `size` bytes is cut: 4 parts in flight, each about an eighth of the file (so every
 * connection has work until near the end) between 2 and 4 MiB, larger only when OSS's 10,000-part
 * limit asks. Chosen by measurement (BENCHMARKS.md, group "parts"): on links up to 100 Mbit/s with
 * 0–50 ms added, every size from 1 to 8 MiB with 2 to 6 in flight ran within a few per cent of the
 * others; on bare loopback 4 and 8 MiB × 4 were fastest. 4 MiB keeps what an interruption loses (the
 * parts in flight) at 16 MiB, and lets each part finish within ali-oss's 60 s request timeout on a
 * link down to about 2.2 Mbit/s while it shares the link with the other three.
 */
export function multipartPlan(size: number): MultipartPlan {
  const eighth = Math.ceil(size / 8 / MiB) * MiB;
  return { partSize: Math.max(Math.min(Math.max(eighth, MIN_PART), MAX_PART), Math.ceil(size / MAX_PARTS)), parallel: PARALLEL };
}

/**
 * Upload `file` in parts with the user's STS credentials: POST /sign {op: "callback"} for the key
 * and the pinned callback, InitiateMultipartUpload (or the saved upload of an earlier attempt),
 * UploadPart for each missing part, CompleteMultipartUpload with the callback. The signal is checked
 * before every part and before the completion, and a part in flight is not waited for: a cancelled
 * upload never completes, and its parts are released with AbortMultipartUpload. Throws UploadError
 * (Cancelled, or what OSS or the API answered).
 */
export async function multipartUpload(file: Blob, options: MultipartOptions): Promise<MultipartResult> {
  const creds = await options.credentials.get();
  const id = checkpointId(`${creds.bucket}/${creds.prefix}`, { name: options.filename, size: file.size, lastModified: options.lastModified });
  const saved = options.checkpoints.get(id);
  try {
    return await attempt(file, id, saved, options);
  } catch (err) {
    // The upload id is gone (aborted or expired on OSS): start again from the first part.
    if (saved && isUploadGone(err)) {
      options.checkpoints.delete(id);
      return attempt(file, id, undefined, options);
    }
    throw isUploadGone(err) ? await ossFailure(err, creds) : err;
  }
}

async function attempt(file: Blob, id: string, saved: SavedCheckpoint | undefined, options: MultipartOptions): Promise<MultipartResult> {
  const { api, checkpoints, contentType, signal } = options;
  throwIfCancelled(signal);
  const plan = await api.sign({ op: 'callback', key: saved?.name, filename: options.filename, contentType, size: file.size });
  throwIfCancelled(signal);
  const client = ossClient(options.credentials, await options.credentials.get());
  const cut = multipartPlan(file.size);
  const partSize = saved?.partSize ?? options.partSize ?? cut.partSize;
  const parts = Math.max(1, Math.ceil(file.size / partSize));
  let uploadId = saved?.uploadId;
  const done = new Set(saved?.doneParts.map((p) => p.number));
  const queue = Array.from({ length: parts }, (_, i) => i + 1).filter((n) => !done.has(n));
  const bytes = inNode() ? new PartBytes(file, partSize, new Set(queue), signal) : undefined;
  let fileCrc64 = bytes?.crc64;
  try {
    if (!uploadId) {
      // The plan's headers (x-oss-meta-filename, x-oss-forbid-overwrite) go on the initiation and the completion, as ali-oss's multipartUpload sends them.
      uploadId = (await untilCancelled(client.initMultipartUpload(plan.key, { mime: contentType, headers: plan.headers }), signal)).uploadId;
    }
    const checkpoint: SavedCheckpoint = { name: plan.key, fileSize: file.size, partSize, uploadId, doneParts: saved ? [...saved.doneParts] : [] };
    checkpoints.set(id, toSaved(checkpoint));
    if (saved) options.onResume?.(saved.doneParts.length, parts);
    const report = () => options.onProgress?.(checkpoint.doneParts.length / (parts + 1));
    report();
    fileCrc64 ??= crc64OfBlob(file, signal);
    fileCrc64.catch(() => undefined); // awaited only when OSS reports a CRC-64 to compare with

    const worker = async () => {
      for (let number = queue.shift(); number !== undefined; number = queue.shift()) {
        throwIfCancelled(signal);
        // ali-oss's Node build sends bytes [start, end) of a Buffer, its browser build of a File.
        const { body, start, end } = bytes ? asBuffer(await bytes.read(number)) : { body: file, ...partRange(number, partSize, file.size) };
        throwIfCancelled(signal);
        // No Content-MD5: ali-oss's browser build would hash each part in JavaScript before sending
        // it (its own multipartUpload turns that off too). What OSS stored is checked whole, by size
        // and CRC-64, once the upload completes (integrity.ts).
        const { etag } = await untilCancelled(client.uploadPart(plan.key, uploadId!, number, body, start, end, { disabledMD5: true }), signal);
        bytes?.sent(number);
        throwIfCancelled(signal);
        checkpoint.doneParts.push({ number, etag });
        checkpoints.set(id, toSaved(checkpoint));
        report();
      }
    };
    await Promise.all(Array.from({ length: Math.min(options.parallel ?? cut.parallel, Math.max(queue.length, 1)) }, worker));

    throwIfCancelled(signal);
    const result = await client.completeMultipartUpload(plan.key, uploadId, checkpoint.doneParts, { callback: callbackOf(plan), headers: plan.headers });
    checkpoints.delete(id);
    return {
      key: plan.key,
      callback: parseCallbackAnswer(result.data),
      crc64: result.res.headers['x-oss-hash-crc64ecma'],
      resumedParts: saved?.doneParts.length ?? 0,
      fileCrc64,
    };
  } catch (err) {
    // The attempt has failed: parts in flight finish, but no worker starts another.
    queue.length = 0;
    bytes?.stop(err);
    if (signal?.aborted) {
      // Cancelled on purpose: release the parts on OSS rather than keep them for a resume.
      checkpoints.delete(id);
      if (uploadId) await client.abortMultipartUpload(plan.key, uploadId).catch(() => undefined);
      throw cancelledError();
    }
    if (isUploadGone(err)) throw err;
    throw await ossFailure(err, await options.credentials.get());
  }
}

function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw cancelledError();
}

/** `work`, or Cancelled as soon as the signal fires (ali-oss cannot stop a request in flight; its answer is then ignored). */
function untilCancelled<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(cancelledError());
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

// OSS no longer knows the upload id (aborted, or expired by a lifecycle rule).
function isUploadGone(err: unknown): boolean {
  return (err as { code?: string } | null)?.code === 'NoSuchUpload';
}

/** The callback the server pinned for this key, as ali-oss sends it on CompleteMultipartUpload. */
export function callbackOf(plan: SignedCallback): OSS.CallbackOptions | undefined {
  const p = plan.callbackParams;
  if (!p) return undefined;
  if (typeof p.callbackUrl !== 'string' || typeof p.callbackBody !== 'string') {
    throw new UploadError('Server', 'The signed plan carried a callback without callbackUrl or callbackBody');
  }
  // OSS names the callback's host in TLS only when asked (callbackSNI); the server asks for every HTTPS URL.
  return { url: p.callbackUrl, body: p.callbackBody, contentType: p.callbackBodyType, ...(p.callbackSNI ? { callbackSNI: true } : {}) };
}

// The browser build of ali-oss slices File/Blob objects; the Node build wants a Buffer, a stream or a path.
function inNode(): boolean {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string';
}

/** A part's bytes as ali-oss's Node build takes them: the whole of a Buffer over the same memory. */
function asBuffer(bytes: Uint8Array): { body: Buffer; start: number; end: number } {
  return { body: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), start: 0, end: bytes.byteLength };
}
