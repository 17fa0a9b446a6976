// Output 3: what a presigned PUT or GET URL binds: the exact key, the headers the client must send
// (all of them signed), and the query parameters that go inside the signature.

import { callbackParam } from './callback';
import { admitsActiveContent, allowedContentType, isActiveContent, typeFromExtension } from './content-type';
import { ApiError } from '../api/errors';
import { generateKey, keyInGrant, safeExtension } from './keys';
import { expiresWithinRules, MAX_SINGLE_UPLOAD, sizeWithinRules } from './limits';
import type { Grant, Rules } from './rules';

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

export function putPlan(grant: Grant, req: UrlRequest): UrlPlan {
  const { rules } = grant;
  const key = req.key === undefined ? generateKey(grant, req.filename) : keyInGrant(grant, req.key);
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
  const query: Record<string, string> = {};
  const callback = callbackParam(rules.callbackUrl);
  if (callback) query.callback = callback;
  return { method: 'PUT', key, headers, query, additionalHeaders, expiresSeconds: expiresWithinRules(rules, req.expiresIn, rules.urlExpiresSeconds) };
}

/** RFC 6266/5987 Content-Disposition with an ASCII fallback and the exact UTF-8 name. */
export function attachmentDisposition(filename?: string): string {
  if (!filename) return 'attachment';
  const clean = filename.normalize('NFC').replace(/[\u0000-\u001f\u007f-\u009f/\\]/g, '_');
  const ascii = clean.replace(/[^\x20-\x7e]/g, '_').replace(/["%;]/g, '_');
  const encoded = encodeURIComponent(clean).replace(/['()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/**
 * The signed response-* overrides of a download. A named file, or a key whose extension a browser
 * would run, downloads as an attachment. When the rules admit an active type (image/* admits SVG),
 * the extension proves nothing about what is stored, so the response type is pinned to the passive
 * type the extension names, or else the object downloads as an attachment.
 */
function downloadOverrides(rules: Rules, key: string, filename: string | undefined): Record<string, string> {
  if (filename !== undefined) return { 'response-content-disposition': attachmentDisposition(filename) };
  if (isActiveContent(key)) return { 'response-content-disposition': 'attachment' };
  if (!admitsActiveContent(rules.allowedContentTypes)) return {};
  const type = typeFromExtension(safeExtension(key));
  return type && !isActiveContent(type) ? { 'response-content-type': type } : { 'response-content-disposition': 'attachment' };
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
    query: downloadOverrides(grant.rules, key, req.filename as string | undefined),
    additionalHeaders: [],
    expiresSeconds: expiresWithinRules(grant.rules, req.expiresIn, grant.rules.urlExpiresSeconds),
  };
}
