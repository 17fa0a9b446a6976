// OSS Signature Version 4 (OSS4-HMAC-SHA256), recomputed from what arrived, as OSS checks it.
// Sources: the OSS API reference, "Signature Version 4" for headers and for URLs
// (help.aliyun.com/en/oss/developer-reference/recommend-to-use-signature-version-4 and
// …/add-signatures-to-urls), and the official v2 SDKs' vectors (test/vectors: V4-H1, V4-H2-STS,
// V4-Q1, V4-Q2-STS); /work/shared/reference/oss-protocol.md §2.

import { createHash, createHmac } from 'node:crypto';
import { byteOrder, percentEncode } from './percent';

export const V4_ALGORITHM = 'OSS4-HMAC-SHA256';
/** The only hashed payload OSS accepts in `x-oss-content-sha256`, and what presigned URLs sign. */
export const V4_UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
/** The scope's last element, also the key derivation's last input. */
export const V4_TERMINATOR = 'aliyun_v4_request';
export const V4_PRODUCT = 'oss';

export interface V4SignedRequest {
  method: string;
  bucket?: string;
  /** Decoded object key. */
  key?: string;
  /** Decoded query pairs as they arrived, `x-oss-signature` left out; a value of '' is a bare key. */
  query: readonly (readonly [string, string])[];
  /** Header values by name (any case); repeated headers already joined with ','. */
  headers: Readonly<Record<string, string>>;
  /** The names the request lists in AdditionalHeaders (header form) or x-oss-additional-headers (URL form). */
  additionalHeaders: readonly string[];
}

/** content-type, content-md5 and every x-oss-* header are signed whether listed or not. */
function signedByDefault(lowerName: string): boolean {
  return lowerName === 'content-type' || lowerName === 'content-md5' || lowerName.startsWith('x-oss-');
}

/** The additional headers as the canonical request names them: lower-case, once each, sorted, default-signed ones left out. */
export function v4AdditionalHeaders(listed: readonly string[]): string[] {
  const names = new Set<string>();
  for (const n of listed) {
    const lower = n.trim().toLowerCase();
    if (lower !== '' && !signedByDefault(lower)) names.add(lower);
  }
  return [...names].sort(byteOrder);
}

function canonicalUri(bucket: string | undefined, key: string | undefined): string {
  return bucket ? percentEncode(`/${bucket}/${key ?? ''}`, true) : '/';
}

function canonicalQueryString(query: V4SignedRequest['query']): string {
  const encoded = query.map(([k, v]) => [percentEncode(k), percentEncode(v)] as const);
  encoded.sort(([ak, av], [bk, bv]) => byteOrder(ak, bk) || byteOrder(av, bv));
  return encoded.map(([k, v]) => (v === '' ? k : `${k}=${v}`)).join('&');
}

function canonicalHeaders(headers: V4SignedRequest['headers'], additional: readonly string[]): string {
  const lines: [string, string][] = [];
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (signedByDefault(lower) || additional.includes(lower)) lines.push([lower, value.trim()]);
  }
  lines.sort(([a], [b]) => byteOrder(a, b));
  return lines.map(([n, v]) => `${n}:${v}\n`).join('');
}

/** Method, URI, query, headers (each line ending in \n), additional header names, hashed payload; joined by \n. */
export function v4CanonicalRequest(req: V4SignedRequest): string {
  const additional = v4AdditionalHeaders(req.additionalHeaders);
  return [
    req.method.toUpperCase(),
    canonicalUri(req.bucket, req.key),
    canonicalQueryString(req.query),
    canonicalHeaders(req.headers, additional),
    additional.join(';'),
    V4_UNSIGNED_PAYLOAD,
  ].join('\n');
}

/** `yyyymmdd/region/oss/aliyun_v4_request` */
export function v4Scope(day: string, region: string): string {
  return `${day}/${region}/${V4_PRODUCT}/${V4_TERMINATOR}`;
}

/** `timestamp` is x-oss-date (`20231216T162057Z`); the scope's day is its first eight characters. */
export function v4StringToSign(timestamp: string, region: string, canonicalRequest: string): string {
  const hashed = createHash('sha256').update(canonicalRequest, 'utf8').digest('hex');
  return [V4_ALGORITHM, timestamp, v4Scope(timestamp.slice(0, 8), region), hashed].join('\n');
}

const hmacSha256 = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data, 'utf8').digest();

/** kSigning = HMAC(HMAC(HMAC(HMAC("aliyun_v4" + secret, day), region), "oss"), "aliyun_v4_request"). */
export function v4SigningKey(accessKeySecret: string, day: string, region: string): Buffer {
  let key = hmacSha256(`aliyun_v4${accessKeySecret}`, day);
  for (const step of [region, V4_PRODUCT, V4_TERMINATOR]) key = hmacSha256(key, step);
  return key;
}

/** Lower-case hex HMAC-SHA256 of `stringToSign` under the day's signing key (64 characters). */
export function v4Signature(accessKeySecret: string, day: string, region: string, stringToSign: string): string {
  return hmacSha256(v4SigningKey(accessKeySecret, day, region), stringToSign).toString('hex');
}
