// The user's file name exactly as given: carried in the object's user metadata (x-oss-meta-filename),
// percent-encoded (UTF-8) so any Unicode name travels in an HTTP header and round-trips, and bound
// into a callback's MAC as a digest. The safe, readable form a key ends with is keys.ts's safeName;
// the two must agree (upload-checks.ts).

import { createHash } from 'node:crypto';
import { ApiError } from '../api/errors';

/** The user metadata header holding the exact name (`x-oss-meta-*` is signed in V4 and V1 alike). */
export const FILENAME_META = 'x-oss-meta-filename';

/** Characters (UTF-16 code units) a file name may have. */
export const FILENAME_MAX_CHARS = 255;

function isFilename(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= FILENAME_MAX_CHARS && value.isWellFormed();
}

/** The client's file name as given (undefined when absent); ApiError InvalidFilename unless 1–255 characters of valid Unicode. */
export function exactFilename(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (!isFilename(value)) throw new ApiError('InvalidFilename', `filename must be a string of 1 to ${FILENAME_MAX_CHARS} characters of valid Unicode`);
  return value;
}

/** The value of x-oss-meta-filename for a name: its UTF-8 bytes percent-encoded (encodeURIComponent), ASCII only. */
export function encodeFilename(name: string): string {
  return encodeURIComponent(name);
}

/**
 * What a callback's MAC binds of the name an upload is signed with: Base64url SHA-256 of the
 * x-oss-meta-filename value (43 characters), so the callback parameter stays short whatever the name's
 * length (the value alone may take 2.3 KB, and rides beside the callback on CompleteMultipartUpload).
 */
export function filenameDigest(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('base64url');
}

/**
 * The name an x-oss-meta-filename value carries, or undefined when it is not the canonical encoding
 * (encodeFilename) of a valid file name: invalid UTF-8, another spelling of the same bytes (`%41`
 * for `A`, lower-case hex), or a name outside exactFilename's bounds.
 */
export function decodeFilename(value: string): string | undefined {
  let name: string;
  try {
    name = decodeURIComponent(value);
  } catch {
    return undefined;
  }
  return isFilename(name) && encodeFilename(name) === value ? name : undefined;
}
