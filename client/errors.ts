// What went wrong with an upload or a download, in words a user can act on. Every failure the
// library reports is an UploadError whose `code` a program can switch on.

import type { ApiErrorCode } from '../shared/api/errors';

export type UploadErrorCode =
  | 'TooLarge'
  | 'TooSmall'
  | 'TypeNotAllowed'
  | 'Expired'
  | 'Unauthorized'
  | 'Denied'
  | 'AlreadyExists'
  | 'CallbackFailed'
  | 'Invalid'
  | 'Network'
  | 'Cancelled'
  | 'Server'
  | 'Misconfigured'
  | 'SizeMismatch'
  | 'ChecksumMismatch'
  | 'Unverified'
  | 'ClockSkewed';

export class UploadError extends Error {
  override name = 'UploadError';
  constructor(
    readonly code: UploadErrorCode,
    message: string,
    /** What the server or OSS called it, when one of them answered. */
    readonly detail: { status?: number; serverCode?: string; requestId?: string; clockOffsetMs?: number } = {},
  ) {
    super(message);
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
  Misconfigured: 'The upload client is misconfigured',
  SizeMismatch: 'The upload is incomplete: OSS did not store the whole file',
  ChecksumMismatch: 'The upload is damaged: what OSS stored differs from the file',
  Unverified: 'The upload could not be checked',
  ClockSkewed: "This device's clock is wrong; set it right and try again",
};

// Where the code alone says more than its category.
const SUMMARY_BY_API_CODE: Partial<Record<ApiErrorCode, string>> = {
  TokenExpired: 'Your sign-in has expired; sign in again',
  KeyOutsidePrefix: 'Access denied: that file belongs to someone else',
};

export function errorFromServer(status: number, serverCode: string | undefined, message: string | undefined, requestId?: string): UploadError {
  let code: UploadErrorCode = own(BY_API_CODE, serverCode) ?? own(BY_OSS_CODE, serverCode) ?? byStatus(status);
  // OSS reports an expired URL, form policy or STS token as AccessDenied/InvalidAccessKeyId with a message.
  if ((code === 'Denied' || code === 'Invalid') && message && /expired/i.test(message)) code = 'Expired';
  const summary = own(SUMMARY_BY_API_CODE, serverCode) ?? SUMMARY[code];
  const text = message ? `${summary} (${message})` : summary;
  return new UploadError(code, text, { status, serverCode, requestId });
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
  if (status >= 500) return 'Server';
  return 'Invalid';
}

/** An answer from our API (`{"error":{code,message,requestId}}`) or from OSS (XML `<Error>`), as an UploadError. */
export function errorFromResponse(status: number, body: string): UploadError {
  const json = parseJsonError(body);
  if (json) return errorFromServer(status, json.code, json.message, json.requestId);
  const xml = parseOssXmlError(body);
  if (xml) return errorFromServer(status, xml.code, xml.message, xml.requestId);
  return errorFromServer(status, undefined, undefined);
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

export function networkError(cause?: unknown): UploadError {
  const why = cause instanceof Error && cause.message ? ` (${cause.message})` : '';
  return new UploadError('Network', `${SUMMARY.Network}${why}; check the connection and try again`);
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

/** Errors thrown by ali-oss (status, code, message fields; `name: 'cancel'` objects) as UploadErrors. */
export function errorFromAliOss(err: unknown): UploadError {
  if (err instanceof UploadError) return err;
  const e = (err ?? {}) as { name?: string; status?: number; code?: string; message?: string; requestId?: string };
  if (e.name === 'cancel') return cancelledError();
  // ali-oss gives status -1 or 0 when no answer arrived: the connection failed.
  if (e.status && e.status > 0) return errorFromServer(e.status, e.code, e.message, e.requestId);
  return networkError(err);
}
