// Objects on disk, streamed in and out, never whole in memory. Each object is a data file plus a JSON
// sidecar naming it; a write lands in a temporary file and becomes visible when its sidecar is
// renamed into place, so readers see the old object or the new one, never half of one.

import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { copyFile } from 'node:fs/promises';
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
  /** Data file name, beside the sidecar. */
  data: string;
}

/** The storage classes OSS's write operations take (x-oss-storage-class, PutObject page). */
export const STORAGE_CLASSES = ['Standard', 'IA', 'Archive', 'ColdArchive', 'DeepColdArchive'] as const;
export type StorageClass = (typeof STORAGE_CLASSES)[number];

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
  path: string;
  /** Bytes. */
  size: number;
  /** Upper-case hex, unquoted. */
  etag: string;
  /** Base64 MD5; absent for an assembled multipart object. */
  contentMd5?: string;
  /** CRC-64 (ECMA-182, as OSS), decimal. */
  crc64: string;
}

/** What an upload sets on the object; the content's own facts (size, ETag, MD5, CRC-64) come from the staged body. */
export type WrittenMeta = Omit<ObjectMeta, 'key' | 'data' | 'lastModified' | 'size' | 'etag' | 'contentMd5' | 'crc64'>;

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

  discard(staged: Staged): void {
    rmSync(staged.path, { force: true });
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
    const content = { size: staged.size, etag: staged.etag, contentMd5: staged.contentMd5, crc64: staged.crc64 };
    const full: ObjectMeta = { ...meta, ...content, key, data, lastModified: ossIsoTime(now) };
    const tmp = this.tempPath(bucket);
    writeFileSync(tmp, JSON.stringify(full));
    renameSync(tmp, sidecar);
    if (previous) rmSync(join(this.bucketDir(bucket, 'objects'), previous.data), { force: true });
    return full;
  }

  /** A stream of the object's bytes (inclusive range), opened before the metadata can change again. */
  read(bucket: string, meta: ObjectMeta, range?: { start: number; end: number }): Readable {
    return createReadStream(this.dataPath(bucket, meta), range);
  }

  private dataPath(bucket: string, meta: ObjectMeta): string {
    return join(this.bucketDir(bucket, 'objects'), meta.data);
  }

  /** A copy of an object's bytes, staged in `bucket` with the facts OSS computed when it stored them. */
  async stageCopy(bucket: string, sourceBucket: string, source: ObjectMeta): Promise<Staged> {
    const path = this.tempPath(bucket);
    await copyFile(this.dataPath(sourceBucket, source), path);
    return { path, size: source.size, etag: source.etag, contentMd5: source.contentMd5, crc64: source.crc64 ?? (await this.crc64Of(path)) };
  }

  /**
   * The object's bytes followed by the appended ones, staged as one file (the appended file is used
   * up). The appended CRC-64 must already continue the object's (ReceiveOptions.crc64After); the
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

  private async crc64Of(path: string): Promise<string> {
    const crc = await Crc64.start();
    for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) crc.update(chunk);
    return crc.decimal();
  }

  /** Rewrite an object's metadata, not its bytes; false when there is no object. */
  update(bucket: string, key: string, change: (meta: ObjectMeta) => ObjectMeta): boolean {
    const meta = this.head(bucket, key);
    if (!meta) return false;
    const tmp = this.tempPath(bucket);
    writeFileSync(tmp, JSON.stringify({ ...change(meta), data: meta.data }));
    renameSync(tmp, this.sidecar(bucket, key));
    return true;
  }

  delete(bucket: string, key: string): void {
    const meta = this.head(bucket, key);
    if (!meta) return;
    unlinkSync(this.sidecar(bucket, key));
    rmSync(join(this.bucketDir(bucket, 'objects'), meta.data), { force: true });
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
