// An HTTP trigger event read into a request: headers by lower-case name, the body's exact bytes, the
// path decoded, and the body as a JSON object when the route takes one.

import { ApiError } from '../api/errors';
import type { Config } from '../config';
import { JsonError, parseJsonObject } from '../json';
import type { LogFields } from '../log';
import { strictBase64 } from '../base64';
import { mediaType, strictUtf8 } from '../text';
import type { FcContext, FcHttpEvent } from './event';

/** One HTTP request as a route sees it. */
export interface Request {
  method: string;
  /** Percent-decoded path. */
  path: string;
  /** The path as it arrived, still percent-encoded. */
  rawPath: string;
  /** Header names lower-cased; repeated headers arrive comma-joined from FC. */
  headers: Record<string, string>;
  query: Record<string, string>;
  /** The body bytes exactly as sent (the callback signature covers them). */
  body: Buffer;
  requestId: string;
  sourceIp?: string;
  context: FcContext;
  config: Config;
  header(name: string): string | undefined;
  /** Add fields to this request's log line. */
  note(fields: LogFields): void;
}

/** Header names lower-cased; an array value (repeated header) comma-joined; anything else dropped. */
export function lowerHeaders(headers: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (headers && typeof headers === 'object') {
    for (const [k, v] of Object.entries(headers)) {
      if (typeof v === 'string') out[k.toLowerCase()] = v;
      else if (Array.isArray(v)) out[k.toLowerCase()] = v.join(',');
    }
  }
  return out;
}

/** The body's bytes; throws ApiError MalformedEvent or MalformedBody. */
export function bodyBytes(ev: FcHttpEvent): Buffer {
  if (ev.body === undefined || ev.body === null) return Buffer.alloc(0);
  if (typeof ev.body !== 'string') throw new ApiError('MalformedEvent', 'the event body is not a string');
  if (!ev.isBase64Encoded) return Buffer.from(ev.body, 'utf8');
  const bytes = strictBase64(ev.body);
  if (!bytes) throw new ApiError('MalformedBody', 'the body is not valid Base64');
  return bytes;
}

/** The percent-decoded path; throws ApiError MalformedPath. */
export function decodePath(rawPath: string): string {
  try {
    return decodeURIComponent(rawPath);
  } catch {
    throw new ApiError('MalformedPath', 'the path is not valid percent-encoding');
  }
}

/** The body as a JSON object ({} when empty); throws ApiError UnsupportedMediaType or MalformedJson. */
export function readJson(req: Request): Record<string, unknown> {
  if (req.body.length === 0) return {};
  const type = mediaType(req.header('content-type'));
  if (type !== '' && type !== 'application/json' && type !== 'text/plain') {
    throw new ApiError('UnsupportedMediaType', `expected application/json, got ${type}`);
  }
  const text = strictUtf8(req.body);
  if (text === undefined) throw new ApiError('MalformedJson', 'the body is not valid UTF-8');
  try {
    return parseJsonObject(text);
  } catch (err) {
    if (err instanceof JsonError) throw new ApiError('MalformedJson', err.message);
    throw err;
  }
}
