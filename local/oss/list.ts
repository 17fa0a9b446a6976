// ListObjects (GET /<bucket>) and ListObjectsV2 (list-type=2), in the result shapes ali-oss parses.
// Authorised as oss:ListObjects on the bucket with the oss:Prefix and oss:Delimiter condition keys.

import type { Ctx } from './context';
import { authorize } from './authorize';
import { keyEncodingOf } from './encoding-type';
import { invalidArgument } from './errors';
import { compareKeys, pageOf, resumeAfter } from './paging';
import { queryValue } from './request';
import { sendXml } from './respond';
import { objectType } from './storage';
import { ossIsoTime } from './time';
import type { XmlNode } from './xml';

function maxKeysOf(ctx: Ctx): number {
  const raw = queryValue(ctx.oss, 'max-keys');
  if (raw === undefined) return 100;
  if (!/^\d+$/.test(raw) || Number(raw) > 1000) throw invalidArgument('max-keys must be an integer from 0 to 1000.', { ArgumentName: 'max-keys' });
  return Number(raw);
}

export function listObjects(ctx: Ctx): void {
  const bucket = ctx.oss.bucket as string;
  const prefix = queryValue(ctx.oss, 'prefix') ?? '';
  const delimiter = queryValue(ctx.oss, 'delimiter') ?? '';
  authorize(ctx.auth?.principal, 'ListObjects', { bucket, context: { 'oss:Prefix': prefix, 'oss:Delimiter': delimiter || undefined } });
  const maxKeys = maxKeysOf(ctx);
  const v2 = queryValue(ctx.oss, 'list-type') === '2';
  const { encode: enc, element: encodingType } = keyEncodingOf(ctx.oss);
  const token = queryValue(ctx.oss, 'continuation-token');
  const after = v2 ? (token !== undefined ? Buffer.from(token, 'base64url').toString('utf8') : (queryValue(ctx.oss, 'start-after') ?? '')) : (queryValue(ctx.oss, 'marker') ?? '');
  const from = resumeAfter(after, delimiter);
  const p = pageOf(ctx.server.store.list(bucket), prefix, (o) => compareKeys(o.key, from) > 0, delimiter, maxKeys);
  const contents: XmlNode[] = p.contents.map((o) => ({
    Key: enc(o.key),
    LastModified: ossIsoTime(new Date(o.lastModified)),
    ETag: `"${o.etag}"`,
    Type: objectType(o),
    Size: o.size,
    StorageClass: o.storageClass ?? 'Standard',
    ...(v2 ? {} : { Owner: { ID: ctx.server.options.iam.accountId, DisplayName: ctx.server.options.iam.accountId } }),
  }));
  const common: XmlNode[] = p.prefixes.map((x) => ({ Prefix: enc(x) }));
  const head: XmlNode = { Name: bucket, Prefix: enc(prefix) };
  const node: XmlNode = v2
    ? {
        ...head,
        ...(token !== undefined ? { ContinuationToken: enc(token) } : {}),
        ...(queryValue(ctx.oss, 'start-after') !== undefined ? { StartAfter: enc(queryValue(ctx.oss, 'start-after') as string) } : {}),
        MaxKeys: maxKeys,
        Delimiter: enc(delimiter),
        IsTruncated: p.truncated,
        // URL-safe, because the Go SDK v2 URL-decodes the token (a '+' would come back a space).
        ...(p.truncated && p.lastKey !== undefined ? { NextContinuationToken: Buffer.from(p.lastKey).toString('base64url') } : {}),
        KeyCount: contents.length + common.length,
        ...encodingType,
        Contents: contents,
        CommonPrefixes: common,
      }
    : {
        ...head,
        Marker: enc(after),
        MaxKeys: maxKeys,
        Delimiter: enc(delimiter),
        IsTruncated: p.truncated,
        ...(p.truncated && p.lastKey !== undefined ? { NextMarker: enc(p.lastKey) } : {}),
        ...encodingType,
        Contents: contents,
        CommonPrefixes: common,
      };
  sendXml(ctx.res, 200, 'ListBucketResult', node);
}
