// Output 4: the checks applied to what OSS reports after an upload (callback or object-created event):
// the object's type, then its bucket, key (under which storage rule), size, content type and the way
// it was written, then its file name.

import { isAllowedType } from './content-type';
import { ApiError, type ApiErrorCode } from '../api/errors';
import { httpTrim, mediaType } from '../text';
import { decodeFilename, FILENAME_META, filenameDigest } from './filename';
import { type KeyRule, writeRulesOf } from './grants';
import { nameOfKey, safeName, validateKey } from './keys';
import type { PathRule, Rules, UploadPath } from './rules';

export interface UploadReport {
  bucket: string;
  key: string;
  size: number;
  mimeType?: string;
  /** How OSS says the object was written (the OSS event's name: PutObject, PostObject, CompleteMultipartUpload, CopyObject…), when it says. */
  createdBy?: string;
  /** Whether OSS holds a file name (x-oss-meta-filename) for it, once HeadObject has said. */
  named?: boolean;
}

export type UploadVerdict =
  /** `user`: the key's `{uid}` ('' under a rule without one). */
  | { ok: true; user: string; prefix: string }
  | { ok: false; code: ApiErrorCode; reason: string; user?: string };

/** The upload path each way OSS reports a write to have been made; a copy is held to what a PUT may store. */
const PATH_OF: Record<string, UploadPath> = { PutObject: 'put', PostObject: 'form', CompleteMultipartUpload: 'multipart', CopyObject: 'put' };

/** The first limit of one rule that a stored object breaks, if any. */
function broken(rule: PathRule, report: UploadReport, user: string): (UploadVerdict & { ok: false }) | undefined {
  const { limits, path } = rule;
  if (report.size > limits.maxSize) return { ok: false, code: 'TooLarge', reason: `size ${report.size} is over ${limits.maxSize} (rule "${path}")`, user };
  if (report.size < limits.minSize) return { ok: false, code: 'TooSmall', reason: `size ${report.size} is under ${limits.minSize} (rule "${path}")`, user };
  const type = mediaType(report.mimeType);
  if (!isAllowedType(type, limits.allowedContentTypes)) {
    return { ok: false, code: 'ContentTypeNotAllowed', reason: `${type || 'no type'} is not allowed (rule "${path}")`, user };
  }
  const way = report.createdBy === undefined ? undefined : PATH_OF[report.createdBy];
  if (way !== undefined && !limits.uploadPaths.includes(way)) {
    return { ok: false, code: 'RuleDenied', reason: `rule "${path}" allows uploads by ${limits.uploadPaths.join(', ')} only; this object was made by ${report.createdBy}`, user };
  }
  if (limits.requireFilename && report.named === false) return { ok: false, code: 'FilenameMissing', reason: `rule "${path}" requires a file name (${FILENAME_META})`, user };
  return undefined;
}

/**
 * Whether what OSS reports was stored keeps the rules, and whose upload it was (from the key alone):
 * the storage rules some writer could have stored the key under, in order; the first whose limits
 * (size, type, upload path, a required file name) it keeps decides, and when none does, the first
 * one's refusal.
 */
export function checkUpload(rules: Rules, report: UploadReport): UploadVerdict {
  if (report.bucket !== rules.bucket) return { ok: false, code: 'WrongBucket', reason: `bucket ${report.bucket} is not ${rules.bucket}` };
  try {
    validateKey(report.key);
  } catch (err) {
    return { ok: false, code: 'InvalidKey', reason: err instanceof ApiError ? err.message : 'invalid key' };
  }
  const under = writeRulesOf(rules, report.key);
  if (under.length === 0) return { ok: false, code: 'KeyOutsidePrefix', reason: 'the key is under no user prefix' };
  const { user } = under[0];
  if (!Number.isSafeInteger(report.size) || report.size < 0) return { ok: false, code: 'InvalidSize', reason: 'size is not a byte count', user };
  let refusal: (UploadVerdict & { ok: false }) | undefined;
  for (const k of under) {
    const fault = broken(k.rule, report, k.user);
    if (!fault) return verdictOf(k);
    refusal ??= fault;
  }
  return refusal as UploadVerdict;
}

function verdictOf(k: KeyRule): UploadVerdict {
  return { ok: true, user: k.user, prefix: k.prefix };
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
  const [under] = writeRulesOf(rules, key);
  if (!under) return { ok: false, code: 'KeyOutsidePrefix', reason: 'the key is under no user prefix' };
  if (!ALLOWED_OBJECT_TYPES.includes(objectType)) {
    return { ok: false, code: 'ObjectTypeNotAllowed', reason: objectType ? `an object of type ${objectType} may not be stored under a user prefix` : 'an object without a type may not be stored under a user prefix', user: under.user };
  }
  return verdictOf(under);
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

/**
 * OSS's storage classes, as x-oss-storage-class names them on a write and HeadObject reports them
 * (PutObject page, https://www.alibabacloud.com/help/en/oss/developer-reference/putobject).
 */
export const STORAGE_CLASSES = ['Standard', 'IA', 'Archive', 'ColdArchive', 'DeepColdArchive'] as const;
export type StorageClass = (typeof STORAGE_CLASSES)[number];

/**
 * Standard HTTP headers OSS keeps with an object when a write sends them and serves back on every
 * GetObject and HeadObject ("Manage object metadata", https://www.alibabacloud.com/help/doc-detail/31859.htm:
 * OSS retains these standard HTTP headers for each object; the PutObject page takes them as request
 * headers). None of our uploads sends one, and no upload may:
 * - Cache-Control: a CDN in front of the bucket may cache a private object publicly;
 * - Content-Disposition: a browser saves or shows the object under another name or as inline;
 * - Content-Encoding: every reader decodes the bytes (gzip, br…) and gets garbage or an error;
 * - Content-Language: a claim about the content nobody checked;
 * - Expires: caching, as Cache-Control.
 * A presigned PUT signs none of them (only Content-Type, Content-Length and x-oss-*), and a RAM
 * session policy cannot condition on them: OSS's condition keys are acs:* and oss:x-oss-acl,
 * oss:x-oss-object-acl, oss:Prefix, oss:Delimiter, oss:BucketTag, oss:ExistingObjectTag and
 * oss:RequestObjectTag ("OSS authorization syntax and elements",
 * https://www.alibabacloud.com/help/en/oss/user-guide/authorization-syntax-and-elements).
 * So only what HeadObject reports after the upload can be held to them.
 */
export const SERVING_HEADERS = ['cache-control', 'content-disposition', 'content-encoding', 'content-language', 'expires'] as const;

/** What HeadObject reports of how an object is served and stored, by lower-case header name; absent when OSS sends none. */
export interface StoredSettings {
  headers: Partial<Record<(typeof SERVING_HEADERS)[number], string>>;
  /** `x-oss-storage-class`. */
  storageClass?: string;
  /** `x-oss-tagging-count`: how many tags the object has (GetObject, HeadObject pages; sent only when it has some). */
  taggingCount?: string;
  /**
   * `x-oss-force-download: true`: OSS added `Content-Disposition: attachment` to the answer itself, as
   * it does on its default domain names for images (and more types in some regions) in buckets
   * created after 2019-09-24 (OSS error page 0048-00000101,
   * https://www.alibabacloud.com/help/en/oss/user-guide/0048-00000101).
   */
  forcedDownload?: boolean;
}

export type SettingsVerdict = { ok: true } | { ok: false; code: ApiErrorCode; reason: string };

const refused = (reason: string): SettingsVerdict => ({ ok: false, code: 'ObjectSettingNotAllowed', reason });

/**
 * Whether a stored object keeps the settings our uploads leave alone (ObjectSettingNotAllowed if not):
 * - none of SERVING_HEADERS, except `Content-Encoding: identity`, which OSS's metadata page gives
 *   as the value of an object that is not encoded, so it changes nothing a reader sees, and a bare
 *   `Content-Disposition: attachment` beside `x-oss-force-download: true`, which OSS adds itself on
 *   its default domain names (the callback reaches OSS on one) to every image of a newer bucket.
 *   Such an answer hides whether the object also holds a plain `attachment` of its own: that one
 *   passes, the stricter reading refusing every image upload of ours; it only makes a browser
 *   download what every `/sign` GET serves as an attachment anyway;
 * - the storage class the bucket gives an object whose write names none (`bucketStorageClass`,
 *   OSS_STORAGE_CLASS). A write with x-oss-storage-class gets that class whatever the bucket's, e.g.
 *   Standard in an IA bucket (OSS error page 0017-00000131,
 *   https://www.alibabacloud.com/help/en/oss/support/0017-00000131); one without it gets the
 *   bucket's. An Archive or colder object cannot be read before a RestoreObject; an IA one is
 *   billed a minimum size and duration. A class OSS does not report is taken as the bucket's: the
 *   stricter reading (refuse it) would refuse every upload of ours if OSS left the header out for
 *   the bucket's own class, as S3 does for STANDARD;
 * - no tags (`x-oss-tagging-count` above 0): tags drive lifecycle rules and bucket policies.
 * Server-side encryption is not checked: a bucket with default encryption reports
 * x-oss-server-side-encryption on every object, so HeadObject cannot tell a client's SSE from the
 * bucket's. Readers decrypt OSS-managed AES256 transparently; that KMS encryption needs KMS rights
 * the upload role lacks is our inference, not checked against OSS.
 * Returns `{ ok: true }`, or the code and a reason naming the first setting found (values quoted,
 * cut to 64 characters); throws nothing.
 */
export function checkStoredSettings(stored: StoredSettings, bucketStorageClass: StorageClass): SettingsVerdict {
  for (const name of SERVING_HEADERS) {
    const value = stored.headers[name];
    if (value === undefined) continue;
    if (name === 'content-encoding' && httpTrim(value).toLowerCase() === 'identity') continue;
    if (name === 'content-disposition' && stored.forcedDownload === true && httpTrim(value).toLowerCase() === 'attachment') continue;
    return refused(`the object is stored with ${name}: ${JSON.stringify(value.slice(0, 64))}, which changes how it is served; uploads may not set it`);
  }
  if (stored.storageClass !== undefined && stored.storageClass !== bucketStorageClass) {
    return refused(`the object is stored as ${stored.storageClass.slice(0, 32)}, not the bucket's ${bucketStorageClass}; uploads may not set x-oss-storage-class`);
  }
  if (stored.taggingCount !== undefined && httpTrim(stored.taggingCount) !== '0') {
    return refused(`the object has ${stored.taggingCount.slice(0, 8)} tag(s); uploads may not set x-oss-tagging`);
  }
  return { ok: true };
}
