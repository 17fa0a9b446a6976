// Symlinks: PutSymlink and GetSymlink (`?symlink`), and reads through a link. Sources: the API
// reference's PutSymlink, GetSymlink, GetObject and HeadObject pages, the Python SDK's symlink tests
// (a HEAD of a link answers the target's length and ETag with the link's own metadata) and the Go
// SDK 1.5.0's (ListObjects calls a link's type Symlink; the target travels URL-encoded both ways).

import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { percentEncode } from '../verify/percent';
import { authorize } from './authorize';
import type { Ctx } from './context';
import { invalidArgument, OssError } from './errors';
import { commitUpload, writtenHeaders } from './finish-upload';
import { checkObjectName, decodeKeyHeader } from './request';
import { sendEmpty } from './respond';
import { objectType, type ObjectMeta } from './storage';
import { httpDate } from './time';
import { authorizeWrite, forbidsOverwrite, overwriteAdmission, refuseExisting, storedHeaders, userMeta, writeSettingsOf } from './write-settings';

export type ReadOperation = 'GetObject' | 'HeadObject' | 'GetObjectMeta';

/** What a read answers with (`meta`) and the object whose bytes it serves (`content`). */
export interface ReadView {
  meta: ObjectMeta;
  content: ObjectMeta;
}

const noSuchKey = (key: string) => new OssError(404, 'NoSuchKey', 'The specified key does not exist.', { Key: key });

/**
 * The object a read names, through its symlink when it is one. The requester must be allowed the
 * read on the link and, with the same identity, on the target (PutSymlink: "the ACL of a symbolic
 * link and the ACL of the target object are checked when … GetObject … accesses the target"; the
 * Symbolic links page: a user needs permission on both, access is denied if either is missing).
 * Through a link, Content-Length, ETag and Content-MD5 are the target's and Last-Modified the later
 * of the two; every other header is the link's own (HeadObject page). The CRC-64 is the target's
 * too, which that page leaves open: it describes the bytes served, and SDKs compare it with them.
 */
export function openForRead(ctx: Ctx, op: ReadOperation): ReadView {
  const bucket = ctx.oss.bucket as string;
  const key = checkObjectName(ctx.oss.key);
  const principal = ctx.auth?.principal;
  const store = ctx.server.store;
  const link = store.head(bucket, key);
  authorize(principal, op, { bucket, key, stored: link });
  if (!link) throw noSuchKey(key);
  if (objectType(link) !== 'Symlink') return { meta: link, content: link };
  const targetKey = link.symlinkTarget as string;
  const target = store.head(bucket, targetKey);
  authorize(principal, op, { bucket, key: targetKey, stored: target });
  if (!target) throw new OssError(404, 'SymlinkTargetNotExist', 'The symlink target object does not exist.', { Key: key, Target: targetKey });
  if (objectType(target) === 'Symlink') throw new OssError(400, 'InvalidTargetType', 'The symlink target object is a symlink.', { Key: key, Target: targetKey });
  const lastModified = Date.parse(link.lastModified) >= Date.parse(target.lastModified) ? link.lastModified : target.lastModified;
  return {
    meta: { ...link, size: target.size, etag: target.etag, contentMd5: target.contentMd5, crc64: target.crc64, lastModified },
    content: target,
  };
}

/**
 * PutSymlink (`PUT /<key>?symlink`): authorised as oss:PutObject (and oss:PutObjectTagging with
 * x-oss-tagging), like any write, and never checked against the target: OSS checks neither its
 * existence nor the requester's access to it until a read goes through the link.
 */
export async function putSymlink(ctx: Ctx): Promise<void> {
  const { oss, server } = ctx;
  const bucket = oss.bucket as string;
  const key = checkObjectName(oss.key);
  const raw = oss.headers['x-oss-symlink-target'];
  // EC 0043-00000001: the header is required.
  if (raw === undefined) throw invalidArgument('x-oss-symlink-target is required.', { ArgumentName: 'x-oss-symlink-target' });
  const target = checkObjectName(decodeKeyHeader(raw, 'x-oss-symlink-target'));
  const settings = writeSettingsOf(oss.headers);
  authorizeWrite(ctx.auth?.principal, 'PutSymlink', bucket, key, settings);
  const forbid = forbidsOverwrite(oss.headers['x-oss-forbid-overwrite']);
  refuseExisting(ctx, bucket, key, forbid);
  ctx.req.resume();
  const empty = await server.store.receive(bucket, Readable.from([]));
  // A link holds no bytes (its CRC-64 is that of nothing, 0, as OSS answers it); the ETag is not the
  // MD5 of its content, so it is the target's name's, which changes when the link is repointed.
  const etag = createHash('md5').update(target, 'utf8').digest('hex').toUpperCase();
  const finished = commitUpload(
    ctx,
    'PutSymlink',
    bucket,
    key,
    { ...empty, etag, contentMd5: undefined },
    {
      contentType: oss.headers['content-type'] || 'application/octet-stream',
      headers: storedHeaders(oss.headers),
      userMeta: userMeta(oss.headers),
      ...settings,
      type: 'Symlink',
      symlinkTarget: target,
    },
    overwriteAdmission(key, forbid),
  );
  sendEmpty(ctx.res, 200, writtenHeaders(finished.meta));
}

/**
 * GetSymlink (`GET /<key>?symlink`): oss:GetObject on the link only. The target comes back
 * URL-encoded, as the SDKs decode it. Asked of an object that is not a link, OSS refuses with EC
 * 0043-00000101; the code name is not in any source found, so NotSymlink (400) is this endpoint's.
 */
export function getSymlink(ctx: Ctx): void {
  const bucket = ctx.oss.bucket as string;
  const key = checkObjectName(ctx.oss.key);
  authorize(ctx.auth?.principal, 'GetSymlink', { bucket, key });
  const link = ctx.server.store.head(bucket, key);
  if (!link) throw noSuchKey(key);
  if (objectType(link) !== 'Symlink') throw new OssError(400, 'NotSymlink', 'The specified object is not a symlink.', { Key: key });
  sendEmpty(ctx.res, 200, {
    'x-oss-symlink-target': percentEncode(link.symlinkTarget as string),
    ETag: `"${link.etag}"`,
    'Last-Modified': httpDate(new Date(link.lastModified)),
    ...link.userMeta,
  });
}
