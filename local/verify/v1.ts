// OSS Signature Version 1 (HMAC-SHA1), header and URL forms, recomputed from what arrived.
// Sources: the OSS API reference, "Add a signature to the header" and "Add a signature to a URL"
// (help.aliyun.com/document_detail/31951.htm), the official v2 SDKs' signers and vectors
// (test/vectors: V1-H-DOC, V1-H1, V1-Q1, V1-Q2-STS); /work/shared/reference/oss-protocol.md §1.

import { createHmac } from 'node:crypto';
import { byteOrder } from './percent';

// The query parameters that belong to the canonicalized resource. The OSS API reference's list
// (2021), plus those the official v2 SDKs add (Go and Python v2 signer: stat, restore, callback,
// callback-var, versions, versioning, versionId, sequential, continuation-token, regionList,
// cloudboxes; Python v2: resourceGroup). Any parameter named x-oss-* is signed as well.
const DOCUMENTED = [
  'acl', 'uploads', 'location', 'cors', 'logging', 'website', 'referer', 'lifecycle', 'delete', 'append', 'tagging',
  'objectMeta', 'uploadId', 'partNumber', 'security-token', 'position', 'img', 'style', 'styleName', 'replication',
  'replicationProgress', 'replicationLocation', 'cname', 'bucketInfo', 'comp', 'qos', 'live', 'status', 'vod',
  'startTime', 'endTime', 'symlink', 'response-content-type', 'response-content-language', 'response-expires',
  'response-cache-control', 'response-content-disposition', 'response-content-encoding',
];
const ADDED_BY_V2_SDKS = [
  'stat', 'restore', 'callback', 'callback-var', 'versions', 'versioning', 'versionId', 'sequential',
  'continuation-token', 'regionList', 'cloudboxes', 'resourceGroup',
];
const SIGNED_PARAMETERS = new Set([...DOCUMENTED, ...ADDED_BY_V2_SDKS]);

/** Whether a query parameter is part of the V1 canonicalized resource. */
export function v1SignsParameter(name: string): boolean {
  return SIGNED_PARAMETERS.has(name) || name.startsWith('x-oss-');
}

export interface V1SignedRequest {
  method: string;
  bucket?: string;
  /** Decoded object key: V1 signs it raw, not percent-encoded. */
  key?: string;
  /** Decoded query pairs as they arrived; a value of '' is a bare key. */
  query: readonly (readonly [string, string])[];
  /** Header values by name (any case); repeated headers already joined with ','. */
  headers: Readonly<Record<string, string>>;
}

function headerValue(headers: V1SignedRequest['headers'], lowerName: string): string {
  const found = Object.keys(headers).find((n) => n.toLowerCase() === lowerName);
  return found === undefined ? '' : headers[found];
}

/** `/bucket/key` (or `/bucket/`, or `/`), then `?` and the signed parameters sorted by name, raw values. */
function canonicalizedResource(req: V1SignedRequest): string {
  const path = req.bucket ? `/${req.bucket}/${req.key ?? ''}` : '/';
  const signed = req.query.filter(([k]) => v1SignsParameter(k)).sort(([a], [b]) => byteOrder(a, b));
  return signed.length === 0 ? path : `${path}?${signed.map(([k, v]) => (v === '' ? k : `${k}=${v}`)).join('&')}`;
}

function canonicalizedOssHeaders(headers: V1SignedRequest['headers']): string {
  const lines = Object.entries(headers)
    .map(([n, v]) => [n.toLowerCase(), v.trim()] as const)
    .filter(([n]) => n.startsWith('x-oss-'))
    .sort(([a], [b]) => byteOrder(a, b));
  return lines.map(([n, v]) => `${n}:${v}\n`).join('');
}

/**
 * VERB, Content-MD5, Content-Type, then `dateOrExpires` (the x-oss-date or Date header for header
 * signatures, the Expires parameter for URLs), each followed by \n; then the x-oss-* headers and
 * the canonicalized resource.
 */
export function v1StringToSign(req: V1SignedRequest, dateOrExpires: string): string {
  const head = [req.method.toUpperCase(), headerValue(req.headers, 'content-md5'), headerValue(req.headers, 'content-type'), dateOrExpires];
  return `${head.join('\n')}\n${canonicalizedOssHeaders(req.headers)}${canonicalizedResource(req)}`;
}

/** Base64 HMAC-SHA1 of `stringToSign` under the AccessKey secret. */
export function v1Signature(accessKeySecret: string, stringToSign: string): string {
  return createHmac('sha1', accessKeySecret).update(stringToSign, 'utf8').digest('base64');
}
