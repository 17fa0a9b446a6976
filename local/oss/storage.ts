// Objects on disk, streamed in and out, never whole in memory. Each object is a data file plus a JSON
// sidecar naming it; a write lands in a temporary file and becomes visible when its sidecar is
// renamed into place, so readers see the old object or the new one, never half of one. A multipart
// object's data is a folder of its parts (hard links to the uploaded part files, so completing an
// upload moves no bytes), read one after another. Data is never changed once stored, and data
// being read is removed only when its last reader closes.

import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, linkSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { copyFile } from 'node:fs/promises';
import type { StorageClass } from '../../shared/policy/upload-checks';
import type { ObjectAcl } from './acl';
import { Crc64 } from './crc64';
import { OssError } from './errors';
import { compareKeys } from './paging';
import { ossIsoTime } from './time';

/** OSS's limit for one PutObject / PostObject / part. */
export const MAX_OBJECT_SIZE = 5 * 1024 ** 3;

export interface ObjectMeta {
  key: string;
  size: number;
  /** Upper-case hex MD5, or `<hex>-<parts>` for multipart objects; unquoted. */
  etag: string;
  contentType: string;
  /** Base64 MD5 of the content (not for multipart objects). */
  contentMd5?: string;
  /** CRC-64 of the content, decimal (x-oss-hash-crc64ecma); absent in objects stored before it was kept. */
  crc64?: string;
  lastModified: string;
  /** Stored response headers: cache-control, content-disposition, content-encoding, expires… */
  headers: Record<string, string>;
  /** x-oss-meta-* headers, names lower-cased. */
  userMeta: Record<string, string>;
  /** How it was made; absent in objects stored before it was kept (then Normal or Multipart, by the ETag). */
  type?: ObjectType;
  /** x-oss-object-acl as set; absent means `default` (the bucket's ACL). */
  acl?: ObjectAcl;
  /** x-oss-storage-class as set; absent means the bucket's class, Standard here. */
  storageClass?: StorageClass;
  /** x-oss-tagging, decoded, in the order given. */
  tags?: [string, string][];
  /** A symlink's target key (decoded); its own data is empty. */
  symlinkTarget?: string;
  /** Data file name, beside the sidecar; a folder when `extents` is set. */
  data: string;
  /** A multipart object's parts in order, bytes each: `data` is a folder of files `0`, `1`, …; absent for one data file. */
  extents?: number[];
}

/** x-oss-object-type: what made the object (PutObject/PostObject/CopyObject, multipart, AppendObject, PutSymlink). */
export type ObjectType = 'Normal' | 'Multipart' | 'Appendable' | 'Symlink';

export function objectType(meta: ObjectMeta): ObjectType {
  return meta.type ?? (meta.etag.includes('-') ? 'Multipart' : 'Normal');
}

/**
 * Decides whether a commit may replace what is there (undefined: nothing); throws the OssError that
 * refuses it. Runs synchronously with the rename, so no other request of this process slips in.
 */
export type Admission = (previous: ObjectMeta | undefined) => void;

/** A body received (or assembled) into a temporary file, with what OSS computes over it. */
export interface Staged {
  /** A file, or with `extents` a folder of files `0`, `1`, … holding the bytes in that order. */
  path: string;
  /** Bytes. */
  size: number;
  /** Upper-case hex, unquoted. */
  etag: string;
  /** Base64 MD5; absent for an assembled multipart object. */
  contentMd5?: string;
  /** CRC-64 (ECMA-182, as OSS), decimal. */
  crc64: string;
  /** Bytes of each file in the folder `path`, in order; absent when `path` is one file. */
  extents?: number[];
}

/** What an upload sets on the object; the content's own facts (size, ETag, MD5, CRC-64, layout) come from the staged body. */
export type WrittenMeta = Omit<ObjectMeta, 'key' | 'data' | 'lastModified' | 'size' | 'etag' | 'contentMd5' | 'crc64' | 'extents'>;

export interface ReceiveOptions {
  /** Bytes. */
  maxSize?: number;
  /** When set, the body must be exactly this long (bytes). */
  expectedSize?: number;
  /** The CRC-64 (decimal) of bytes that come before the body: the staged CRC-64 then covers both. */
  crc64After?: string;
}

const entityTooLarge = (max: number) => new OssError(400, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size.', { MaxSizeAllowed: String(max) });

export class DiskStore {
  private readonly buckets: Set<string>;
  /** Streams open on each data entry (`bucket/name`), and the entries to remove when their last one closes. */
  private readonly readers = new Map<string, number>();
  private readonly unwanted = new Set<string>();

  constructor(
    private readonly dataDir: string,
    buckets: string[],
  ) {
    for (const b of buckets) for (const d of ['objects', 'tmp', 'uploads']) mkdirSync(join(dataDir, b, d), { recursive: true });
    this.buckets = new Set(buckets);
  }

  hasBucket(bucket: string): boolean {
    return this.buckets.has(bucket);
  }

  bucketDir(bucket: string, sub: 'objects' | 'tmp' | 'uploads'): string {
    return join(this.dataDir, bucket, sub);
  }

  tempPath(bucket: string): string {
    return join(this.bucketDir(bucket, 'tmp'), `${Date.now()}-${randomBytes(8).toString('hex')}`);
  }

  /** Stream a body into a temporary file, hashing and counting as it goes. */
  async receive(bucket: string, source: Readable, limits: ReceiveOptions = {}): Promise<Staged> {
    const path = this.tempPath(bucket);
    const max = Math.min(limits.maxSize ?? MAX_OBJECT_SIZE, MAX_OBJECT_SIZE);
    const md5 = createHash('md5');
    const crc = await Crc64.start(limits.crc64After);
    let size = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        if (size > max) return done(entityTooLarge(max));
        md5.update(chunk);
        crc.update(chunk);
        done(null, chunk);
      },
    });
    const file = createWriteStream(path);
    try {
      await pipeline(source, meter, file);
    } catch (err) {
      // pipeline settles as soon as a stream fails, while the file may still be opening: removed
      // before it is open, it would be created afterwards and left behind.
      if (!file.closed) await new Promise<void>((done) => file.once('close', () => done()).destroy());
      rmSync(path, { force: true });
      throw err instanceof OssError ? err : new OssError(400, 'IncompleteBody', 'The request body was not received completely.');
    }
    if (limits.expectedSize !== undefined && size !== limits.expectedSize) {
      rmSync(path, { force: true });
      throw new OssError(400, 'IncompleteBody', 'The body length does not match Content-Length.');
    }
    const digest = md5.digest();
    return { path, size, etag: digest.toString('hex').toUpperCase(), contentMd5: digest.toString('base64'), crc64: crc.decimal() };
  }

  /**
   * Files, in order, staged as one multipart object's data without copying them: each is hard-linked
   * into a staging folder, so the originals can be removed (or replaced) and the object keeps its
   * bytes. `etag` and `crc64` are the object's, computed from the parts'. Synchronous, so no other
   * request of this process replaces a part in between.
   */
  stageParts(bucket: string, files: readonly { path: string; size: number }[], facts: { etag: string; crc64: string }): Staged {
    const path = this.tempPath(bucket);
    try {
      mkdirSync(path);
      files.forEach((f, i) => linkSync(f.path, join(path, String(i))));
    } catch (err) {
      rmSync(path, { recursive: true, force: true });
      throw err;
    }
    const extents = files.map((f) => f.size);
    return { path, size: extents.reduce((a, b) => a + b, 0), extents, ...facts };
  }

  discard(staged: Staged): void {
    rmSync(staged.path, { recursive: true, force: true });
  }

  private sidecar(bucket: string, key: string): string {
    return join(this.bucketDir(bucket, 'objects'), `${createHash('sha256').update(key, 'utf8').digest('hex')}.json`);
  }

  head(bucket: string, key: string): ObjectMeta | undefined {
    try {
      return JSON.parse(readFileSync(this.sidecar(bucket, key), 'utf8')) as ObjectMeta;
    } catch {
      return undefined;
    }
  }

  exists(bucket: string, key: string): boolean {
    return existsSync(this.sidecar(bucket, key));
  }

  /**
   * Make a staged file the object. Synchronous from `admit` to the rename, so no other request of
   * this process can slip in between (x-oss-forbid-overwrite, an append's position). A refused
   * staged file is discarded.
   */
  commit(bucket: string, key: string, staged: Staged, meta: WrittenMeta, now: Date, admit: Admission = () => undefined): ObjectMeta {
    const sidecar = this.sidecar(bucket, key);
    const previous = this.head(bucket, key);
    try {
      admit(previous);
    } catch (err) {
      this.discard(staged);
      throw err;
    }
    const data = `${createHash('sha256').update(key, 'utf8').digest('hex')}.${randomBytes(6).toString('hex')}.data`;
    renameSync(staged.path, join(this.bucketDir(bucket, 'objects'), data));
    const content = { size: staged.size, etag: staged.etag, contentMd5: staged.contentMd5, crc64: staged.crc64, extents: staged.extents };
    const full: ObjectMeta = { ...meta, ...content, key, data, lastModified: ossIsoTime(now) };
    const tmp = this.tempPath(bucket);
    writeFileSync(tmp, JSON.stringify(full));
    renameSync(tmp, sidecar);
    if (previous) this.removeData(bucket, previous);
    return full;
  }

  /**
   * A stream of the object's bytes (inclusive range). The data stays on disk until the stream
   * closes, even if the object is replaced or deleted meanwhile: the reader gets the bytes of the
   * object it began with. Whoever takes the stream must read it to the end or destroy it.
   */
  read(bucket: string, meta: ObjectMeta, range?: { start: number; end: number }): Readable {
    const entry = `${bucket}/${meta.data}`;
    this.readers.set(entry, (this.readers.get(entry) ?? 0) + 1);
    const stream = meta.extents ? readExtents(this.dataPath(bucket, meta), meta.extents, range) : createReadStream(this.dataPath(bucket, meta), range);
    stream.once('close', () => {
      const left = (this.readers.get(entry) ?? 1) - 1;
      if (left > 0) {
        this.readers.set(entry, left);
      } else {
        this.readers.delete(entry);
        if (this.unwanted.delete(entry)) rmSync(this.dataPath(bucket, meta), { recursive: true, force: true });
      }
    });
    return stream;
  }

  /** Remove an object's data now, or when its last reader closes. */
  private removeData(bucket: string, meta: ObjectMeta): void {
    const entry = `${bucket}/${meta.data}`;
    if (this.readers.has(entry)) this.unwanted.add(entry);
    else rmSync(this.dataPath(bucket, meta), { recursive: true, force: true });
  }

  private dataPath(bucket: string, meta: ObjectMeta): string {
    return join(this.bucketDir(bucket, 'objects'), meta.data);
  }

  /**
   * A copy of an object's bytes, staged in `bucket` with the facts OSS computed when it stored them.
   * A multipart object's parts are linked, not copied (stored data never changes).
   */
  async stageCopy(bucket: string, sourceBucket: string, source: ObjectMeta): Promise<Staged> {
    if (source.extents) {
      const folder = this.dataPath(sourceBucket, source);
      const files = source.extents.map((size, i) => ({ path: join(folder, String(i)), size }));
      // Every object stored as parts was stored with its CRC-64.
      return { ...this.stageParts(bucket, files, { etag: source.etag, crc64: source.crc64 as string }), contentMd5: source.contentMd5 };
    }
    const path = this.tempPath(bucket);
    await copyFile(this.dataPath(sourceBucket, source), path);
    return { path, size: source.size, etag: source.etag, contentMd5: source.contentMd5, crc64: source.crc64 ?? (await this.crc64Of(path)) };
  }

  /**
   * The object's bytes followed by the appended ones, staged as one file (the appended file is used
   * up). `previous` is Appendable, so one data file. The appended CRC-64 must already continue the object's (ReceiveOptions.crc64After); the
   * ETag is `etag`, since an Appendable object's is not the MD5 of its content.
   */
  async stageAppend(bucket: string, previous: ObjectMeta | undefined, appended: Staged, etag: string): Promise<Staged> {
    if (!previous) return { ...appended, etag, contentMd5: undefined };
    const path = this.tempPath(bucket);
    try {
      await copyFile(this.dataPath(bucket, previous), path);
      await pipeline(createReadStream(appended.path), createWriteStream(path, { flags: 'a' }));
    } catch (err) {
      rmSync(path, { force: true });
      throw err;
    } finally {
      this.discard(appended);
    }
    return { path, size: previous.size + appended.size, etag, crc64: appended.crc64 };
  }

  /** The CRC-64 (decimal) of the file at `path`, read through once. */
  async crc64Of(path: string): Promise<string> {
    const crc = await Crc64.start();
    for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) crc.update(chunk);
    return crc.decimal();
  }

  /** Rewrite an object's metadata, not its bytes; false when there is no object. */
  update(bucket: string, key: string, change: (meta: ObjectMeta) => ObjectMeta): boolean {
    const meta = this.head(bucket, key);
    if (!meta) return false;
    const tmp = this.tempPath(bucket);
    writeFileSync(tmp, JSON.stringify({ ...change(meta), data: meta.data, extents: meta.extents }));
    renameSync(tmp, this.sidecar(bucket, key));
    return true;
  }

  delete(bucket: string, key: string): void {
    const meta = this.head(bucket, key);
    if (!meta) return;
    unlinkSync(this.sidecar(bucket, key));
    this.removeData(bucket, meta);
  }

  /** Every object of the bucket, sorted by key (byte order of UTF-8, as OSS lists). */
  list(bucket: string): ObjectMeta[] {
    const dir = this.bucketDir(bucket, 'objects');
    const out: ObjectMeta[] = [];
    for (const f of readdirSync(dir)) {
      if (!f.endsWith('.json')) continue;
      try {
        out.push(JSON.parse(readFileSync(join(dir, f), 'utf8')) as ObjectMeta);
      } catch {
        // removed between readdir and read
      }
    }
    return out.sort((a, b) => compareKeys(a.key, b.key));
  }
}

/** The bytes of the files `0`, `1`, … in `folder` (of `sizes` bytes each) as one stream, or its inclusive range. */
function readExtents(folder: string, sizes: readonly number[], range?: { start: number; end: number }): Readable {
  const first = range?.start ?? 0;
  const last = range?.end ?? sizes.reduce((a, b) => a + b, 0) - 1;
  async function* bytes(): AsyncGenerator<Buffer> {
    let offset = 0;
    for (const [i, size] of sizes.entries()) {
      const [from, to] = [Math.max(first, offset), Math.min(last, offset + size - 1)];
      if (from <= to) yield* createReadStream(join(folder, String(i)), { start: from - offset, end: to - offset }) as AsyncIterable<Buffer>;
      offset += size;
    }
  }
  return Readable.from(bytes(), { objectMode: false });
}
