// ListMultipartUploads (GET /<bucket>?uploads): the uploads in progress, as ossutil and the SDKs'
// resume and cleanup tools list them. Authorised as oss:ListMultipartUploads on the bucket (OSS's
// RAM action mapping), with no condition keys: OSS documents oss:Prefix and oss:Delimiter for
// ListObjects only. Paged by key-marker and upload-id-marker as OSS's page defines: uploads whose
// key sorts after key-marker, and, when upload-id-marker is given, uploads of key-marker itself
// whose id sorts after it (upload-id-marker without key-marker is ignored).

import { authorize } from './authorize';
import type { Ctx } from './context';
import { keyEncodingOf } from './encoding-type';
import { invalidArgument } from './errors';
import { uploadsInProgress } from './multipart';
import { compareKeys, pageOf, resumeAfter } from './paging';
import { queryValue } from './request';
import { sendXml } from './respond';
import { ossIsoTime } from './time';

const MAX_UPLOADS = 1000;

function maxUploadsOf(ctx: Ctx): number {
  const raw = queryValue(ctx.oss, 'max-uploads');
  if (raw === undefined) return MAX_UPLOADS;
  if (!/^\d{1,4}$/.test(raw) || Number(raw) < 1 || Number(raw) > MAX_UPLOADS) {
    throw invalidArgument(`max-uploads must be an integer from 1 to ${MAX_UPLOADS}.`, { ArgumentName: 'max-uploads' });
  }
  return Number(raw);
}

export function listMultipartUploads(ctx: Ctx): void {
  const bucket = ctx.oss.bucket as string;
  authorize(ctx.auth?.principal, 'ListMultipartUploads', { bucket });
  const prefix = queryValue(ctx.oss, 'prefix') ?? '';
  const delimiter = queryValue(ctx.oss, 'delimiter') ?? '';
  const keyMarker = queryValue(ctx.oss, 'key-marker') ?? '';
  const uploadIdMarker = keyMarker ? (queryValue(ctx.oss, 'upload-id-marker') ?? '') : '';
  const max = maxUploadsOf(ctx);
  const from = resumeAfter(keyMarker, delimiter);
  const after = (u: { key: string; uploadId: string }) => {
    const order = compareKeys(u.key, from);
    return order > 0 || (order === 0 && uploadIdMarker !== '' && u.uploadId > uploadIdMarker);
  };
  const p = pageOf(uploadsInProgress(ctx), prefix, after, delimiter, max);
  const { encode, element } = keyEncodingOf(ctx.oss);
  sendXml(ctx.res, 200, 'ListMultipartUploadsResult', {
    ...element,
    Bucket: bucket,
    KeyMarker: encode(keyMarker),
    UploadIdMarker: uploadIdMarker,
    NextKeyMarker: encode(p.lastKey ?? ''),
    NextUploadIdMarker: p.lastEntry?.uploadId ?? '',
    Delimiter: encode(delimiter),
    Prefix: encode(prefix),
    MaxUploads: max,
    IsTruncated: p.truncated,
    Upload: p.contents.map((u) => ({ Key: encode(u.key), UploadId: u.uploadId, StorageClass: 'Standard', Initiated: ossIsoTime(new Date(u.initiated)) })),
    CommonPrefixes: p.prefixes.map((x) => ({ Prefix: encode(x) })),
  });
}
