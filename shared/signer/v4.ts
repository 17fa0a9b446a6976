// OSS Signature Version 4 (OSS4-HMAC-SHA256), canonicalised as the official v2 SDKs do: query keys
// sorted in byte order, empty values rendered as a bare key.

import { createHash, createHmac } from 'node:crypto';
import type { Credentials } from './credentials';
import { encodePath, rfc3986 } from './encode';

export const V4_ALGORITHM = 'OSS4-HMAC-SHA256';
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

export type QueryPairs = [string, string][];

export interface V4Request {
  method: string;
  bucket?: string;
  key?: string;
  /** Decoded query parameters; a value of '' is a bare key. */
  query: QueryPairs;
  /** Header names in any case. */
  headers: Record<string, string>;
  additionalHeaders?: string[];
}

/** `20231216T162057Z` */
export function v4Timestamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

export function canonicalUri(bucket?: string, key?: string): string {
  if (!bucket) return '/';
  return encodePath(`/${bucket}/${key ?? ''}`);
}

export function canonicalQuery(query: QueryPairs): string {
  return query
    .map(([k, v]) => [rfc3986(k), rfc3986(v)] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => (v === '' ? k : `${k}=${v}`))
    .join('&');
}

/** Lower-cased, de-duplicated, sorted, without those signed by default. */
export function normalizeAdditionalHeaders(names: string[] = []): string[] {
  const set = new Set(names.map((n) => n.trim().toLowerCase()).filter((n) => n && !isDefaultSigned(n)));
  return [...set].sort();
}

function isDefaultSigned(name: string): boolean {
  return name === 'content-type' || name === 'content-md5' || name.startsWith('x-oss-');
}

export function canonicalHeaders(headers: Record<string, string>, additional: string[]): string {
  const extra = new Set(additional);
  const lines: [string, string][] = [];
  for (const [name, value] of Object.entries(headers)) {
    const n = name.toLowerCase();
    if (isDefaultSigned(n) || extra.has(n)) lines.push([n, String(value).trim()]);
  }
  lines.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  let out = '';
  for (const [n, v] of lines) out += `${n}:${v}\n`;
  return out;
}

export function canonicalRequest(req: V4Request): string {
  const additional = normalizeAdditionalHeaders(req.additionalHeaders);
  return [
    req.method.toUpperCase(),
    canonicalUri(req.bucket, req.key),
    canonicalQuery(req.query),
    canonicalHeaders(req.headers, additional),
    additional.join(';'),
    UNSIGNED_PAYLOAD,
  ].join('\n');
}

export function scope(day: string, region: string, product = 'oss'): string {
  return `${day}/${region}/${product}/aliyun_v4_request`;
}

export function stringToSign(timestamp: string, region: string, canonical: string, product = 'oss'): string {
  const hash = createHash('sha256').update(canonical).digest('hex');
  return `${V4_ALGORITHM}\n${timestamp}\n${scope(timestamp.slice(0, 8), region, product)}\n${hash}`;
}

// The derived key depends only on secret, day, region and product; deriving it is four HMACs, so it
// is kept. The map is bounded: a few credentials and days are live at once.
const keyCache = new Map<string, Buffer>();
const KEY_CACHE_MAX = 256;

export function signingKey(secret: string, day: string, region: string, product = 'oss'): Buffer {
  const id = `${day}\n${region}\n${product}\n${secret}`;
  let key = keyCache.get(id);
  if (!key) {
    const kDate = createHmac('sha256', `aliyun_v4${secret}`).update(day).digest();
    const kRegion = createHmac('sha256', kDate).update(region).digest();
    const kProduct = createHmac('sha256', kRegion).update(product).digest();
    key = createHmac('sha256', kProduct).update('aliyun_v4_request').digest();
    if (keyCache.size >= KEY_CACHE_MAX) keyCache.clear();
    keyCache.set(id, key);
  }
  return key;
}

export function signV4(secret: string, timestamp: string, region: string, toSign: string, product = 'oss'): string {
  return createHmac('sha256', signingKey(secret, timestamp.slice(0, 8), region, product)).update(toSign).digest('hex');
}

export interface V4HeaderAuth {
  /** Headers to add to the request: x-oss-date, x-oss-content-sha256, [x-oss-security-token], Authorization. */
  headers: Record<string, string>;
  canonicalRequest: string;
  stringToSign: string;
}

/** Sign a request in the Authorization header. */
export function authorizeV4(req: V4Request, credentials: Credentials, region: string, now: Date): V4HeaderAuth {
  const timestamp = v4Timestamp(now);
  const added: Record<string, string> = { 'x-oss-date': timestamp, 'x-oss-content-sha256': UNSIGNED_PAYLOAD };
  if (credentials.securityToken) added['x-oss-security-token'] = credentials.securityToken;
  const headers = { ...req.headers, ...added };
  const additional = normalizeAdditionalHeaders(req.additionalHeaders);
  const canonical = canonicalRequest({ ...req, headers, additionalHeaders: additional });
  const toSign = stringToSign(timestamp, region, canonical);
  const signature = signV4(credentials.accessKeySecret, timestamp, region, toSign);
  const extra = additional.length ? `,AdditionalHeaders=${additional.join(';')}` : '';
  added.Authorization = `${V4_ALGORITHM} Credential=${credentials.accessKeyId}/${scope(timestamp.slice(0, 8), region)}${extra},Signature=${signature}`;
  return { headers: added, canonicalRequest: canonical, stringToSign: toSign };
}

export interface V4Presigned {
  /** The signed query, in the order it goes into the URL, x-oss-signature last. */
  query: QueryPairs;
  canonicalRequest: string;
  stringToSign: string;
  signature: string;
}

/** Sign a request in its query string (a presigned URL). */
export function presignV4(req: V4Request, credentials: Credentials, region: string, now: Date, expiresSeconds: number): V4Presigned {
  const timestamp = v4Timestamp(now);
  const additional = normalizeAdditionalHeaders(req.additionalHeaders);
  const query: QueryPairs = [
    ...req.query,
    ['x-oss-signature-version', V4_ALGORITHM],
    ['x-oss-credential', `${credentials.accessKeyId}/${scope(timestamp.slice(0, 8), region)}`],
    ['x-oss-date', timestamp],
    ['x-oss-expires', String(expiresSeconds)],
  ];
  if (credentials.securityToken) query.push(['x-oss-security-token', credentials.securityToken]);
  if (additional.length) query.push(['x-oss-additional-headers', additional.join(';')]);
  const canonical = canonicalRequest({ ...req, query, additionalHeaders: additional });
  const toSign = stringToSign(timestamp, region, canonical);
  const signature = signV4(credentials.accessKeySecret, timestamp, region, toSign);
  query.push(['x-oss-signature', signature]);
  return { query, canonicalRequest: canonical, stringToSign: toSign, signature };
}

/** PostObject V4: the string to sign is the Base64 policy itself. */
export function postSignatureV4(secret: string, day: string, region: string, policyBase64: string): string {
  return createHmac('sha256', signingKey(secret, day, region)).update(policyBase64).digest('hex');
}
