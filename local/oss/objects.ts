// PutObject, GetObject, HeadObject, GetObjectMeta, DeleteObject.

import { pipeline } from 'node:stream';
import type { Ctx } from './context';
import { authorize } from './authorize';
import { parseCallback, parseCallbackVars, type CallbackSpec } from './callback';
import { accessDenied, invalidArgument, OssError } from './errors';
import { evaluatePreconditions } from './conditions';
import { answerUpload, commitUpload, writtenHeaders } from './finish-upload';
import { checkObjectName, queryValue, type OssRequest } from './request';
import { sendEmpty } from './respond';
import { MAX_OBJECT_SIZE, objectType, type ObjectMeta } from './storage';
import { contentRange, rangeOfGet } from './range';
import { openForRead, type ReadView } from './symlink';
import { httpDate } from './time';
import { authorizeWrite, forbidsOverwrite, overwriteAdmission, refuseArchived, refuseExisting, storedHeaders, userMeta, writeSettingsOf } from './write-settings';

const OVERRIDES = ['content-type', 'content-language', 'expires', 'cache-control', 'content-disposition', 'content-encoding'];

/** The callback of a PutObject or CompleteMultipartUpload: from x-oss-callback or the `callback` query, not both. */
export function callbackOf(oss: OssRequest): CallbackSpec | undefined {
  const header = oss.headers['x-oss-callback'];
  const query = queryValue(oss, 'callback');
  if (header !== undefined && query !== undefined) throw invalidArgument('The callback may be given in a header or in the URL, not both.');
  const b64 = header ?? query;
  if (b64 === undefined) return undefined;
  return parseCallback(b64, parseCallbackVars(header !== undefined ? oss.headers['x-oss-callback-var'] : queryValue(oss, 'callback-var')));
}

/** Content-MD5 as sent: 16 bytes in Base64, or 400 InvalidDigest. */
export function contentMd5Of(oss: OssRequest): string | undefined {
  const md5 = oss.headers['content-md5'];
  if (md5 !== undefined && Buffer.from(md5, 'base64').length !== 16) throw new OssError(400, 'InvalidDigest', 'The Content-MD5 you specified was invalid.');
  return md5;
}

export const digestMismatch = () => new OssError(400, 'InvalidDigest', 'The Content-MD5 you specified did not match what was received.');

export async function putObject(ctx: Ctx): Promise<void> {
  const { oss, server } = ctx;
  const bucket = oss.bucket as string;
  const key = checkObjectName(oss.key);
  const settings = writeSettingsOf(oss.headers);
  authorizeWrite(ctx.auth?.principal, 'PutObject', bucket, key, settings, server.store.head(bucket, key));
  const length = oss.headers['content-length'];
  if (length !== undefined && Number(length) > MAX_OBJECT_SIZE) {
    throw new OssError(400, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size.', { MaxSizeAllowed: String(MAX_OBJECT_SIZE) });
  }
  const md5 = contentMd5Of(oss);
  const callback = callbackOf(oss);
  const forbid = forbidsOverwrite(oss.headers['x-oss-forbid-overwrite']);
  refuseExisting(ctx, bucket, key, forbid);

  const staged = await server.store.receive(bucket, ctx.req, { expectedSize: length === undefined ? undefined : Number(length) });
  if (md5 !== undefined && md5 !== staged.contentMd5) {
    server.store.discard(staged);
    throw digestMismatch();
  }
  const finished = commitUpload(
    ctx,
    'PutObject',
    bucket,
    key,
    staged,
    {
      contentType: oss.headers['content-type'] || 'application/octet-stream',
      headers: storedHeaders(oss.headers),
      userMeta: userMeta(oss.headers),
      ...settings,
      type: 'Normal',
    },
    overwriteAdmission(key, forbid),
  );
  await answerUpload(ctx, 'PutObject', finished, callback, () =>
    sendEmpty(ctx.res, 200, { ...writtenHeaders(finished.meta), 'Content-MD5': staged.contentMd5 as string }),
  );
}

function objectHeaders(meta: ObjectMeta): Record<string, string> {
  const type = objectType(meta);
  const h: Record<string, string> = {
    'content-type': meta.contentType,
    etag: `"${meta.etag}"`,
    'last-modified': httpDate(new Date(meta.lastModified)),
    'accept-ranges': 'bytes',
    'x-oss-object-type': type,
    'x-oss-storage-class': meta.storageClass ?? 'Standard',
    ...meta.headers,
    ...meta.userMeta,
  };
  if (type === 'Appendable') h['x-oss-next-append-position'] = String(meta.size);
  // GetObject and HeadObject pages: the number of tags, sent only for an object that has some.
  if (meta.tags?.length) h['x-oss-tagging-count'] = String(meta.tags.length);
  if (meta.contentMd5) h['content-md5'] = meta.contentMd5;
  if (meta.crc64) h['x-oss-hash-crc64ecma'] = meta.crc64;
  return h;
}

/** 304: the validators, no body (RFC 9110 §15.4.5). */
function notModified(ctx: Ctx, meta: ObjectMeta): void {
  ctx.res.writeHead(304, { etag: `"${meta.etag}"`, 'last-modified': httpDate(new Date(meta.lastModified)) });
  ctx.res.end();
}

/** HeadObject: the whole object's headers whatever Range says (OSS applies no Range to HEAD: range.ts). */
export function headObject(ctx: Ctx): void {
  const { meta } = openForRead(ctx, 'HeadObject');
  if (evaluatePreconditions(ctx.oss.headers, meta) === 'not-modified') return notModified(ctx, meta);
  ctx.res.writeHead(200, { ...objectHeaders(meta), 'content-length': meta.size });
  ctx.res.end();
}

/**
 * GetObjectMeta (`?objectMeta`): the object's size (Content-Length), ETag, Last-Modified and
 * CRC-64, nothing else and never a body; authorised as oss:GetObject. Every SDK sends HEAD, as
 * OSS's page gives it. OSS's older page gave GET, with the same headers and no body: a GET answer
 * must frame its body, so here it says Content-Length 0 and carries the size in no header.
 */
export function getObjectMeta(ctx: Ctx): void {
  const { meta } = openForRead(ctx, 'GetObjectMeta');
  const headers: Record<string, string | number> = {
    etag: `"${meta.etag}"`,
    'last-modified': httpDate(new Date(meta.lastModified)),
    'content-length': ctx.oss.method === 'HEAD' ? meta.size : 0,
  };
  if (meta.crc64) headers['x-oss-hash-crc64ecma'] = meta.crc64;
  ctx.res.writeHead(200, headers);
  ctx.res.end();
}

/**
 * The response-* overrides a GetObject asks for. They are for signed requests only (GetObject page:
 * an anonymous request cannot set them); the page gives no code for the refusal, so it is the
 * AccessDenied every other refused anonymous request gets.
 */
function overridesOf(ctx: Ctx): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of OVERRIDES) {
    const v = queryValue(ctx.oss, `response-${name}`);
    if (v !== undefined) out[name] = v;
  }
  if (!ctx.auth && Object.keys(out).length > 0) throw accessDenied('response-* parameters need a signed request.');
  return out;
}

function serve(ctx: Ctx, { meta, content }: ReadView, headers: Record<string, string>): void {
  const range = rangeOfGet(ctx.oss.headers, meta.size);
  const stream = ctx.server.store.read(ctx.oss.bucket as string, content, range);
  if (range) {
    ctx.res.writeHead(206, { ...headers, 'content-length': range.end - range.start + 1, 'content-range': contentRange(range, meta.size) });
  } else {
    ctx.res.writeHead(200, { ...headers, 'content-length': meta.size });
  }
  // A failed read cuts the response short; a client that goes away closes the read (and releases
  // the data of an object replaced meanwhile).
  pipeline(stream, ctx.res, () => undefined);
}

export function getObject(ctx: Ctx): void {
  const view = openForRead(ctx, 'GetObject');
  const overrides = overridesOf(ctx);
  refuseArchived(view.content);
  if (evaluatePreconditions(ctx.oss.headers, view.meta) === 'not-modified') return notModified(ctx, view.meta);
  serve(ctx, view, { ...objectHeaders(view.meta), ...overrides });
}

export function deleteObject(ctx: Ctx): void {
  const bucket = ctx.oss.bucket as string;
  const key = checkObjectName(ctx.oss.key);
  authorize(ctx.auth?.principal, 'DeleteObject', { bucket, key, stored: ctx.server.store.head(bucket, key) });
  ctx.server.store.delete(bucket, key);
  sendEmpty(ctx.res, 204);
}
