// ListObjects (GET /<bucket>) and ListObjectsV2 (list-type=2), in the result shapes ali-oss parses.
// Authorised as oss:ListObjects on the bucket with the oss:Prefix and oss:Delimiter condition keys.

import type { Ctx } from './context';
import { authorize } from './authorize';
import { invalidArgument } from './errors';
import { queryValue } from './request';
import { sendXml } from './respond';
import type { ObjectMeta } from './storage';
import type { XmlNode } from './xml';
import { ossIsoTime } from './time';

interface Page {
  contents: ObjectMeta[];
  prefixes: string[];
  truncated: boolean;
  /** The last key or common prefix returned; where the next page starts. */
  last?: string;
}

function page(all: ObjectMeta[], prefix: string, after: string, delimiter: string, maxKeys: number): Page {
  const contents: ObjectMeta[] = [];
  const prefixes: string[] = [];
  let last: string | undefined;
  const afterBytes = Buffer.from(after);
  for (const o of all) {
    if (!o.key.startsWith(prefix) || Buffer.compare(Buffer.from(o.key), afterBytes) <= 0) continue;
    const cut = delimiter ? o.key.indexOf(delimiter, prefix.length) : -1;
    const common = cut >= 0 ? o.key.slice(0, cut + delimiter.length) : undefined;
    if (common !== undefined && common === prefixes[prefixes.length - 1]) continue;
    if (contents.length + prefixes.length >= maxKeys) return { contents, prefixes, truncated: true, last };
    if (common !== undefined) {
      prefixes.push(common);
      // Everything under this prefix sorts before the prefix followed by a higher character.
      last = common;
    } else {
      contents.push(o);
      last = o.key;
    }
  }
  return { contents, prefixes, truncated: false, last };
}

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
  const urlEncoded = queryValue(ctx.oss, 'encoding-type') === 'url';
  const enc = (s: string) => (urlEncoded ? encodeURIComponent(s) : s);
  const token = queryValue(ctx.oss, 'continuation-token');
  const after = v2 ? (token !== undefined ? Buffer.from(token, 'base64').toString('utf8') : (queryValue(ctx.oss, 'start-after') ?? '')) : (queryValue(ctx.oss, 'marker') ?? '');
  const all = ctx.server.store.list(bucket);
  // A common prefix is returned once: resume after everything it covers.
  const resumeAfter = delimiter && after.endsWith(delimiter) ? after + '\u{10FFFF}' : after;
  const p = page(all, prefix, resumeAfter, delimiter, maxKeys);
  const contents: XmlNode[] = p.contents.map((o) => ({
    Key: enc(o.key),
    LastModified: ossIsoTime(new Date(o.lastModified)),
    ETag: `"${o.etag}"`,
    Type: o.etag.includes('-') ? 'Multipart' : 'Normal',
    Size: o.size,
    StorageClass: 'Standard',
    ...(v2 ? {} : { Owner: { ID: ctx.server.options.iam.accountId, DisplayName: ctx.server.options.iam.accountId } }),
  }));
  const common: XmlNode[] = p.prefixes.map((x) => ({ Prefix: enc(x) }));
  const head: XmlNode = { Name: bucket, Prefix: enc(prefix) };
  const node: XmlNode = v2
    ? {
        ...head,
        ...(token !== undefined ? { ContinuationToken: token } : {}),
        ...(queryValue(ctx.oss, 'start-after') !== undefined ? { StartAfter: enc(queryValue(ctx.oss, 'start-after') as string) } : {}),
        MaxKeys: maxKeys,
        Delimiter: enc(delimiter),
        IsTruncated: p.truncated,
        ...(p.truncated && p.last !== undefined ? { NextContinuationToken: Buffer.from(p.last).toString('base64') } : {}),
        KeyCount: contents.length + common.length,
        ...(urlEncoded ? { EncodingType: 'url' } : {}),
        Contents: contents,
        CommonPrefixes: common,
      }
    : {
        ...head,
        Marker: enc(after),
        MaxKeys: maxKeys,
        Delimiter: enc(delimiter),
        IsTruncated: p.truncated,
        ...(p.truncated && p.last !== undefined ? { NextMarker: enc(p.last) } : {}),
        ...(urlEncoded ? { EncodingType: 'url' } : {}),
        Contents: contents,
        CommonPrefixes: common,
      };
  sendXml(ctx.res, 200, 'ListBucketResult', node);
}
