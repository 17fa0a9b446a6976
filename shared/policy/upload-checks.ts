// Output 4: the checks applied to what OSS reports after an upload (callback or object-created event):
// the object's type, then its bucket, key, size and content type, then its file name.

import { isAllowedType } from './content-type';
import { ApiError, type ApiErrorCode } from '../api/errors';
import { mediaType } from '../text';
import { decodeFilename, FILENAME_META, filenameDigest } from './filename';
import { nameOfKey, safeName, userOfKey, validateKey } from './keys';
import type { Rules } from './rules';

export interface UploadReport {
  bucket: string;
  key: string;
  size: number;
  mimeType?: string;
}

export type UploadVerdict =
  | { ok: true; user: string; prefix: string }
  | { ok: false; code: ApiErrorCode; reason: string; user?: string };

/** Whether what OSS reports was stored keeps the rules, and whose upload it was (from the key alone). */
export function checkUpload(rules: Rules, report: UploadReport): UploadVerdict {
  if (report.bucket !== rules.bucket) return { ok: false, code: 'WrongBucket', reason: `bucket ${report.bucket} is not ${rules.bucket}` };
  try {
    validateKey(report.key);
  } catch (err) {
    return { ok: false, code: 'InvalidKey', reason: err instanceof ApiError ? err.message : 'invalid key' };
  }
  const owner = userOfKey(rules.prefixTemplate, report.key);
  if (!owner) return { ok: false, code: 'KeyOutsidePrefix', reason: 'the key is under no user prefix' };
  const { user } = owner;
  if (!Number.isSafeInteger(report.size) || report.size < 0) return { ok: false, code: 'InvalidSize', reason: 'size is not a byte count', user };
  if (report.size > rules.maxSize) return { ok: false, code: 'TooLarge', reason: `size ${report.size} is over ${rules.maxSize}`, user };
  if (report.size < rules.minSize) return { ok: false, code: 'TooSmall', reason: `size ${report.size} is under ${rules.minSize}`, user };
  const type = mediaType(report.mimeType);
  if (!isAllowedType(type, rules.allowedContentTypes)) {
    return { ok: false, code: 'ContentTypeNotAllowed', reason: `${type || 'no type'} is not allowed`, user };
  }
  return { ok: true, ...owner };
}

/**
 * Object types an upload may leave under a user's prefix: what PutObject, PostObject, CopyObject
 * (Normal) and multipart (Multipart) make. A symlink (PutSymlink) reads another key with the reader's
 * rights, and an appendable object (AppendObject) grows past every size and type check with each
 * append; an object whose type OSS does not report is refused too, rather than guessed at.
 */
export const ALLOWED_OBJECT_TYPES: readonly string[] = ['Normal', 'Multipart'];

/** Whether the type OSS reports (`x-oss-object-type`) for `key` may stay under a user's prefix. */
export function checkObjectType(rules: Rules, key: string, objectType: string): UploadVerdict {
  const owner = userOfKey(rules.prefixTemplate, key);
  if (!owner) return { ok: false, code: 'KeyOutsidePrefix', reason: 'the key is under no user prefix' };
  if (!ALLOWED_OBJECT_TYPES.includes(objectType)) {
    return { ok: false, code: 'ObjectTypeNotAllowed', reason: `a ${objectType || 'untyped'} object may not be stored under a user prefix`, user: owner.user };
  }
  return { ok: true, ...owner };
}

export type FilenameVerdict = { ok: true; filename: string } | { ok: false; code: ApiErrorCode; reason: string };

/**
 * The file name of a stored object, from what HeadObject reports as its x-oss-meta-filename
 * (`stored`, percent-encoded) and, for a callback, the digest of the value its MAC binds
 * (`signedSha256`, filenameDigest):
 * - a signed name must be stored exactly: absent is FilenameMissing, another value FilenameMismatch;
 * - a stored name must be the canonical encoding of a valid name (InvalidFilename) whose safe form
 *   is the key's last segment (FilenameMismatch): the key carries the name, so a name that does not
 *   reduce to it was not the one signed. This is all the event path can check: it has no MAC;
 * - with neither, the name is the key's last segment (a `${filename}` form's, the uploaded file's
 *   own name; an unnamed key's, its id).
 */
export function checkFilename(key: string, stored: string | undefined, signedSha256: string | undefined): FilenameVerdict {
  if (signedSha256 !== undefined && stored === undefined) return { ok: false, code: 'FilenameMissing', reason: `the upload was signed with a file name but OSS holds no ${FILENAME_META}` };
  if (signedSha256 !== undefined && filenameDigest(stored as string) !== signedSha256) {
    return { ok: false, code: 'FilenameMismatch', reason: `${FILENAME_META} is not the file name the upload was signed with` };
  }
  if (stored === undefined) return { ok: true, filename: nameOfKey(key) };
  const filename = decodeFilename(stored);
  if (filename === undefined) return { ok: false, code: 'InvalidFilename', reason: `${FILENAME_META} is not a percent-encoded UTF-8 file name of 1 to 255 characters` };
  if (safeName(filename) !== nameOfKey(key)) return { ok: false, code: 'FilenameMismatch', reason: `${FILENAME_META} names a file whose safe form is not the name the key ends with` };
  return { ok: true, filename };
}
