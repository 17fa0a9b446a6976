// One upload, however it was reported: confirmed with OSS itself, checked against the rules, and
// either turned into the upload event or handled as a violation (kept and flagged, or deleted).
//
// The report alone is not trusted: with STS credentials the client writes the callback body
// template, so any value in a callback body may be the client's own text. A HeadObject of the
// reported key must show the reported ETag; size and type are then OSS's, not the report's.
// Symlinks and appendable objects are never allowed under a user's prefix, whatever their ETag: a
// symlink reads another key with the reader's rights (its HeadObject answers for the target), and an
// appendable object grows past every size and type check with each AppendObject. The file name is
// OSS's too: the x-oss-meta-filename HeadObject reports, held to the key and to the signed name. So
// is how it is served and stored (Cache-Control, Content-Encoding…, storage class, tags): nothing
// signs those on an upload with STS credentials, nor the standard headers on a presigned PUT.

import type { ApiErrorCode } from '../../shared/api/errors';
import type { UploadEvent } from '../../shared/api/types';
import type { Config } from '../../shared/config';
import { checkFilename, checkObjectType, checkStoredSettings, checkUpload, type UploadVerdict } from '../../shared/policy/upload-checks';
import type { Credentials } from '../../shared/signer/credentials';
import { deleteObject, headObject, type OssTarget } from './oss-client';
import { uploadEvent, type UploadClaim } from './upload-event';

export type Outcome =
  /** `crc64`: HeadObject's x-oss-hash-crc64ecma, for the uploader to compare with its file. */
  | { kind: 'accepted'; event: UploadEvent; owner: { user: string; prefix: string }; crc64?: string }
  | { kind: 'violation'; code: ApiErrorCode; reason: string; user?: string; action: 'kept' | 'deleted' | 'delete-failed' }
  /** OSS does not hold what was reported (gone, replaced, or never there). */
  | { kind: 'unconfirmed'; code: 'ObjectNotFound' | 'ObjectChanged'; reason: string };

/** The bucket as the callback function reaches it: the internal endpoint, its own role's credentials. */
export function ossTarget(config: Config, credentials: Credentials): OssTarget {
  return { endpoint: config.internalEndpoint, pathStyle: config.pathStyle, region: config.rules.region, bucket: config.rules.bucket, credentials };
}

/** Throws OssRequestError when OSS cannot be asked. */
export async function confirmUpload(claim: UploadClaim, config: Config, credentials: Credentials, time: Date): Promise<Outcome> {
  const { rules } = config;
  const claimed = checkUpload(rules, { bucket: claim.bucket, key: claim.key, size: claim.size, mimeType: claim.mimeType ?? '' });
  // Not in our bucket or under no user's prefix: nothing this function may look at or delete.
  if (!claimed.ok && claimed.user === undefined) return { kind: 'violation', code: claimed.code, reason: claimed.reason, action: 'kept' };

  const target = ossTarget(config, credentials);
  const head = await headObject(target, claim.key);
  // HeadObject of a symlink answers for its target, so a link to a key that does not exist is a 404
  // too: a report of PutSymlink is a symlink even then (deleting a key that is gone costs nothing).
  const objectType = head?.objectType ?? (claim.createdBy === 'PutSymlink' ? 'Symlink' : undefined);
  if (objectType !== undefined) {
    const typed = checkObjectType(rules, claim.key, objectType);
    if (!typed.ok) return violation(typed, target, claim.key, config);
  }
  if (!head) return { kind: 'unconfirmed', code: 'ObjectNotFound', reason: `${claim.key} does not exist` };
  if (head.etag !== claim.etag) {
    return { kind: 'unconfirmed', code: 'ObjectChanged', reason: `${claim.key} does not have the reported ETag` };
  }
  const facts = { ...claim, size: head.size, mimeType: head.contentType, named: head.filename !== undefined };
  const verdict = checkUpload(rules, facts);
  if (!verdict.ok) return violation(verdict, target, claim.key, config);
  const settled = checkStoredSettings(head.settings, config.callback.bucketStorageClass);
  if (!settled.ok) return violation({ ...settled, user: verdict.user }, target, claim.key, config);
  const named = checkFilename(claim.key, head.filename, claim.signedFilenameSha256);
  if (!named.ok) return violation({ ...named, user: verdict.user }, target, claim.key, config);
  return { kind: 'accepted', event: uploadEvent({ ...facts, filename: named.filename }, verdict.user || (claim.signedOwner ?? ''), time), owner: verdict, crc64: head.crc64 };
}

/** A violation kept and flagged, or deleted when the rules say so and the key names its owner. */
async function violation(verdict: UploadVerdict & { ok: false }, target: OssTarget, key: string, config: Config): Promise<Outcome> {
  let action: 'kept' | 'deleted' | 'delete-failed' = 'kept';
  if (config.callback.onViolation === 'delete' && verdict.user !== undefined) {
    action = await deleteObject(target, key).then(
      () => 'deleted' as const,
      () => 'delete-failed' as const,
    );
  }
  return { kind: 'violation', code: verdict.code, reason: verdict.reason, user: verdict.user, action };
}
