// Output 3: what a presigned PUT, GET or DELETE URL binds: the exact key, the headers the client must
// send (all of them signed), and the query parameters that go inside the signature.

import { CALLBACK_MAC_MAX_SECONDS } from '../callback-auth/mac';
import { CALLBACK_GRACE_SECONDS, type CallbackParam, pinnedCallback, type Pinning } from './callback';
import { allowedContentType, isActiveContent, typeFromExtension } from './content-type';
import { ApiError } from '../api/errors';
import { encodeFilename, exactFilename, FILENAME_META } from './filename';
import { keyInGrant, nameOfKey, safeExtension, uploadTarget } from './keys';
import { expiresWithinRules, MAX_SINGLE_UPLOAD, sizeWithinRules } from './limits';
import type { Grant } from './rules';

export interface UrlRequest {
  key?: unknown;
  filename?: unknown;
  contentType?: unknown;
  size?: unknown;
  expiresIn?: unknown;
}

export interface UrlPlan {
  method: 'PUT' | 'GET' | 'DELETE';
  key: string;
  /** Headers the client must send exactly; all are signed. */
  headers: Record<string, string>;
  /** Signed query parameters. */
  query: Record<string, string>;
  /** Headers signed beyond OSS's defaults (content-type, content-md5, x-oss-*). */
  additionalHeaders: string[];
  expiresSeconds: number;
}

/**
 * A presigned PUT of one key: the exact key, type and (when a limit applies) length, the file name
 * (x-oss-meta-filename, when given), no overwrite, and the pinned callback in the signed query. Every
 * `x-oss-*` header is signed in V4 and V1 alike, so a client cannot send another name, or add
 * `x-oss-object-acl`, `x-oss-storage-class`, `x-oss-tagging` or a name where none was signed,
 * without breaking the signature. Throws ApiError for a request outside the rules.
 */
export function putPlan(grant: Grant, req: UrlRequest, pin: Pinning): UrlPlan {
  const { rules } = grant;
  const { key, filename } = uploadTarget(grant, req);
  const declared = req.contentType ?? typeFromExtension(safeExtension(req.filename) || safeExtension(key));
  if (declared === undefined) throw new ApiError('ContentTypeRequired', 'give contentType: it is signed, and the upload must send it');
  const headers: Record<string, string> = { 'Content-Type': allowedContentType(declared, rules.allowedContentTypes) };
  const additionalHeaders: string[] = [];
  if (req.size !== undefined) {
    headers['Content-Length'] = String(sizeWithinRules(rules, req.size));
    additionalHeaders.push('content-length');
  } else if (rules.maxSize < MAX_SINGLE_UPLOAD || rules.minSize > 0) {
    throw new ApiError('SizeRequired', 'give size: a presigned PUT binds the exact length so the size limit holds');
  }
  if (filename !== undefined) headers[FILENAME_META] = encodeFilename(filename);
  if (rules.forbidOverwrite) headers['x-oss-forbid-overwrite'] = 'true';
  const expiresSeconds = expiresWithinRules(rules, req.expiresIn, rules.urlExpiresSeconds);
  const query: Record<string, string> = {};
  const callback = pinnedCallback(grant, { key, filename }, expiresSeconds + CALLBACK_GRACE_SECONDS, pin);
  if (callback) query.callback = callback.base64;
  return { method: 'PUT', key, headers, query, additionalHeaders, expiresSeconds };
}

/** RFC 6266/5987 Content-Disposition with an ASCII fallback and the exact UTF-8 name (1–255 characters). */
export function attachmentDisposition(filename: string): string {
  const clean = filename.normalize('NFC').replace(/[\u0000-\u001f\u007f-\u009f/\\]/g, '_');
  const ascii = clean.replace(/[^\x20-\x7e]/g, '_').replace(/["%;]/g, '_');
  const encoded = encodeURIComponent(clean).replace(/['()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/** What a download is served as when its extension names no passive type. */
const OPAQUE_TYPE = 'application/octet-stream';

/**
 * The signed response-* overrides of a download, whatever OSS holds as the object's type: any path
 * that stored it (an STS upload, a copy) may have stored text/html under image.png. The response type
 * is pinned to the passive type the key's extension names; a key whose extension names none, or an
 * active one, downloads as an attachment of application/octet-stream. Every download is an attachment
 * under an (RFC 5987) name: the one given, or else the name the key ends with.
 */
function downloadOverrides(key: string, filename: string): Record<string, string> {
  const type = typeFromExtension(safeExtension(key));
  const passive = type !== undefined && !isActiveContent(type) && !isActiveContent(key);
  return { 'response-content-type': passive ? type : OPAQUE_TYPE, 'response-content-disposition': attachmentDisposition(filename) };
}

/** The key a GET or DELETE names: required, and under the caller's prefix. Throws ApiError. */
function existingKey(grant: Grant, req: UrlRequest, what: string): string {
  if (req.key === undefined) throw new ApiError('KeyRequired', `give the key to ${what}`);
  return keyInGrant(grant, req.key);
}

/**
 * A presigned GET: the type pinned (downloadOverrides) and an attachment named `filename`, or, without
 * one, the name the key ends with (a generated key's safe name). Only the callback, which HEADs the
 * object anyway, names a download after its x-oss-meta-filename. Throws ApiError.
 */
export function getPlan(grant: Grant, req: UrlRequest): UrlPlan {
  const key = existingKey(grant, req, 'download');
  const filename = exactFilename(req.filename) ?? nameOfKey(key);
  return {
    method: 'GET',
    key,
    headers: {},
    query: downloadOverrides(key, filename),
    additionalHeaders: [],
    expiresSeconds: expiresWithinRules(grant.rules, req.expiresIn, grant.rules.urlExpiresSeconds),
  };
}

/**
 * A presigned DELETE of one key under the caller's prefix (DeleteObject: 204 whether or not the key
 * exists). Nothing else is bound: the path and method are signed. Throws ApiError.
 */
export function deletePlan(grant: Grant, req: UrlRequest): UrlPlan {
  return {
    method: 'DELETE',
    key: existingKey(grant, req, 'delete'),
    headers: {},
    query: {},
    additionalHeaders: [],
    expiresSeconds: expiresWithinRules(grant.rules, req.expiresIn, grant.rules.urlExpiresSeconds),
  };
}

/** The plan of an upload a client makes with its own STS credentials (multipart, the mobile SDKs). */
export interface CallbackPlan {
  key: string;
  /**
   * `x-oss-*` headers the upload should send (on InitiateMultipartUpload for multipart): the file name
   * (x-oss-meta-filename) and no-overwrite. Nothing signs them, so the callback and the event path
   * check what they protect.
   */
  headers: Record<string, string>;
  /** The callback to send with the upload (x-oss-callback on PutObject or CompleteMultipartUpload); undefined without CALLBACK_URL. */
  callback?: { param: CallbackParam; base64: string };
  /** When the callback's MAC expires (ISO 8601); undefined without a callback. */
  expiresAt?: string;
}

/**
 * The key (the caller's, or a fresh one carrying the file name), the headers to send and the pinned
 * callback for an upload made with STS credentials, whose MAC lasts CALLBACK_MAC_MAX_SECONDS: a
 * multipart upload may run for hours. Nothing here is signed into the upload itself, so the type,
 * size and name are checked as the callback and the event path check them: the callback's MAC binds
 * the exact name, which OSS must then hold as x-oss-meta-filename. A type or size given now is held
 * to the rules at once. Throws ApiError.
 */
export function callbackPlan(grant: Grant, req: UrlRequest, pin: Pinning): CallbackPlan {
  const { rules } = grant;
  const { key, filename } = uploadTarget(grant, req);
  if (req.contentType !== undefined) allowedContentType(req.contentType, rules.allowedContentTypes);
  if (req.size !== undefined) sizeWithinRules(rules, req.size);
  const headers: Record<string, string> = {};
  if (filename !== undefined) headers[FILENAME_META] = encodeFilename(filename);
  if (rules.forbidOverwrite) headers['x-oss-forbid-overwrite'] = 'true';
  const callback = pinnedCallback(grant, { key, filename }, CALLBACK_MAC_MAX_SECONDS, pin);
  if (!callback) return { key, headers };
  return { key, headers, callback: { param: callback.param, base64: callback.base64 }, expiresAt: new Date(callback.exp * 1000).toISOString() };
}
