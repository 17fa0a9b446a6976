// Large uploads: STS credentials and ali-oss multipart, resumable after a reload or a dropped
// connection. The server still decides the key and checks type and size: the upload starts from
// POST /sign {op: "callback"}, whose key it uses and whose pinned callback (with the MAC that lets the
// callback answer with a download URL) is handed to CompleteMultipartUpload.

import type OSS from 'ali-oss';
import type { ApiClient, SignedCallback } from './api';
import { checkpointId, toSaved, type CheckpointStore, type SavedCheckpoint } from './checkpoints';
import type { CredentialProvider } from './credentials';
import { cancelledError, errorFromAliOss, UploadError } from './errors';
import { ossClient } from './oss-client';
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
  /** Parts an earlier attempt had uploaded; 0 for a fresh upload. */
  resumedParts: number;
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
    throw err;
  }
}

async function attempt(file: Blob, id: string, saved: SavedCheckpoint | undefined, options: MultipartOptions): Promise<MultipartResult> {
  const { api, checkpoints, contentType, signal } = options;
  if (signal?.aborted) throw cancelledError();
  const plan = await api.sign({ op: 'callback', key: saved?.name, filename: options.filename, contentType, size: file.size });
  const client = ossClient(options.credentials, await options.credentials.get());
  let uploadId = saved?.uploadId;
  const onAbort = () => client.cancel();
  signal?.addEventListener('abort', onAbort);
  if (saved) options.onResume?.(saved.doneParts.length, Math.ceil(saved.fileSize / saved.partSize));
  const body = await uploadable(file);
  const cut = multipartPlan(file.size);
  try {
    const result = await client.multipartUpload(plan.key, body, {
      mime: contentType,
      partSize: options.partSize ?? cut.partSize,
      parallel: options.parallel ?? cut.parallel,
      headers: plan.headers,
      callback: callbackOf(plan),
      checkpoint: saved && { ...saved, doneParts: [...saved.doneParts], file: body },
      progress: (fraction, checkpoint) => {
        if (checkpoint) {
          uploadId = checkpoint.uploadId;
          checkpoints.set(id, toSaved(checkpoint));
        }
        options.onProgress?.(fraction);
      },
    });
    checkpoints.delete(id);
    return { key: plan.key, callback: parseCallbackAnswer(result.data), resumedParts: saved?.doneParts.length ?? 0 };
  } catch (err) {
    if (signal?.aborted) {
      // Cancelled on purpose: release the parts on OSS rather than keep them for a resume.
      checkpoints.delete(id);
      if (uploadId) await client.abortMultipartUpload(plan.key, uploadId).catch(() => undefined);
      throw cancelledError();
    }
    if (isUploadGone(err)) throw err;
    throw errorFromAliOss(err);
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

// ali-oss turns a 404 on UploadPart (NoSuchUpload) into `{name: 'abort'}`.
function isUploadGone(err: unknown): boolean {
  const e = err as { name?: string; code?: string } | null;
  return e?.name === 'abort' || e?.code === 'NoSuchUpload';
}

/** The callback the server pinned for this key, as ali-oss sends it on CompleteMultipartUpload. */
export function callbackOf(plan: SignedCallback): OSS.CallbackOptions | undefined {
  const p = plan.callbackParams;
  if (!p) return undefined;
  if (typeof p.callbackUrl !== 'string' || typeof p.callbackBody !== 'string') {
    throw new UploadError('Server', 'The signed plan carried a callback without callbackUrl or callbackBody');
  }
  return { url: p.callbackUrl, body: p.callbackBody, contentType: p.callbackBodyType };
}

// The browser build of ali-oss slices File/Blob objects; the Node build wants a Buffer or a path.
async function uploadable(file: Blob): Promise<unknown> {
  const inNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';
  return inNode ? Buffer.from(await file.arrayBuffer()) : file;
}
