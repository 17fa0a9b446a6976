// Object ACLs (x-oss-object-acl): the four values OSS takes, and PutObjectAcl / GetObjectAcl
// (`?acl`). What an ACL lets a request without a signature do is in authorize.ts. Sources: the API reference's PutObjectACL and GetObjectACL
// pages; the Python SDK's test_object_acl (an object written without an ACL answers `default`).

import { authorize } from './authorize';
import type { Ctx } from './context';
import { invalidArgument, OssError } from './errors';
import { checkObjectName } from './request';
import { sendEmpty, sendXml } from './respond';

export const OBJECT_ACLS = ['default', 'private', 'public-read', 'public-read-write'] as const;
export type ObjectAcl = (typeof OBJECT_ACLS)[number];

/** An x-oss-object-acl value (header or form field); undefined when absent. Throws 400 InvalidArgument for anything else. */
export function parseObjectAcl(value: string | undefined): ObjectAcl | undefined {
  if (value === undefined) return undefined;
  if ((OBJECT_ACLS as readonly string[]).includes(value)) return value as ObjectAcl;
  throw invalidArgument('The value of x-oss-object-acl is not valid.', { ArgumentName: 'x-oss-object-acl', ArgumentValue: value });
}

const noSuchKey = (key: string) => new OssError(404, 'NoSuchKey', 'The specified key does not exist.', { Key: key });

/** PutObjectAcl: `PUT /<key>?acl` with x-oss-object-acl; oss:PutObjectAcl, with the new ACL as oss:x-oss-object-acl. */
export function putObjectAcl(ctx: Ctx): void {
  const bucket = ctx.oss.bucket as string;
  const key = checkObjectName(ctx.oss.key);
  ctx.req.resume();
  const acl = parseObjectAcl(ctx.oss.headers['x-oss-object-acl']);
  if (acl === undefined) throw invalidArgument('PutObjectAcl needs x-oss-object-acl.', { ArgumentName: 'x-oss-object-acl' });
  authorize(ctx.auth?.principal, 'PutObjectAcl', { bucket, key, requestedAcl: acl });
  // The ACL is not content: Last-Modified and the ETag stay as they are.
  if (!ctx.server.store.update(bucket, key, (meta) => ({ ...meta, acl }))) throw noSuchKey(key);
  sendEmpty(ctx.res, 200);
}

/** GetObjectAcl: `GET /<key>?acl`; oss:GetObjectAcl. */
export function getObjectAcl(ctx: Ctx): void {
  const bucket = ctx.oss.bucket as string;
  const key = checkObjectName(ctx.oss.key);
  authorize(ctx.auth?.principal, 'GetObjectAcl', { bucket, key });
  const meta = ctx.server.store.head(bucket, key);
  if (!meta) throw noSuchKey(key);
  const owner = ctx.server.options.iam.accountId;
  sendXml(ctx.res, 200, 'AccessControlPolicy', {
    Owner: { ID: owner, DisplayName: owner },
    AccessControlList: { Grant: meta.acl ?? 'default' },
  });
}
