// The last steps every write that leaves an object shares: make the staged file the object and
// emit the object-created event; for the uploads that take a callback (PutObject, PostObject,
// CompleteMultipartUpload), then make the callback and answer.

import type { Ctx } from './context';
import { runCallback, type CallbackFacts, type CallbackSpec } from './callback';
import { OssError } from './errors';
import { objectCreatedEvent, type CreatedBy } from './event';
import { sendError } from './respond';
import type { Admission, ObjectMeta, Staged, WrittenMeta } from './storage';

/** The headers OSS answers a write with: the quoted ETag and the CRC-64 of what it stored. */
export function writtenHeaders(written: { etag: string; crc64?: string }): Record<string, string> {
  return { ETag: `"${written.etag}"`, ...(written.crc64 === undefined ? {} : { 'x-oss-hash-crc64ecma': written.crc64 }) };
}

export interface Finished {
  meta: ObjectMeta;
  /** Without quotes, as ${etag} and the event carry it. */
  etag: string;
}

export function commitUpload(
  ctx: Ctx,
  operation: CreatedBy,
  bucket: string,
  key: string,
  staged: Staged,
  meta: WrittenMeta,
  admit: Admission,
): Finished {
  const { server } = ctx;
  let previous: ObjectMeta | undefined;
  const stored = server.store.commit(bucket, key, staged, meta, server.now(), (replaced) => {
    previous = replaced;
    admit(replaced);
  });
  const onCreated = server.options.onObjectCreated;
  if (onCreated) {
    const event = objectCreatedEvent({
      operation,
      region: server.options.region,
      accountId: server.options.iam.accountId,
      bucket,
      key,
      etag: stored.etag,
      size: stored.size,
      deltaSize: stored.size - (previous?.size ?? 0),
      requestId: ctx.requestId,
      sourceIp: ctx.clientIp,
      principalId: ctx.auth?.principal.name ?? 'anonymous',
      time: server.now(),
    });
    server.background(() => onCreated(event));
  }
  return { meta: stored, etag: stored.etag };
}

/**
 * With a callback: relay its answer (200) or 203 CallbackFailed; the object stays either way.
 * Without: `plain()` writes the operation's usual answer.
 */
export async function answerUpload(ctx: Ctx, operation: CallbackFacts['operation'], finished: Finished, callback: CallbackSpec | undefined, plain: () => void): Promise<void> {
  if (!callback) return plain();
  const { meta } = finished;
  const outcome = await runCallback(
    callback,
    {
      bucket: ctx.oss.bucket as string,
      object: meta.key,
      etag: meta.etag,
      size: meta.size,
      mimeType: meta.contentType,
      contentMd5: meta.contentMd5,
      crc64: meta.crc64,
      clientIp: ctx.clientIp,
      reqId: ctx.requestId,
      operation,
      requester: ctx.auth?.principal.name ?? 'anonymous',
    },
    ctx.server.options.callbackPrivateKeyPem,
  );
  const written = writtenHeaders(meta);
  if (!outcome.ok) {
    sendError(ctx.res, ctx.oss.method, new OssError(203, 'CallbackFailed', outcome.message), ctx.requestId, written);
    return;
  }
  ctx.res.writeHead(200, { ...written, 'Content-Type': outcome.contentType, 'Content-Length': outcome.body.length });
  ctx.res.end(outcome.body);
}
