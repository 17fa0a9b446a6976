// One signed-in user's uploads and downloads: picks an upload path, reports progress, lists the
// user's files and signs download URLs.

import { ApiClient, type Access, type ApiOptions, type SignedRequest, type SingleSigner } from './api';
import { type ManyOptions, type ManyResult, uploadMany } from './batch';
import { memoryCheckpoints, type CheckpointStore } from './checkpoints';
import { CredentialProvider } from './credentials';
import { asUploadError, UploadError } from './errors';
import { checkStored, storedRecord } from './integrity';
import { deleteSigned, postForm, putSigned, type StoredAnswer } from './single-request';

// ali-oss (about 190 KB min+gzip) is loaded only by the paths that need it: multipart and listing.
const loadMultipart = () => import('./multipart');
const loadOssClient = () => import('./oss-client');

export type UploadMethod = 'post' | 'put' | 'multipart';

export interface UploadProgress {
  method: UploadMethod;
  /** Bytes of the file sent so far (estimated from the request's progress). */
  loaded: number;
  total: number;
  /** 0 … 1; 1 only once OSS has stored the file. */
  fraction: number;
}

export interface UploadOptions {
  /** Default: a PostObject form up to `multipartThreshold`, multipart above it. */
  method?: UploadMethod | 'auto';
  /** Default: the file's own type, else application/octet-stream. */
  contentType?: string;
  onProgress?: (progress: UploadProgress) => void;
  onResume?: (partsDone: number, partsTotal: number) => void;
  signal?: AbortSignal;
  partSize?: number;
  parallel?: number;
}

export interface UploadResult {
  key: string;
  method: UploadMethod;
  size: number;
  contentType: string;
  /** The upload callback's answer, relayed by OSS. */
  callback: unknown;
  resumedParts: number;
}

export interface StoredObject {
  key: string;
  /** The last segment of the key. */
  name: string;
  size: number;
  lastModified: string;
}

/** Where the routes live and who is calling (ApiOptions), plus how uploads are made. */
export type SessionOptions = ApiOptions & {
  /** Where multipart checkpoints are kept; default in memory (use webStorageCheckpoints() in a browser). */
  checkpoints?: CheckpointStore;
  /** Refresh STS credentials this long before they expire. */
  marginMs?: number;
  /** Bytes; 'auto' uploads larger files by multipart. */
  multipartThreshold?: number;
};

export type UploadFile = Blob & { readonly name?: string; readonly lastModified?: number };

export const DEFAULT_MULTIPART_THRESHOLD = 8 * 1024 * 1024;

export class UploadSession {
  readonly api: ApiClient;
  private readonly checkpoints: CheckpointStore;
  private readonly marginMs?: number;
  private readonly multipartThreshold: number;
  private readonly providers = new Map<Access, CredentialProvider>();

  constructor(options: SessionOptions) {
    this.api = new ApiClient(options);
    this.checkpoints = options.checkpoints ?? memoryCheckpoints();
    this.marginMs = options.marginMs;
    this.multipartThreshold = options.multipartThreshold ?? DEFAULT_MULTIPART_THRESHOLD;
  }

  /** The cached STS credentials for one access level. */
  credentials(access: Access): CredentialProvider {
    let provider = this.providers.get(access);
    if (!provider) {
      provider = new CredentialProvider({ fetch: () => this.api.token(access), marginMs: this.marginMs });
      this.providers.set(access, provider);
    }
    return provider;
  }

  /** The path 'auto' takes for this file. */
  methodFor(file: Blob): UploadMethod {
    return file.size > this.multipartThreshold ? 'multipart' : 'post';
  }

  /**
   * Upload `file` by `options.method` and resolve once OSS's record of the stored object (the callback
   * answer's size and CRC-64) equals the file. Throws UploadError: Cancelled (the signal fired; a
   * multipart upload is then aborted, never completed), SizeMismatch / ChecksumMismatch (the stored
   * object is not the file; it is deleted when the user may delete it), Unverified, or what the API
   * or OSS refused (client/README.md, "Errors").
   */
  upload(file: UploadFile, options: UploadOptions = {}): Promise<UploadResult> {
    return reported(this.uploadOnce(this.api, file, options));
  }

  /** Uploads several files, signed with one /sign request per 100; see uploadMany in ./batch. */
  uploadMany<F extends UploadFile>(files: readonly F[], options: ManyOptions<UploadResult, UploadProgress> = {}): Promise<ManyResult<UploadResult, F>[]> {
    return uploadMany(this, files, options);
  }

  /** upload(), its form or PUT signed by `signer` (uploadMany hands out its batch's plans); multipart asks /sign itself. */
  uploadSignedBy(signer: SingleSigner, file: UploadFile, options: UploadOptions = {}): Promise<UploadResult> {
    return reported(this.uploadOnce(signer, file, options));
  }

  private async uploadOnce(signer: SingleSigner, file: UploadFile, options: UploadOptions): Promise<UploadResult> {
    checkPartOptions(options);
    const method = options.method && options.method !== 'auto' ? options.method : this.methodFor(file);
    const contentType = options.contentType ?? (file.type || 'application/octet-stream');
    const filename = file.name ?? 'upload';
    const progress = (fraction: number) =>
      options.onProgress?.({ method, fraction, total: file.size, loaded: Math.round(file.size * fraction) });
    // Hashed while the bytes go out: from the first progress report, once /sign has accepted the
    // upload (a refused file is never read), so the check at the end rarely waits. Multipart hashes
    // the file itself, from the bytes it reads for the parts where it can.
    let fileCrc64: Promise<string> | undefined;
    const hashFile = () => (fileCrc64 ??= import('./crc64').then((m) => m.crc64OfBlob(file, options.signal)));
    const partial = (f: number) => progress(Math.min(f, 0.999));
    const common = {
      signal: options.signal,
      onProgress: (f: number) => {
        hashFile().catch(() => undefined); // reported by the check that awaits it
        partial(f);
      },
    };

    let key: string;
    let stored: StoredAnswer;
    let resumedParts = 0;
    if (method === 'post') {
      const form = await signer.sign({ op: 'post', filename, contentType, size: file.size });
      stored = await postForm(form, file, filename, common);
      key = form.key;
    } else if (method === 'put') {
      const signed = await signer.sign({ op: 'put', filename, contentType, size: file.size });
      stored = await putSigned(signed, file, common);
      key = signed.key;
    } else {
      const { multipartUpload } = await loadMultipart();
      const done = await multipartUpload(file, {
        signal: options.signal,
        onProgress: partial,
        filename,
        lastModified: file.lastModified ?? 0,
        api: this.api,
        credentials: this.credentials('upload'),
        checkpoints: this.checkpoints,
        contentType,
        partSize: options.partSize,
        parallel: options.parallel,
        onResume: options.onResume,
      });
      ({ key, resumedParts, fileCrc64 } = done);
      stored = done;
    }
    try {
      await checkStored(file, storedRecord(stored.callback, stored.crc64), hashFile);
    } catch (err) {
      // A stored object that is not the file must not stay behind looking whole.
      if (err instanceof UploadError && (err.code === 'SizeMismatch' || err.code === 'ChecksumMismatch')) await this.remove(key).catch(() => undefined);
      throw err;
    }
    progress(1);
    return { key, method, size: file.size, contentType, callback: stored.callback, resumedParts };
  }

  /**
   * Delete one of the user's objects: POST /sign {op: "delete"}, then the presigned DELETE. Succeeds
   * whether or not the object existed; throws UploadError (Denied for a key outside the user's prefix).
   */
  remove(key: string): Promise<void> {
    return reported(this.api.sign({ op: 'delete', key }).then(deleteSigned));
  }

  /** The user's objects (or those under a narrower prefix), through ListObjects with readwrite credentials. */
  list(prefix?: string): Promise<StoredObject[]> {
    return reported(this.listAll(prefix));
  }

  private async listAll(prefix?: string): Promise<StoredObject[]> {
    const provider = this.credentials('readwrite');
    const creds = await provider.get();
    const { ossClient, ossFailure } = await loadOssClient();
    const client = ossClient(provider, creds);
    const objects: StoredObject[] = [];
    let marker: string | undefined;
    try {
      for (;;) {
        // No empty `marker=`: ali-oss signs empty query values differently from OSS (V4).
        const page = await client.list({ prefix: prefix ?? creds.prefix, 'max-keys': 1000, ...(marker ? { marker } : {}) });
        for (const o of page.objects ?? []) {
          objects.push({ key: o.name, name: o.name.slice(o.name.lastIndexOf('/') + 1), size: Number(o.size), lastModified: o.lastModified });
        }
        if (!page.isTruncated || !page.nextMarker) return objects;
        marker = page.nextMarker;
      }
    } catch (err) {
      throw await ossFailure(err, creds);
    }
  }

  /** A presigned GET; with `filename` the browser saves it under that name instead of showing it. */
  downloadUrl(key: string, options: { filename?: string; expiresIn?: number } = {}): Promise<SignedRequest> {
    return reported(this.api.sign({ op: 'get', key, ...options }));
  }
}

/** Every failure leaves the library as an UploadError (anything unforeseen as Unexpected, the original as its cause). */
async function reported<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    throw asUploadError(err);
  }
}

/** OSS's smallest part (except the last), in bytes: OSS, UploadPart. */
const MIN_PART_SIZE = 100 * 1024;

function checkPartOptions({ partSize, parallel }: UploadOptions): void {
  if (partSize !== undefined && !(Number.isSafeInteger(partSize) && partSize >= MIN_PART_SIZE)) {
    throw new UploadError('Misconfigured', `The upload client is misconfigured: partSize must be a whole number of bytes, at least ${MIN_PART_SIZE}`);
  }
  if (parallel !== undefined && !(Number.isSafeInteger(parallel) && parallel >= 1)) {
    throw new UploadError('Misconfigured', 'The upload client is misconfigured: parallel must be a whole number, at least 1');
  }
}
