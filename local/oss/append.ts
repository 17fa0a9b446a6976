// AppendObject (`POST /<key>?append&position=<n>`). Sources: the API reference's AppendObject page
// (positions, ObjectNotAppendable and PositionNotEqualToLength, x-oss-next-append-position, the
// CRC-64 of the whole object), the Go SDK v2's integration test (409 PositionNotEqualToLength on a
// repeated position 0) and the Python SDK's mock (an Appendable object's ETag is no MD5).

import { createHash } from 'node:crypto';
import type { Ctx } from './context';
import { invalidArgument, OssError } from './errors';
import { commitUpload, writtenHeaders } from './finish-upload';
import { contentMd5Of, digestMismatch } from './objects';
import { checkObjectName, queryValue } from './request';
import { sendEmpty } from './respond';
import { MAX_OBJECT_SIZE, objectType, type Admission, type ObjectMeta } from './storage';
import { authorizeWrite, storedHeaders, userMeta, writeSettingsOf } from './write-settings';

const NEXT_POSITION = 'x-oss-next-append-position';

const notAppendable = (key: string) => new OssError(409, 'ObjectNotAppendable', 'The object is not appendable.', { Key: key });

/** Where the next append must start: the object's length, in the header the 409 carries. */
const positionMismatch = (length: number) =>
  new OssError(409, 'PositionNotEqualToLength', 'Position is not equal to file length.', {}, { [NEXT_POSITION]: String(length) });

function positionOf(ctx: Ctx): number {
  const raw = queryValue(ctx.oss, 'position');
  if (raw === undefined || !/^\d{1,16}$/.test(raw)) throw invalidArgument('position must be a non-negative integer.', { ArgumentName: 'position' });
  return Number(raw);
}

/**
 * Whether an append at `position` may go on `current`: only an Appendable object (or none) takes
 * it, and only at its length (0 when there is none).
 */
function checkAppend(key: string, current: ObjectMeta | undefined, position: number): void {
  if (current && objectType(current) !== 'Appendable') throw notAppendable(key);
  const length = current?.size ?? 0;
  if (position !== length) throw positionMismatch(length);
}

/**
 * The same check when the appended bytes are about to land: another append (or a PutObject) may
 * have changed the object while the body was received. An append never replaces an object, so
 * x-oss-forbid-overwrite has nothing to refuse here.
 */
function appendAdmission(key: string, seen: ObjectMeta | undefined, position: number): Admission {
  return (previous) => {
    checkAppend(key, previous, position);
    if (previous?.data !== seen?.data) throw positionMismatch(previous?.size ?? 0);
  };
}

/**
 * Authorised as oss:PutObject (and oss:PutObjectTagging with x-oss-tagging). Metadata, ACL,
 * storage class and tags are set by the append that creates the object; the page says later
 * appends cannot carry x-oss-meta-*, so they are refused (400 InvalidArgument), and the storage
 * class "takes effect only" on the first, as do the ACL and tags here (the page is silent on
 * them; the stricter reading lets no later append change them).
 */
export async function appendObject(ctx: Ctx): Promise<void> {
  const { oss, server } = ctx;
  const bucket = oss.bucket as string;
  const key = checkObjectName(oss.key);
  const settings = writeSettingsOf(oss.headers);
  authorizeWrite(ctx.auth?.principal, 'AppendObject', bucket, key, settings);
  const position = positionOf(ctx);
  const md5 = contentMd5Of(oss);
  const current = server.store.head(bucket, key);
  checkAppend(key, current, position);
  if (current && Object.keys(userMeta(oss.headers)).length > 0) {
    throw invalidArgument('x-oss-meta-* can be given only by the append that creates the object.', { ArgumentName: 'x-oss-meta-*' });
  }
  const length = oss.headers['content-length'];
  const appended = await server.store.receive(bucket, ctx.req, {
    maxSize: MAX_OBJECT_SIZE - position,
    expectedSize: length === undefined ? undefined : Number(length),
    crc64After: current?.crc64,
  });
  if (md5 !== undefined && md5 !== appended.contentMd5) {
    server.store.discard(appended);
    throw digestMismatch();
  }
  if (current && appended.size === 0) {
    // "Appending an object 0 KB in size to an existing append object" leaves it as it is.
    server.store.discard(appended);
    return sendEmpty(ctx.res, 200, { ...writtenHeaders(current), [NEXT_POSITION]: String(current.size) });
  }
  // Not the MD5 of the content (OSS's ETag is that for PutObject only): a digest of the chain.
  const etag = createHash('md5').update(`${current?.etag ?? ''}:${appended.etag}`).digest('hex').toUpperCase();
  const admit = appendAdmission(key, current, position);
  const staged = await server.store.stageAppend(bucket, current, appended, etag).catch((err: unknown) => {
    // The object's bytes went away while they were copied: say what changed, if something did.
    admit(server.store.head(bucket, key));
    throw err;
  });
  const written = current
    ? { contentType: current.contentType, headers: current.headers, userMeta: current.userMeta, acl: current.acl, storageClass: current.storageClass, tags: current.tags }
    : { contentType: oss.headers['content-type'] || 'application/octet-stream', headers: storedHeaders(oss.headers), userMeta: userMeta(oss.headers), ...settings };
  const finished = commitUpload(ctx, 'AppendObject', bucket, key, staged, { ...written, type: 'Appendable' }, admit);
  sendEmpty(ctx.res, 200, { ...writtenHeaders(finished.meta), [NEXT_POSITION]: String(finished.meta.size) });
}
