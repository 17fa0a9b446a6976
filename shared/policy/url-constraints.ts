// Output 3: what a presigned PUT or GET URL binds: the exact key, the headers the client must send
// (all of them signed), and the query parameters that go inside the signature.

import { CALLBACK_MAC_MAX_SECONDS } from '../callback-auth/mac';
import { CALLBACK_GRACE_SECONDS, type CallbackParam, pinnedCallback, type Pinning } from './callback';
import { allowedContentType, isActiveContent, typeFromExtension } from './content-type';
import { ApiError } from '../api/errors';
import { generateKey, keyInGrant, safeExtension } from './keys';
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
  method: 'PUT' | 'GET';
  key: string;
  /** Headers the client must send exactly; all are signed. */
  headers: Record<string, string>;
  /** Signed query parameters. */
  query: Record<string, string>;
  /** Headers signed beyond OSS's defaults (content-type, content-md5, x-oss-*). */
  additionalHeaders: string[];
  expiresSeconds: number;
}

/** The caller's key, checked to be under its prefix, or a fresh one there (with the file name's extension). */
function uploadKey(grant: Grant, req: UrlRequest): string {
  return req.key === undefined ? generateKey(grant, req.filename) : keyInGrant(grant, req.key);
}

/**
 * A presigned PUT of one key: the exact key, type and (when a limit applies) length, no overwrite,
 * and the pinned callback in the signed query. Every `x-oss-*` header is signed in V4 and V1 alike,
 * so a client cannot add `x-oss-object-acl`, `x-oss-storage-class` or `x-oss-tagging` to the request
 * without breaking the signature. Throws ApiError for a request outside the rules.
 */
export function putPlan(grant: Grant, req: UrlRequest, pin: Pinning): UrlPlan {
  const { rules } = grant;
  const key = uploadKey(grant, req);
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
  if (rules.forbidOverwrite) headers['x-oss-forbid-overwrite'] = 'true';
  const expiresSeconds = expiresWithinRules(rules, req.expiresIn, rules.urlExpiresSeconds);
  const query: Record<string, string> = {};
  const callback = pinnedCallback(grant, { key }, expiresSeconds + CALLBACK_GRACE_SECONDS, pin);
  if (callback) query.callback = callback.base64;
  return { method: 'PUT', key, headers, query, additionalHeaders, expiresSeconds };
}

/** RFC 6266/5987 Content-Disposition with an ASCII fallback and the exact UTF-8 name. */
export function attachmentDisposition(filename?: string): string {
  if (!filename) return 'attachment';
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
 * active one, downloads as an attachment of application/octet-stream. A named file always downloads
 * as an attachment under that (RFC 5987) name.
 */
function downloadOverrides(key: string, filename: string | undefined): Record<string, string> {
  const type = typeFromExtension(safeExtension(key));
  const passive = type !== undefined && !isActiveContent(type) && !isActiveContent(key);
  const overrides: Record<string, string> = { 'response-content-type': passive ? type : OPAQUE_TYPE };
  if (filename !== undefined) overrides['response-content-disposition'] = attachmentDisposition(filename);
  else if (!passive) overrides['response-content-disposition'] = 'attachment';
  return overrides;
}

export function getPlan(grant: Grant, req: UrlRequest): UrlPlan {
  if (req.key === undefined) throw new ApiError('KeyRequired', 'give the key to download');
  const key = keyInGrant(grant, req.key);
  if (req.filename !== undefined && (typeof req.filename !== 'string' || req.filename.length === 0 || req.filename.length > 255 || !req.filename.isWellFormed())) {
    throw new ApiError('InvalidFilename', 'filename must be a string of 1 to 255 characters of valid Unicode');
  }
  return {
    method: 'GET',
    key,
    headers: {},
    query: downloadOverrides(key, req.filename as string | undefined),
    additionalHeaders: [],
    expiresSeconds: expiresWithinRules(grant.rules, req.expiresIn, grant.rules.urlExpiresSeconds),
  };
}

/** The plan of an upload a client makes with its own STS credentials (multipart, the mobile SDKs). */
export interface CallbackPlan {
  key: string;
  /** `x-oss-*` headers the upload should send; nothing signs them, so the event path checks what they protect. */
  headers: Record<string, string>;
  /** The callback to send with the upload (x-oss-callback on PutObject or CompleteMultipartUpload); undefined without CALLBACK_URL. */
  callback?: { param: CallbackParam; base64: string };
  /** When the callback's MAC expires (ISO 8601); undefined without a callback. */
  expiresAt?: string;
}

/**
 * The key (the caller's, or a fresh one) and the pinned callback for an upload made with STS
 * credentials, whose MAC lasts CALLBACK_MAC_MAX_SECONDS: a multipart upload may run for hours. Nothing
 * here is signed into the upload itself, so the type and size are checked as the callback and the
 * event path check them; a type or size given now is held to the rules at once. Throws ApiError.
 */
export function callbackPlan(grant: Grant, req: UrlRequest, pin: Pinning): CallbackPlan {
  const { rules } = grant;
  const key = uploadKey(grant, req);
  if (req.contentType !== undefined) allowedContentType(req.contentType, rules.allowedContentTypes);
  if (req.size !== undefined) sizeWithinRules(rules, req.size);
  const headers: Record<string, string> = rules.forbidOverwrite ? { 'x-oss-forbid-overwrite': 'true' } : {};
  const callback = pinnedCallback(grant, { key }, CALLBACK_MAC_MAX_SECONDS, pin);
  if (!callback) return { key, headers };
  return { key, headers, callback: { param: callback.param, base64: callback.base64 }, expiresAt: new Date(callback.exp * 1000).toISOString() };
}
