// CopyObject and UploadPartCopy: a PUT whose body comes from x-oss-copy-source. Both need read
// access to the source for the requester (oss:GetObject on it) and write access to the destination
// (oss:PutObject); CopyObject and UploadPartCopy pages: "you must have read permissions on the
// source object". Sources: those pages, the Python SDK's mocks (CopyObjectResult, CopyPartResult
// with Content-Range) and the SDKs' encoding of the source (/bucket/URL-encoded key[?versionId=]).

import type { Ctx } from './context';
import { authorize } from './authorize';
import { parseObjectAcl } from './acl';
import { evaluatePreconditions } from './conditions';
import { invalidArgument, OssError } from './errors';
import { commitUpload, writtenHeaders } from './finish-upload';
import { openUpload, partNumberOf, storePart } from './multipart';
import { contentRange, rangeOfCopySource } from './range';
import { checkObjectName, decodeKeyHeader } from './request';
import { sendEmpty, sendXml } from './respond';
import { objectType, type ObjectMeta } from './storage';
import {
  authorizeWrite,
  forbidsOverwrite,
  overwriteAdmission,
  refuseArchived,
  refuseExisting,
  storedHeaders,
  userMeta,
  writeSettingsOf,
} from './write-settings';

interface CopySource {
  bucket: string;
  key: string;
}

const SOURCE = 'x-oss-copy-source';

/**
 * `/<bucket>/<URL-encoded key>`, optionally `?versionId=<id>` (EC 0042-00000301: it must start with
 * `/`). The local buckets keep no versions, so any version but `null` does not exist.
 */
function copySourceOf(ctx: Ctx): CopySource {
  const raw = ctx.oss.headers[SOURCE] as string;
  const malformed = () => invalidArgument('Copy Source must mention the source bucket and key: /sourcebucket/sourcekey.', { ArgumentName: SOURCE });
  const q = raw.indexOf('?');
  const version = q < 0 ? undefined : new URLSearchParams(raw.slice(q + 1)).get('versionId');
  if (q >= 0 && version === null) throw malformed();
  if (version !== undefined && version !== 'null') throw new OssError(404, 'NoSuchVersion', 'The specified version does not exist.');
  const path = decodeKeyHeader(q < 0 ? raw : raw.slice(0, q), SOURCE);
  const slash = path.indexOf('/', 1);
  if (!path.startsWith('/') || slash < 0) throw malformed();
  const bucket = path.slice(1, slash);
  if (!ctx.server.store.hasBucket(bucket)) throw new OssError(404, 'NoSuchBucket', 'The specified bucket does not exist.', { BucketName: bucket });
  return { bucket, key: checkObjectName(path.slice(slash + 1)) };
}

/** x-oss-copy-source-if-* hold as GetObject's If-* do: 412 PreconditionFailed, or 'not-modified' (304). */
function copyConditions(ctx: Ctx, source: ObjectMeta): 'proceed' | 'not-modified' {
  const h = ctx.oss.headers;
  const asGet: Record<string, string> = {};
  for (const name of ['if-match', 'if-none-match', 'if-modified-since', 'if-unmodified-since']) {
    const v = h[`x-oss-copy-source-${name}`];
    if (v !== undefined) asGet[name] = v;
  }
  return evaluatePreconditions(asGet, source);
}

/**
 * The source, read with the requester's identity, then what may not be copied: an object of an
 * archive class before it is restored (403 InvalidObjectState), and an Appendable object (the
 * append-upload and UploadPartCopy pages: such objects cannot be copied). For the latter, and for a
 * symlink given to UploadPartCopy (EC 0042-00000308), the pages name no code:
 * 400 OperationNotSupported, OSS's code for an operation a resource does not support, is used.
 */
function readSource(ctx: Ctx, source: CopySource, op: 'CopyObject' | 'UploadPartCopy'): ObjectMeta {
  const meta = ctx.server.store.head(source.bucket, source.key);
  authorize(ctx.auth?.principal, 'GetObject', { bucket: source.bucket, key: source.key, stored: meta });
  if (!meta) throw new OssError(404, 'NoSuchKey', 'The specified key does not exist.', { Key: source.key });
  const type = objectType(meta);
  if (type === 'Appendable') throw new OssError(400, 'OperationNotSupported', `${op} cannot copy an Appendable object.`);
  if (type === 'Symlink' && op === 'UploadPartCopy') throw new OssError(400, 'OperationNotSupported', 'The source of UploadPartCopy cannot be a symlink.');
  if (type !== 'Symlink') refuseArchived(meta);
  return meta;
}

function directiveOf(ctx: Ctx, header: string, values: readonly string[]): string {
  const v = ctx.oss.headers[header] ?? values[0];
  if (!values.includes(v)) throw invalidArgument(`${header} must be ${values.join(' or ')}.`, { ArgumentName: header, ArgumentValue: v });
  return v;
}

/**
 * CopyObject (`PUT /<key>` with x-oss-copy-source). Metadata is the source's (COPY, the default) or
 * the request's (REPLACE), and always the request's when an object is copied onto itself; tags are
 * the source's (Copy) or x-oss-tagging's (Replace). The ACL and storage class are the request's. A
 * symlink copies as the link, not its target (CopyObject page), so only the link is read. Copying
 * tags onto the destination needs oss:PutObjectTagging whichever way they come, the stricter reading
 * of "oss:PutObjectTagging … when you specify object tags".
 */
export async function copyObject(ctx: Ctx): Promise<void> {
  const { oss, server } = ctx;
  const bucket = oss.bucket as string;
  const key = checkObjectName(oss.key);
  ctx.req.resume();
  const source = copySourceOf(ctx);
  const settings = writeSettingsOf(oss.headers);
  const metadata = directiveOf(ctx, 'x-oss-metadata-directive', ['COPY', 'REPLACE']);
  const tagging = directiveOf(ctx, 'x-oss-tagging-directive', ['Copy', 'Replace']);
  const principal = ctx.auth?.principal;
  authorizeWrite(principal, 'CopyObject', bucket, key, settings);
  const meta = readSource(ctx, source, 'CopyObject');
  const tags = tagging === 'Replace' ? settings.tags : meta.tags;
  if (tags && !settings.tags) authorize(principal, 'PutObjectTagging', { bucket, key });
  if (copyConditions(ctx, meta) === 'not-modified') return sendEmpty(ctx.res, 304);
  const forbid = forbidsOverwrite(oss.headers['x-oss-forbid-overwrite']);
  refuseExisting(ctx, bucket, key, forbid);
  const onItself = source.bucket === bucket && source.key === key;
  const described =
    metadata === 'REPLACE' || onItself
      ? { contentType: oss.headers['content-type'] || 'application/octet-stream', headers: storedHeaders(oss.headers), userMeta: userMeta(oss.headers) }
      : { contentType: meta.contentType, headers: meta.headers, userMeta: meta.userMeta };
  const staged = await server.store.stageCopy(bucket, source.bucket, meta);
  const finished = commitUpload(
    ctx,
    'CopyObject',
    bucket,
    key,
    staged,
    { ...described, acl: settings.acl, storageClass: settings.storageClass, tags, type: objectType(meta), symlinkTarget: meta.symlinkTarget },
    overwriteAdmission(key, forbid),
  );
  sendXml(ctx.res, 200, 'CopyObjectResult', { ETag: `"${finished.etag}"`, LastModified: finished.meta.lastModified }, writtenHeaders(finished.meta));
}

/**
 * UploadPartCopy (`PUT /<key>?partNumber=&uploadId=` with x-oss-copy-source): the source's bytes,
 * or the x-oss-copy-source-range of them, become the part (range.ts: which ranges copy the whole
 * source with no Content-Range, and which are refused).
 */
export async function uploadPartCopy(ctx: Ctx): Promise<void> {
  const bucket = ctx.oss.bucket as string;
  const key = checkObjectName(ctx.oss.key);
  authorize(ctx.auth?.principal, 'UploadPartCopy', { bucket, key, requestedAcl: parseObjectAcl(ctx.oss.headers['x-oss-object-acl']) });
  ctx.req.resume();
  const partNumber = partNumberOf(ctx);
  const { dir } = openUpload(ctx, key);
  const source = copySourceOf(ctx);
  const meta = readSource(ctx, source, 'UploadPartCopy');
  if (copyConditions(ctx, meta) === 'not-modified') return sendEmpty(ctx.res, 304);
  const range = rangeOfCopySource(ctx.oss.headers['x-oss-copy-source-range'], meta.size);
  const staged = await ctx.server.store.receive(bucket, ctx.server.store.read(source.bucket, meta, range));
  const part = storePart(ctx, dir, partNumber, staged);
  const headers = writtenHeaders(part);
  if (range) headers['Content-Range'] = contentRange(range, meta.size);
  sendXml(ctx.res, 200, 'CopyPartResult', { LastModified: part.lastModified, ETag: `"${part.etag}"` }, headers);
}
