// What went wrong with an upload or a download, in words a user can act on. Every failure the
// library reports is an UploadError whose `code` a program can switch on.

import type { ApiErrorCode } from '../shared/api/errors';

/**
 * Every code an UploadError can carry: stable API (a program switches on them; never rename one).
 * What each means and what the user sees: client/README.md, "Errors".
 */
export const UPLOAD_ERROR_CODES = [
  'TooLarge',
  'TooSmall',
  'TypeNotAllowed',
  'Expired',
  'Unauthorized',
  'Denied',
  'AlreadyExists',
  'CallbackFailed',
  'Invalid',
  'Network',
  'Cancelled',
  'Server',
  'Busy',
  'Misconfigured',
  'SizeMismatch',
  'ChecksumMismatch',
  'Unverified',
  'ClockSkewed',
  'Interrupted',
  'FileUnreadable',
  'Unexpected',
] as const;
export type UploadErrorCode = (typeof UPLOAD_ERROR_CODES)[number];

export interface UploadErrorDetail {
  status?: number;
  serverCode?: string;
  requestId?: string;
  /** Seconds to wait before trying again, when the server said (Retry-After). */
  retryAfter?: number;
  /** The server's clock minus this machine's (ms), for ClockSkewed when it was measured. */
  clockOffsetMs?: number;
}

/** A failure the library reports: `code` for programs, `message` a sentence for the user. */
export class UploadError extends Error {
  override name = 'UploadError';
  constructor(
    readonly code: UploadErrorCode,
    message: string,
    /** What the server or OSS called it, when one of them answered. */
    readonly detail: UploadErrorDetail = {},
    /** The underlying error, for logs; never part of the message. */
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

// Codes of our API, by what the user can do about them; the rest go by status. Keyed by the
// catalogue's code type: a code renamed or removed there no longer compiles here.
const BY_API_CODE: Partial<Record<ApiErrorCode, UploadErrorCode>> = {
  TooLarge: 'TooLarge',
  PayloadTooLarge: 'TooLarge',
  TooSmall: 'TooSmall',
  ContentTypeNotAllowed: 'TypeNotAllowed',
  InvalidContentType: 'TypeNotAllowed',
  ContentTypeRequired: 'TypeNotAllowed',
  TokenExpired: 'Expired',
  KeyOutsidePrefix: 'Denied',
};

// OSS's own codes (its XML errors), as OSS spells them.
const BY_OSS_CODE: Record<string, UploadErrorCode> = {
  EntityTooLarge: 'TooLarge',
  EntityTooSmall: 'TooSmall',
  SecurityTokenExpired: 'Expired',
  ExpiredToken: 'Expired',
  RequestExpired: 'Expired',
  FileAlreadyExists: 'AlreadyExists',
  CallbackFailed: 'CallbackFailed',
  AccessDenied: 'Denied',
  SignatureDoesNotMatch: 'Denied',
  InvalidAccessKeyId: 'Denied',
  NoSuchKey: 'Invalid',
  RequestTimeTooSkewed: 'ClockSkewed',
  NoSuchUpload: 'Interrupted',
  SlowDown: 'Busy',
};

const SUMMARY: Record<UploadErrorCode, string> = {
  TooLarge: 'The file is too large',
  TooSmall: 'The file is too small',
  TypeNotAllowed: 'This type of file is not allowed',
  Expired: 'The permission to upload or download has expired; try again',
  Unauthorized: 'You are not signed in, or your sign-in has expired',
  Denied: 'Access denied',
  AlreadyExists: 'A file with this name already exists',
  CallbackFailed: 'The file was stored, but the upload callback failed',
  Invalid: 'The request was refused',
  Network: 'The network connection failed',
  Cancelled: 'The upload was cancelled',
  Server: 'The server failed; try again later',
  Busy: 'The service is busy; try again shortly',
  Misconfigured: 'The upload client is misconfigured',
  SizeMismatch: 'The upload is incomplete: OSS did not store the whole file',
  ChecksumMismatch: 'The upload is damaged: what OSS stored differs from the file',
  Unverified: 'The upload could not be checked',
  ClockSkewed: "This device's clock is wrong; set it right and try again",
  Interrupted: 'The upload was interrupted and its parts are gone from the server; start it again',
  FileUnreadable: 'The file could not be read; choose it again',
  Unexpected: 'Something unexpected went wrong in the upload client',
};

// Where the code alone says more than its category.
const SUMMARY_BY_API_CODE: Partial<Record<ApiErrorCode, string>> = {
  TokenExpired: 'Your sign-in has expired; sign in again',
  KeyOutsidePrefix: 'Access denied: that file belongs to someone else',
};

export function errorFromServer(status: number, serverCode: string | undefined, message: string | undefined, requestId?: string, retryAfter?: number): UploadError {
  let code: UploadErrorCode = own(BY_API_CODE, serverCode) ?? own(BY_OSS_CODE, serverCode) ?? byStatus(status);
  // OSS reports an expired URL, form policy or STS token as AccessDenied/InvalidAccessKeyId with a message.
  if ((code === 'Denied' || code === 'Invalid') && message && /expired/i.test(message)) code = 'Expired';
  const summary = own(SUMMARY_BY_API_CODE, serverCode) ?? SUMMARY[code];
  const wait = code === 'Busy' && retryAfter !== undefined ? ` (try again in ${retryAfter} s)` : '';
  const text = message ? `${summary} (${message})${wait}` : `${summary}${wait}`;
  return new UploadError(code, text, { status, serverCode, requestId, retryAfter });
}

// Server-chosen names must not reach Object.prototype ("constructor", "__proto__").
function own<T>(table: Partial<Record<string, T>>, name: string | undefined): T | undefined {
  return name !== undefined && Object.hasOwn(table, name) ? table[name] : undefined;
}

function byStatus(status: number): UploadErrorCode {
  if (status === 401) return 'Unauthorized';
  if (status === 403) return 'Denied';
  if (status === 409) return 'AlreadyExists';
  if (status === 413) return 'TooLarge';
  if (status === 203) return 'CallbackFailed';
  if (status === 429 || status === 503) return 'Busy';
  if (status >= 500) return 'Server';
  return 'Invalid';
}

/**
 * An answer from our API (`{"error":{code,message,requestId}}`) or from OSS (XML `<Error>`), as an
 * UploadError; `retryAfter` is the answer's Retry-After header.
 */
export function errorFromResponse(status: number, body: string, retryAfter?: string | null): UploadError {
  const wait = retryAfter && /^\d{1,6}$/.test(retryAfter) ? Number(retryAfter) : undefined;
  const json = parseJsonError(body);
  if (json) return errorFromServer(status, json.code, json.message, json.requestId, wait);
  const xml = parseOssXmlError(body);
  if (xml) return errorFromServer(status, xml.code, xml.message, xml.requestId, wait);
  return errorFromServer(status, undefined, undefined, undefined, wait);
}

function parseJsonError(body: string): { code?: string; message?: string; requestId?: string } | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    const error = (parsed as { error?: unknown } | null)?.error;
    if (error && typeof error === 'object') {
      const { code, message, requestId } = error as Record<string, unknown>;
      return { code: str(code), message: str(message), requestId: str(requestId) };
    }
  } catch {
    // not JSON
  }
  return undefined;
}

// OSS answers errors with a flat XML document; a regular expression reads it in Node and browsers alike.
export function parseOssXmlError(body: string): { code: string; message?: string; requestId?: string } | undefined {
  if (!/<Error>/.test(body)) return undefined;
  const field = (name: string) => {
    const m = new RegExp(`<${name}>([^<]*)</${name}>`).exec(body);
    return m ? decodeXmlText(m[1]) : undefined;
  };
  const code = field('Code');
  return code ? { code, message: field('Message'), requestId: field('RequestId') } : undefined;
}

function decodeXmlText(s: string): string {
  return s.replace(/&(lt|gt|quot|apos|amp);/g, (_, e: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[e] ?? '');
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** No answer arrived (offline, DNS, refused, reset, timed out, or a browser's CORS refusal); `cause` is kept off the message. */
export function networkError(cause?: unknown): UploadError {
  return new UploadError('Network', `${SUMMARY.Network}; check the connection and try again`, {}, { cause });
}

/** The file could not be read (removed, changed or no longer permitted since it was chosen). */
export function fileUnreadableError(cause: unknown): UploadError {
  return new UploadError('FileUnreadable', SUMMARY.FileUnreadable, {}, { cause });
}

/** Anything else, e.g. a bug: the original is kept as `cause`, never shown. */
export function asUploadError(err: unknown): UploadError {
  return err instanceof UploadError ? err : new UploadError('Unexpected', SUMMARY.Unexpected, {}, { cause: err });
}

/**
 * A request OSS refused for its date: this machine's clock is `offsetMs` behind the server's
 * (negative: ahead), when that could be measured.
 */
export function clockSkewedError(offsetMs: number | undefined, detail: UploadError['detail'] = {}): UploadError {
  if (offsetMs === undefined) {
    return new UploadError('ClockSkewed', `${SUMMARY.ClockSkewed} (OSS refused the request time: the clock is more than 15 minutes off)`, detail);
  }
  const minutes = Math.round(Math.abs(offsetMs) / 60_000);
  const way = offsetMs < 0 ? 'ahead of' : 'behind';
  return new UploadError('ClockSkewed', `${SUMMARY.ClockSkewed} (it is ${minutes} minutes ${way} the server's clock)`, { ...detail, clockOffsetMs: offsetMs });
}

export function cancelledError(): UploadError {
  return new UploadError('Cancelled', SUMMARY.Cancelled);
}

/**
 * Errors thrown by ali-oss as UploadErrors. Its own words (request URLs, upload ids, socket details)
 * never reach the message: only an OSS error document's code and message do.
 */
export function errorFromAliOss(err: unknown): UploadError {
  if (err instanceof UploadError) return err;
  const e = (err ?? {}) as { name?: string; status?: number; code?: string; message?: string; requestId?: string };
  if (e.name === 'cancel') return cancelledError();
  // ali-oss gives status -1 or -2 (or none) when no answer arrived: the connection failed or timed out.
  if (!e.status || e.status <= 0) return networkError(err);
  // A code means ali-oss read OSS's XML error and the message is OSS's; otherwise it is ali-oss's.
  return errorFromServer(e.status, e.code, e.code ? e.message : undefined, e.requestId);
}
