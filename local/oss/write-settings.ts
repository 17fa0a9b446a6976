// What a write request sets on an object besides its bytes: stored response headers, user metadata,
// the object ACL, the storage class and tags (headers, or PostObject form fields of the same names),
// each checked as OSS checks it; x-oss-forbid-overwrite; and what RAM must allow for them.

import type { Principal } from '../iam/store';
import { parseObjectAcl, type ObjectAcl } from './acl';
import { authorize, type Operation } from './authorize';
import type { Ctx } from './context';
import { accessDenied, invalidArgument, OssError } from './errors';
import { STORAGE_CLASSES, type StorageClass } from '../../shared/policy/upload-checks';
import type { Admission, ObjectMeta } from './storage';

const STORED_HEADERS = ['cache-control', 'content-disposition', 'content-encoding', 'content-language', 'expires'];

/** Classes whose objects must be restored (RestoreObject, not served here) before they can be read. */
const ARCHIVED: ReadonlySet<string> = new Set(['Archive', 'ColdArchive', 'DeepColdArchive']);

/** Object tagging's limits (Object tagging page): 10 tags, keys 1–128 and values 0–256 characters of these. */
const MAX_TAGS = 10;
const TAG_TEXT = /^[\p{L}\p{N} +\-=._:/]*$/u;

export interface WriteSettings {
  acl?: ObjectAcl;
  storageClass?: StorageClass;
  /** Decoded key/value pairs, in the order given. */
  tags?: [string, string][];
}

export function storedHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(STORED_HEADERS.filter((h) => headers[h] !== undefined).map((h) => [h, headers[h]]));
}

export function userMeta(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([k]) => k.startsWith('x-oss-meta-')));
}

export const forbidsOverwrite = (v: string | undefined) => v?.toLowerCase() === 'true';

const fileAlreadyExists = (key: string) =>
  new OssError(409, 'FileAlreadyExists', 'The object you specified already exists and can not be overwritten.', { Key: key });

/** Refuse early (before the body is read) when x-oss-forbid-overwrite is set and the object exists. */
export function refuseExisting(ctx: Ctx, bucket: string, key: string, forbid: boolean): void {
  if (forbid && ctx.server.store.exists(bucket, key)) throw fileAlreadyExists(key);
}

/** The same check at commit time, where it holds (another upload may have landed meanwhile). */
export function overwriteAdmission(key: string, forbid: boolean): Admission {
  return (previous) => {
    if (previous && forbid) throw fileAlreadyExists(key);
  };
}

function parseStorageClass(value: string | undefined): StorageClass | undefined {
  if (value === undefined) return undefined;
  if ((STORAGE_CLASSES as readonly string[]).includes(value)) return value as StorageClass;
  throw invalidArgument('The storage class you specified is not valid.', { ArgumentName: 'x-oss-storage-class', ArgumentValue: value });
}

/**
 * x-oss-tagging: `k1=v1&k2=v2`, keys and values URL-encoded, a pair without `=` an empty value
 * (CopyObject page). Tags beyond the documented limits are refused with 400 InvalidArgument; the
 * API reference names no code of its own for them here, so the general one.
 */
function parseTagging(value: string | undefined): [string, string][] | undefined {
  if (value === undefined || value === '') return undefined;
  const bad = (why: string) => invalidArgument(`The object tags are not valid: ${why}.`, { ArgumentName: 'x-oss-tagging' });
  const tags = [...new URLSearchParams(value)];
  if (tags.length > MAX_TAGS) throw bad(`at most ${MAX_TAGS} tags`);
  if (new Set(tags.map(([k]) => k)).size !== tags.length) throw bad('a key is repeated');
  for (const [k, v] of tags) {
    if (k.length < 1 || k.length > 128 || v.length > 256) throw bad('a key is 1 to 128 characters, a value at most 256');
    if (!TAG_TEXT.test(k) || !TAG_TEXT.test(v)) throw bad('letters, digits, spaces and + - = . _ : / only');
  }
  return tags;
}

/** The ACL, storage class and tags a write asks for, from lower-cased headers or form fields. Throws 400 InvalidArgument. */
export function writeSettingsOf(fields: Record<string, string | undefined>): WriteSettings {
  return {
    acl: parseObjectAcl(fields['x-oss-object-acl']),
    storageClass: parseStorageClass(fields['x-oss-storage-class']),
    tags: parseTagging(fields['x-oss-tagging']),
  };
}

/**
 * RAM for a write: the operation's action (oss:PutObject) with oss:x-oss-object-acl set to the ACL
 * asked for, and oss:PutObjectTagging as well when it sets tags. A request without a signature may
 * overwrite a public-read-write object (authorize), but never set its ACL or tags: only the owner
 * and RAM principals may (PutObjectACL: "Only the bucket owner has permissions"), the stricter
 * reading for the write headers that the API reference does not address.
 */
export function authorizeWrite(principal: Principal | undefined, op: Operation, bucket: string, key: string, settings: WriteSettings, stored?: ObjectMeta): void {
  if (!principal && (settings.acl !== undefined || settings.tags !== undefined)) {
    throw accessDenied('You have no right to set the ACL or tags of this object without a signature.');
  }
  authorize(principal, op, { bucket, key, requestedAcl: settings.acl, stored });
  if (settings.tags) authorize(principal, 'PutObjectTagging', { bucket, key });
}

/** 403 InvalidObjectState: an object of an archive class cannot be read before RestoreObject (GetObject, CopyObject pages). */
export function refuseArchived(meta: ObjectMeta): void {
  if (meta.storageClass !== undefined && ARCHIVED.has(meta.storageClass)) {
    throw new OssError(403, 'InvalidObjectState', 'The operation is not valid for the object\'s state.', { Key: meta.key });
  }
}
