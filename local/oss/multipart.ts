// Multipart uploads: Initiate, UploadPart, ListParts, Complete, Abort. Each upload is a folder of
// part files with JSON sidecars; Complete links the chosen parts, in order, into the object's data
// and computes its ETag and CRC-64 from the parts' own, reading none of their bytes (as OSS does).

import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodePath } from '../../shared/signer';
import type { Ctx } from './context';
import { parseObjectAcl } from './acl';
import { authorize } from './authorize';
import { invalidArgument, malformedXml, OssError } from './errors';
import { combineCrc64 } from './crc64-combine';
import { keyEncodingOf } from './encoding-type';
import { answerUpload, commitUpload, writtenHeaders } from './finish-upload';
import { callbackOf } from './objects';
import { compareKeys } from './paging';
import { checkObjectName, queryValue } from './request';
import { sendEmpty, sendXml } from './respond';
import { MAX_OBJECT_SIZE, type Staged } from './storage';
import { parseXml, textOf, type XmlElement } from './xml';
import { ossIsoTime } from './time';
import { authorizeWrite, forbidsOverwrite, overwriteAdmission, refuseExisting, storedHeaders, userMeta, writeSettingsOf, type WriteSettings } from './write-settings';

/** OSS: every part but the last must be at least 100 KB; at most 10000 parts. */
const MIN_PART_SIZE = 100 * 1024;
const MAX_PARTS = 10000;
const COMPLETE_BODY_MAX = 1024 * 1024;

interface UploadRecord {
  key: string;
  initiated: string;
  contentType: string;
  headers: Record<string, string>;
  userMeta: Record<string, string>;
  forbidOverwrite: boolean;
  /** The ACL, storage class and tags given at InitiateMultipartUpload, which the object gets. */
  settings?: WriteSettings;
}

interface PartRecord {
  partNumber: number;
  etag: string;
  size: number;
  /** Decimal CRC-64 of the part; absent in parts stored before it was kept. */
  crc64?: string;
  lastModified: string;
}

function uploadDir(ctx: Ctx, uploadId: string): string {
  if (!/^[0-9A-F]{32}$/.test(uploadId)) throw noSuchUpload();
  return join(ctx.server.store.bucketDir(ctx.oss.bucket as string, 'uploads'), uploadId);
}

const noSuchUpload = () => new OssError(404, 'NoSuchUpload', 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.');

/** The upload named by the request's uploadId, for `key`; 404 NoSuchUpload when there is none. */
export function openUpload(ctx: Ctx, key: string): { dir: string; uploadId: string; record: UploadRecord } {
  const uploadId = queryValue(ctx.oss, 'uploadId') ?? '';
  const dir = uploadDir(ctx, uploadId);
  let record: UploadRecord;
  try {
    record = JSON.parse(readFileSync(join(dir, 'upload.json'), 'utf8')) as UploadRecord;
  } catch {
    throw noSuchUpload();
  }
  if (record.key !== key) throw noSuchUpload();
  return { dir, uploadId, record };
}

function parts(dir: string): PartRecord[] {
  return readdirSync(dir)
    .filter((f) => /^part-\d+\.json$/.test(f))
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as PartRecord)
    .sort((a, b) => a.partNumber - b.partNumber);
}

/** Every upload in progress in the bucket (initiated, neither completed nor aborted), by key then upload id. */
export function uploadsInProgress(ctx: Ctx): { key: string; uploadId: string; initiated: string }[] {
  const root = ctx.server.store.bucketDir(ctx.oss.bucket as string, 'uploads');
  const out: { key: string; uploadId: string; initiated: string }[] = [];
  for (const uploadId of readdirSync(root)) {
    try {
      const record = JSON.parse(readFileSync(join(root, uploadId, 'upload.json'), 'utf8')) as UploadRecord;
      out.push({ key: record.key, uploadId, initiated: record.initiated });
    } catch {
      // completed or aborted between readdir and read, or still being created
    }
  }
  return out.sort((a, b) => compareKeys(a.key, b.key) || (a.uploadId < b.uploadId ? -1 : a.uploadId > b.uploadId ? 1 : 0));
}

export function initiateMultipartUpload(ctx: Ctx): void {
  const bucket = ctx.oss.bucket as string;
  const key = checkObjectName(ctx.oss.key);
  const settings = writeSettingsOf(ctx.oss.headers);
  authorizeWrite(ctx.auth?.principal, 'InitiateMultipartUpload', bucket, key, settings);
  const forbid = forbidsOverwrite(ctx.oss.headers['x-oss-forbid-overwrite']);
  refuseExisting(ctx, bucket, key, forbid);
  const uploadId = randomBytes(16).toString('hex').toUpperCase();
  const dir = uploadDir(ctx, uploadId);
  mkdirSync(dir);
  const record: UploadRecord = {
    key,
    initiated: ossIsoTime(ctx.server.now()),
    contentType: ctx.oss.headers['content-type'] || 'application/octet-stream',
    headers: storedHeaders(ctx.oss.headers),
    userMeta: userMeta(ctx.oss.headers),
    forbidOverwrite: forbid,
    settings,
  };
  writeFileSync(join(dir, 'upload.json'), JSON.stringify(record));
  const { encode, element } = keyEncodingOf(ctx.oss);
  sendXml(ctx.res, 200, 'InitiateMultipartUploadResult', { ...element, Bucket: bucket, Key: encode(key), UploadId: uploadId });
}

/** The request's partNumber: 1 to 10000, or 400 InvalidArgument. */
export function partNumberOf(ctx: Ctx): number {
  const raw = queryValue(ctx.oss, 'partNumber') ?? '';
  if (!/^\d{1,5}$/.test(raw) || +raw < 1 || +raw > MAX_PARTS) throw invalidArgument(`Part number must be an integer between 1 and ${MAX_PARTS}, inclusive.`, { ArgumentName: 'partNumber' });
  return Number(raw);
}

/** Make a staged file part `partNumber` of the upload in `dir` (replacing any before it); 404 NoSuchUpload if the upload ended meanwhile. */
export function storePart(ctx: Ctx, dir: string, partNumber: number, staged: Staged): PartRecord {
  if (!existsSync(dir)) {
    ctx.server.store.discard(staged);
    throw noSuchUpload();
  }
  renameSync(staged.path, join(dir, `part-${partNumber}`));
  const part: PartRecord = { partNumber, etag: staged.etag, size: staged.size, crc64: staged.crc64, lastModified: ossIsoTime(ctx.server.now()) };
  writeFileSync(join(dir, `part-${partNumber}.json`), JSON.stringify(part));
  return part;
}

export async function uploadPart(ctx: Ctx): Promise<void> {
  const bucket = ctx.oss.bucket as string;
  const key = checkObjectName(ctx.oss.key);
  authorize(ctx.auth?.principal, 'UploadPart', { bucket, key, requestedAcl: parseObjectAcl(ctx.oss.headers['x-oss-object-acl']) });
  const partNumber = partNumberOf(ctx);
  const { dir } = openUpload(ctx, key);
  const length = ctx.oss.headers['content-length'];
  const staged = await ctx.server.store.receive(bucket, ctx.req, { maxSize: MAX_OBJECT_SIZE, expectedSize: length === undefined ? undefined : Number(length) });
  sendEmpty(ctx.res, 200, writtenHeaders(storePart(ctx, dir, partNumber, staged)));
}

export function listParts(ctx: Ctx): void {
  const bucket = ctx.oss.bucket as string;
  const key = checkObjectName(ctx.oss.key);
  authorize(ctx.auth?.principal, 'ListParts', { bucket, key });
  const { dir, uploadId } = openUpload(ctx, key);
  const marker = Number(queryValue(ctx.oss, 'part-number-marker') ?? 0) || 0;
  const maxRaw = queryValue(ctx.oss, 'max-parts');
  const maxParts = maxRaw === undefined ? 1000 : Number(maxRaw);
  if (!Number.isInteger(maxParts) || maxParts < 0 || maxParts > 1000) throw invalidArgument('max-parts must be an integer from 0 to 1000.', { ArgumentName: 'max-parts' });
  const after = parts(dir).filter((p) => p.partNumber > marker);
  const shown = after.slice(0, maxParts);
  const { encode, element } = keyEncodingOf(ctx.oss);
  sendXml(ctx.res, 200, 'ListPartsResult', {
    ...element,
    Bucket: bucket,
    Key: encode(key),
    UploadId: uploadId,
    PartNumberMarker: marker,
    NextPartNumberMarker: shown.length ? shown[shown.length - 1].partNumber : marker,
    MaxParts: maxParts,
    IsTruncated: after.length > shown.length,
    // Element order as OSS writes it (Go SDK v2's ListParts mock); the Go Uploader combines each
    // part's HashCrc64ecma when it resumes an upload.
    Part: shown.map((p) => ({ PartNumber: p.partNumber, LastModified: ossIsoTime(new Date(p.lastModified)), ETag: `"${p.etag}"`, HashCrc64ecma: p.crc64, Size: p.size })),
  });
}

export interface CompletedPart {
  partNumber: number;
  /** Upper-case, without quotes. */
  etag: string;
}

/** The one child named `name`; MalformedXML when it is missing or repeated. */
function only(parent: XmlElement, name: string): XmlElement {
  const found = parent.children.filter((c) => c.name === name);
  if (found.length !== 1) throw malformedXml();
  return found[0];
}

/**
 * The <Part> list of a CompleteMultipartUpload body, in document order. Every element must be in
 * the root's namespace (none, or e.g. the S3 namespace clients of other stores send), hold only
 * what the schema names, and name at least one part; otherwise 400 MalformedXML.
 */
export function parseCompleteMultipart(xml: string): CompletedPart[] {
  const root = parseXml(xml);
  const schema: Record<string, string[]> = { CompleteMultipartUpload: ['Part'], Part: ['PartNumber', 'ETag'], PartNumber: [], ETag: [] };
  const check = (el: XmlElement): void => {
    const allowed = schema[el.name];
    if (!allowed || el.namespace !== root.namespace) throw malformedXml();
    if (el.children.some((c) => !allowed.includes(c.name)) || (allowed.length > 0 && textOf(el) !== '')) throw malformedXml();
    el.children.forEach(check);
  };
  if (root.name !== 'CompleteMultipartUpload') throw malformedXml();
  check(root);
  if (root.children.length === 0) throw malformedXml();
  return root.children.map((part) => {
    const number = textOf(only(part, 'PartNumber'));
    if (!/^\d{1,5}$/.test(number)) throw malformedXml();
    const etag = textOf(only(part, 'ETag'));
    return { partNumber: Number(number), etag: etag.replace(/^"(.*)"$/s, '$1').toUpperCase() };
  });
}

/**
 * The parts to complete with: the body's list, or with `x-oss-complete-all: yes` (no body) every
 * part uploaded, in part-number order. The wording of the refusal of both at once is OSS's own
 * (EC 0042-00000216, asserted by the Go SDK v2's integration test against OSS).
 */
function requestedParts(completeAll: string | undefined, body: string, uploaded: PartRecord[]): CompletedPart[] {
  if (completeAll === undefined) return parseCompleteMultipart(body);
  if (completeAll !== 'yes') throw invalidArgument('The value of x-oss-complete-all must be yes.', { ArgumentName: 'x-oss-complete-all' });
  if (body !== '') throw invalidArgument('Should not speficy both complete all header and http body.');
  if (uploaded.length === 0) throw new OssError(400, 'InvalidPart', 'The upload has no parts to complete.');
  return uploaded.map((p) => ({ partNumber: p.partNumber, etag: p.etag }));
}

async function readSmallBody(ctx: Ctx): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of ctx.req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > COMPLETE_BODY_MAX) throw invalidArgument('The CompleteMultipartUpload body is too large.');
    chunks.push(c);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The parts, in order, staged as the object's data (linked, not copied). The ETag is the MD5 of the
 * parts' MD5s, `-<count>`; the CRC-64 is that of the whole object, which is what OSS documents for
 * the combined value, combined from the parts' CRC-64s (a part stored before they were kept is read
 * once for its own).
 */
async function assemble(ctx: Ctx, dir: string, chosen: PartRecord[]): Promise<Staged> {
  const store = ctx.server.store;
  const file = (p: PartRecord) => join(dir, `part-${p.partNumber}`);
  const pieces = await Promise.all(chosen.map(async (p) => ({ crc64: p.crc64 ?? (await store.crc64Of(file(p))), size: p.size })));
  const md5s = createHash('md5');
  for (const p of chosen) md5s.update(Buffer.from(p.etag, 'hex'));
  return store.stageParts(
    ctx.oss.bucket as string,
    chosen.map((p) => ({ path: file(p), size: p.size })),
    { etag: `${md5s.digest('hex').toUpperCase()}-${chosen.length}`, crc64: combineCrc64(pieces) },
  );
}

export async function completeMultipartUpload(ctx: Ctx): Promise<void> {
  const bucket = ctx.oss.bucket as string;
  const key = checkObjectName(ctx.oss.key);
  authorize(ctx.auth?.principal, 'CompleteMultipartUpload', { bucket, key, requestedAcl: parseObjectAcl(ctx.oss.headers['x-oss-object-acl']) });
  const { dir, record } = openUpload(ctx, key);
  const callback = callbackOf(ctx.oss);
  const body = await readSmallBody(ctx);
  // Aborted or completed by another request while the body arrived.
  if (!existsSync(dir)) throw noSuchUpload();
  const stored = new Map(parts(dir).map((p) => [p.partNumber, p]));
  const requested = requestedParts(ctx.oss.headers['x-oss-complete-all'], body, [...stored.values()]);
  const chosen: PartRecord[] = [];
  for (const [i, r] of requested.entries()) {
    if (i > 0 && r.partNumber <= requested[i - 1].partNumber) throw new OssError(400, 'InvalidPartOrder', 'The list of parts was not in ascending order. Parts must be ordered by part number.');
    const p = stored.get(r.partNumber);
    if (!p || p.etag !== r.etag) throw new OssError(400, 'InvalidPart', 'One or more of the specified parts could not be found or the specified entity tag might not have matched the part\'s entity tag.', { PartNumber: String(r.partNumber) });
    if (i < requested.length - 1 && p.size < MIN_PART_SIZE) throw new OssError(400, 'EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed size.', { PartNumber: String(r.partNumber), MinSizeAllowed: String(MIN_PART_SIZE) });
    chosen.push(p);
  }
  const forbid = record.forbidOverwrite || forbidsOverwrite(ctx.oss.headers['x-oss-forbid-overwrite']);
  refuseExisting(ctx, bucket, key, forbid);
  const staged = await assemble(ctx, dir, chosen);
  const written = { contentType: record.contentType, headers: record.headers, userMeta: record.userMeta, ...record.settings, type: 'Multipart' as const };
  const done = commitUpload(ctx, 'CompleteMultipartUpload', bucket, key, staged, written, overwriteAdmission(key, forbid));
  rmSync(dir, { recursive: true, force: true });
  const { encode, element } = keyEncodingOf(ctx.oss);
  await answerUpload(ctx, 'CompleteMultipartUpload', done, callback, () =>
    sendXml(ctx.res, 200, 'CompleteMultipartUploadResult', {
      ...element,
      Location: `${ctx.server.url}/${bucket}/${encodePath(key)}`,
      Bucket: bucket,
      Key: encode(key),
      ETag: `"${done.etag}"`,
    }, writtenHeaders(done.meta)),
  );
}

export function abortMultipartUpload(ctx: Ctx): void {
  const bucket = ctx.oss.bucket as string;
  const key = checkObjectName(ctx.oss.key);
  authorize(ctx.auth?.principal, 'AbortMultipartUpload', { bucket, key });
  const { dir } = openUpload(ctx, key);
  rmSync(dir, { recursive: true, force: true });
  sendEmpty(ctx.res, 204);
}
