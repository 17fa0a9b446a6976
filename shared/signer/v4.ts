// OSS Signature Version 4 (OSS4-HMAC-SHA256), canonicalised as the official v2 SDKs do: query keys
// sorted in byte order, empty values rendered as a bare key.

import crypto, { createHash, createHmac } from 'node:crypto';
import { byName, byteOrder } from '../text';
import type { Credentials } from './credentials';
import { encodePath, rfc3986 } from './encode';
import type { Condition, QueryPairs, SignatureVersion, SignedForm } from './signature-version';

export const V4_ALGORITHM = 'OSS4-HMAC-SHA256';
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

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

// Requests signed within the same second share their timestamp.
let lastSecond = NaN;
let lastTimestamp = '';

/** `20231216T162057Z` */
export function v4Timestamp(date: Date): string {
  const second = Math.floor(date.getTime() / 1000);
  if (second !== lastSecond) {
    const iso = date.toISOString();
    lastTimestamp = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
    lastSecond = second;
  }
  return lastTimestamp;
}

export function canonicalUri(bucket?: string, key?: string): string {
  if (!bucket) return '/';
  return encodePath(`/${bucket}/${key ?? ''}`);
}

// Long query values (the STS token, about 1 KB; the callback parameter) are the same in every URL an
// instance signs: encode each once.
const encodedLong = new Map<string, string>();
const ENCODED_LONG_MAX = 64;

function encodeValue(v: string): string {
  if (v.length < 64) return rfc3986(v);
  let e = encodedLong.get(v);
  if (e === undefined) {
    e = rfc3986(v);
    if (encodedLong.size >= ENCODED_LONG_MAX) encodedLong.clear();
    encodedLong.set(v, e);
  }
  return e;
}

const encodePairs = (query: QueryPairs): QueryPairs => query.map(([k, v]) => [rfc3986(k), encodeValue(v)]);
const joinPairs = (encoded: QueryPairs): string => encoded.map(([k, v]) => (v === '' ? k : `${k}=${v}`)).join('&');
/** Encoded pairs by name, then by value, in byte order: the V4 canonical query's order. */
const byNameThenValue = (a: [string, string], b: [string, string]) => byName(a, b) || byteOrder(a[1], b[1]);

export function canonicalQuery(query: QueryPairs): string {
  return joinPairs(encodePairs(query).sort(byNameThenValue));
}

/** Lower-cased, de-duplicated, sorted, without those signed by default. */
export function normalizeAdditionalHeaders(names: string[] = []): string[] {
  if (names.length === 0) return names;
  const set = new Set(names.map((n) => n.trim().toLowerCase()).filter((n) => n && !isDefaultSigned(n)));
  return [...set].sort();
}

function isDefaultSigned(name: string): boolean {
  return name === 'content-type' || name === 'content-md5' || name.startsWith('x-oss-');
}

export function canonicalHeaders(headers: Record<string, string>, additional: string[]): string {
  const lines: [string, string][] = [];
  for (const name in headers) {
    const n = name.toLowerCase();
    if (isDefaultSigned(n) || additional.includes(n)) lines.push([n, String(headers[name]).trim()]);
  }
  if (lines.length > 1) lines.sort(byName);
  let out = '';
  for (const [n, v] of lines) out += `${n}:${v}\n`;
  return out;
}

/** `additional` already normalised; `query` already canonical. */
function canonicalFrom(req: V4Request, query: string, additional: string[]): string {
  return `${req.method.toUpperCase()}\n${canonicalUri(req.bucket, req.key)}\n${query}\n${canonicalHeaders(req.headers, additional)}\n${additional.join(';')}\n${UNSIGNED_PAYLOAD}`;
}

export function canonicalRequest(req: V4Request): string {
  return canonicalFrom(req, canonicalQuery(req.query), normalizeAdditionalHeaders(req.additionalHeaders));
}

/** `20231216/cn-hangzhou/oss/aliyun_v4_request`: the signer signs for OSS alone, so the product is `oss`. */
export function scope(day: string, region: string): string {
  return `${day}/${region}/oss/aliyun_v4_request`;
}

// One-shot hashing (Node ≥ 20.12) skips the Hash object, a large part of hashing a short string.
const sha256hex: (s: string) => string = crypto.hash ? (s) => crypto.hash('sha256', s, 'hex') : (s) => createHash('sha256').update(s).digest('hex');

export function stringToSign(timestamp: string, region: string, canonical: string): string {
  const hash = sha256hex(canonical);
  return `${V4_ALGORITHM}\n${timestamp}\n${scope(timestamp.slice(0, 8), region)}\n${hash}`;
}

// The derived key depends only on secret, day and region; deriving it is four HMACs, so it
// is kept. The map is bounded: a few credentials and days are live at once.
const keyCache = new Map<string, Buffer>();
const KEY_CACHE_MAX = 256;

// An instance signs with one credential, day and region at a time: check that before the map.
let lastKey: { secret: string; day: string; region: string; key: Buffer } | undefined;

export function signingKey(secret: string, day: string, region: string): Buffer {
  const last = lastKey;
  if (last && last.secret === secret && last.day === day && last.region === region) return last.key;
  const id = `${day}\n${region}\n${secret}`;
  let key = keyCache.get(id);
  if (!key) {
    const kDate = createHmac('sha256', `aliyun_v4${secret}`).update(day).digest();
    const kRegion = createHmac('sha256', kDate).update(region).digest();
    const kProduct = createHmac('sha256', kRegion).update('oss').digest();
    key = createHmac('sha256', kProduct).update('aliyun_v4_request').digest();
    if (keyCache.size >= KEY_CACHE_MAX) keyCache.clear();
    keyCache.set(id, key);
  }
  lastKey = { secret, day, region, key };
  return key;
}

export function signV4(secret: string, timestamp: string, region: string, toSign: string): string {
  return createHmac('sha256', signingKey(secret, timestamp.slice(0, 8), region)).update(toSign).digest('hex');
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
  /** The same query percent-encoded for the URL (each part encoded once, for canonicalisation and URL alike). */
  queryString: string;
  canonicalRequest: string;
  stringToSign: string;
  signature: string;
}

// An instance signs its URLs with the same credentials, lifetime and extra parameters (the
// callback), and all those of one second share x-oss-date: only method, key and headers differ.
// So the encoded query of the last URL is kept and reused while its parameters are the same.
let lastQuery: { pairs: QueryPairs; canonical: string; url: string } | undefined;

function samePairs(a: QueryPairs, b: QueryPairs): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i][0] !== b[i][0] || a[i][1] !== b[i][1]) return false;
  return true;
}

/** The query canonicalised (sorted) and as it goes into the URL (in order), both encoded. */
function encodedQuery(pairs: QueryPairs): { canonical: string; url: string } {
  const last = lastQuery;
  if (last && samePairs(last.pairs, pairs)) return last;
  const encoded = encodePairs(pairs);
  lastQuery = { pairs, canonical: joinPairs([...encoded].sort(byNameThenValue)), url: joinPairs(encoded) };
  return lastQuery;
}

/** Sign a request in its query string (a presigned URL). */
export function presignV4(req: V4Request, credentials: Credentials, region: string, now: Date, expiresSeconds: number): V4Presigned {
  const timestamp = v4Timestamp(now);
  const additional = normalizeAdditionalHeaders(req.additionalHeaders);
  const pairs: QueryPairs = [
    ...req.query,
    ['x-oss-signature-version', V4_ALGORITHM],
    ['x-oss-credential', `${credentials.accessKeyId}/${scope(timestamp.slice(0, 8), region)}`],
    ['x-oss-date', timestamp],
    ['x-oss-expires', String(expiresSeconds)],
  ];
  if (credentials.securityToken) pairs.push(['x-oss-security-token', credentials.securityToken]);
  if (additional.length) pairs.push(['x-oss-additional-headers', additional.join(';')]);
  const query = encodedQuery(pairs);
  const canonical = canonicalFrom(req, query.canonical, additional);
  const toSign = stringToSign(timestamp, region, canonical);
  const signature = signV4(credentials.accessKeySecret, timestamp, region, toSign);
  return {
    query: [...pairs, ['x-oss-signature', signature]],
    queryString: `${query.url}&x-oss-signature=${signature}`,
    canonicalRequest: canonical,
    stringToSign: toSign,
    signature,
  };
}

/** PostObject V4: the string to sign is the Base64 policy itself. */
export function postSignatureV4(secret: string, day: string, region: string, policyBase64: string): string {
  return createHmac('sha256', signingKey(secret, day, region)).update(policyBase64).digest('hex');
}

function isBucketCondition(c: Condition | undefined): boolean {
  return c !== undefined && !Array.isArray(c) && Object.keys(c).length === 1 && 'bucket' in c;
}

/** A V4 PostObject form; the conditions' leading `{bucket}` stays first, as in the official samples. */
export function signPostV4(
  conditions: Condition[],
  fields: Record<string, string>,
  credentials: Credentials,
  region: string,
  now: Date,
  expiresSeconds: number,
): SignedForm {
  const timestamp = v4Timestamp(now);
  const credential = `${credentials.accessKeyId}/${scope(timestamp.slice(0, 8), region)}`;
  const token = credentials.securityToken;
  const expiration = new Date(now.getTime() + expiresSeconds * 1000);
  // The official samples list the bucket, then the credential fields, then the rules; keeping that
  // order makes the known-answer policies reproduce byte for byte.
  const split = isBucketCondition(conditions[0]) ? 1 : 0;
  const bound: Condition[] = [{ 'x-oss-signature-version': V4_ALGORITHM }, { 'x-oss-credential': credential }, { 'x-oss-date': timestamp }];
  if (token) bound.push({ 'x-oss-security-token': token });
  const document = { expiration: expiration.toISOString(), conditions: [...conditions.slice(0, split), ...bound, ...conditions.slice(split)] };
  const policy = Buffer.from(JSON.stringify(document), 'utf8').toString('base64');
  const signature = postSignatureV4(credentials.accessKeySecret, timestamp.slice(0, 8), region, policy);
  const signed: Record<string, string> = { ...fields, 'x-oss-signature-version': V4_ALGORITHM, 'x-oss-credential': credential, 'x-oss-date': timestamp };
  if (token) signed['x-oss-security-token'] = token;
  signed.policy = policy;
  signed['x-oss-signature'] = signature;
  return { fields: signed, policy, expiration };
}

/** OSS4-HMAC-SHA256, the default: what OSS offers new accounts and buckets. */
export const V4: SignatureVersion = {
  name: 'v4',
  presignQuery: (req, credentials, region, now, expiresSeconds) => presignV4(req, credentials, region, now, expiresSeconds).queryString,
  signForm: signPostV4,
};
