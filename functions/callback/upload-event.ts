// What OSS says was stored, from either of its two reports (the upload callback's body, or the
// Function Compute OSS trigger event), and the upload event the app receives. Both reports yield
// the same event id, so the app can de-duplicate what the at-least-once path delivers twice.

import { createHash } from 'node:crypto';
import { ApiError } from '../../shared/api/errors';
import type { UploadEvent } from '../../shared/api/types';
import type { MacFields } from '../../shared/callback-auth/mac';
import type { OssTriggerEvent } from '../../shared/http/event';
import { JsonError, parseJsonObject } from '../../shared/json';
import { mediaType, strictUtf8 } from '../../shared/text';

/** An upload as OSS reported it; the callback function confirms it with OSS before trusting it. */
export interface UploadClaim {
  bucket: string;
  key: string;
  /** Upper-case, unquoted: `9B2CF535F27731C974343645A3985328` or `<HEX>-<parts>` for multipart. */
  etag: string;
  size: number;
  mimeType?: string;
  /** The OSS operation that made the object, when the report says (the event name's second part, e.g. PutSymlink). */
  createdBy?: string;
  /** The digest (filenameDigest) of the x-oss-meta-filename value a verified callback MAC binds: OSS must hold a value with it. */
  signedFilenameSha256?: string;
}

/** A callback's report: the upload, and what it carries of the MAC the sign function pinned. */
export interface CallbackClaim extends UploadClaim {
  pinned: MacFields;
}

/** The ETag as OSS's callback and events spell it: no quotes, upper-case. HeadObject's is quoted. */
export function normalizeEtag(etag: string): string {
  return etag.trim().replace(/^"(.*)"$/, '$1').toUpperCase();
}

/** Hex SHA-256 of bucket, key and ETag: the same upload always has the same id, whichever path reports it. */
export function uploadEventId(bucket: string, key: string, etag: string): string {
  return createHash('sha256').update(`${bucket}\n${key}\n${normalizeEtag(etag)}`, 'utf8').digest('hex');
}

/** The event the app receives for a confirmed upload. */
export function uploadEvent(claim: UploadClaim & { mimeType: string; filename: string }, user: string, time: Date): UploadEvent {
  const etag = normalizeEtag(claim.etag);
  return {
    id: uploadEventId(claim.bucket, claim.key, etag),
    bucket: claim.bucket,
    key: claim.key,
    filename: claim.filename,
    user,
    size: claim.size,
    mimeType: claim.mimeType,
    etag,
    time: time.toISOString(),
  };
}

/** The event as log fields: the logger drops any field named `key`, so the object key travels as `object`. */
export function uploadEventLogFields(event: UploadEvent): Record<string, unknown> {
  const { key, ...rest } = event;
  return { ...rest, object: key };
}

function invalid(message: string): ApiError {
  return new ApiError('CallbackBodyInvalid', message);
}

function text(value: unknown, name: string, required = true): string | undefined {
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string' || (required && value === '')) throw invalid(`${name} must be a non-empty string`);
  return value;
}

function byteCount(value: unknown): number {
  const n = typeof value === 'string' && /^\d{1,16}$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) throw invalid('size must be a whole number of bytes');
  return n;
}

function fields(body: Buffer, contentType: string | undefined): Record<string, unknown> {
  const type = mediaType(contentType);
  const textBody = strictUtf8(body);
  if (textBody === undefined) throw invalid('the body is not valid UTF-8');
  if (type === 'application/json') {
    try {
      return parseJsonObject(textBody);
    } catch (err) {
      if (err instanceof JsonError) throw invalid(err.message);
      throw err;
    }
  }
  if (type === 'application/x-www-form-urlencoded' || type === '') {
    const params = new URLSearchParams(textBody);
    const out: Record<string, unknown> = {};
    for (const name of new Set(params.keys())) {
      const all = params.getAll(name);
      // Which of two values a reader picks differs between libraries; refuse rather than pick.
      if (all.length > 1) throw invalid(`${name} appears more than once`);
      out[name] = all[0];
    }
    return out;
  }
  throw new ApiError('CallbackBodyTypeNotSupported', `callback bodies are application/json or application/x-www-form-urlencoded, not ${type}`);
}

/**
 * The upload a callback body reports, read from OSS's system variables only (`bucket`, `object`,
 * `etag`, `size`, `mimeType`), and the MAC fields the sign function pinned beside them (`owner`,
 * `exp`, `keyPrefix`, `filenameSha256`, `mac`), which decide nothing until the MAC verifies; `x:` variables
 * are the client's and decide nothing. Throws ApiError CallbackBodyInvalid or CallbackBodyTypeNotSupported.
 */
export function claimFromCallbackBody(body: Buffer, contentType: string | undefined): CallbackClaim {
  const f = fields(body, contentType);
  return {
    bucket: text(f.bucket, 'bucket') as string,
    key: text(f.object, 'object') as string,
    etag: normalizeEtag(text(f.etag, 'etag') as string),
    size: byteCount(f.size),
    mimeType: text(f.mimeType, 'mimeType', false),
    pinned: { owner: f.owner, exp: f.exp, keyPrefix: f.keyPrefix, filenameSha256: f.filenameSha256, mac: f.mac },
  };
}

/**
 * The OSS trigger event names of every way an object appears, which this function polices (FC,
 * "Overview of OSS event triggers": oss:ObjectCreated:PutObject, PutSymlink, PostObject, CopyObject,
 * AppendObject, CompleteMultipartUpload; the event's eventName drops the `oss:`). The trigger should
 * subscribe to these only: InitiateMultipartUpload, UploadPart and UploadPartCopy make no object.
 */
export const UPLOAD_EVENT_NAMES = [
  'ObjectCreated:PutObject',
  'ObjectCreated:PostObject',
  'ObjectCreated:CompleteMultipartUpload',
  'ObjectCreated:AppendObject',
  'ObjectCreated:CopyObject',
  'ObjectCreated:PutSymlink',
];

export interface OssEventRecord {
  eventName: string;
  /** Undefined for event names other than UPLOAD_EVENT_NAMES. */
  claim?: UploadClaim;
  time: Date;
}

interface RawOssEvent {
  eventName?: unknown;
  eventTime?: unknown;
  oss?: { bucket?: { name?: unknown }; object?: { key?: unknown; eTag?: unknown; size?: unknown } };
}

/** The records of an OSS trigger event; a malformed upload record is ApiError CallbackBodyInvalid. */
export function recordsFromOssEvent(event: OssTriggerEvent): OssEventRecord[] {
  return event.events.map((raw) => {
    const e = (raw ?? {}) as RawOssEvent;
    const eventName = typeof e.eventName === 'string' ? e.eventName : '';
    const parsed = typeof e.eventTime === 'string' ? new Date(e.eventTime) : new Date(NaN);
    const time = Number.isNaN(parsed.getTime()) ? new Date() : parsed;
    if (!UPLOAD_EVENT_NAMES.includes(eventName)) return { eventName, time };
    const object = e.oss?.object ?? {};
    return {
      eventName,
      time,
      claim: {
        bucket: text(e.oss?.bucket?.name, 'oss.bucket.name') as string,
        key: text(object.key, 'oss.object.key') as string,
        etag: normalizeEtag(text(object.eTag, 'oss.object.eTag') as string),
        size: byteCount(object.size),
        createdBy: eventName.slice(eventName.indexOf(':') + 1),
      },
    };
  });
}
