// OSS Signature Version 1 (HMAC-SHA1). Only for legacy buckets: OSS no longer offers it to new
// accounts and buckets.

import { createHmac } from 'node:crypto';
import { byName } from '../text';
import type { Credentials } from './credentials';
import { type Condition, type QueryPairs, type SignatureVersion, type SignedForm, UnsignableRequest } from './signature-version';
import { encodeQuery } from './url';

// Query parameters that are part of the V1 canonical resource (the v2 SDKs' list, plus callbacks,
// image processing and anything x-oss-*).
const SUBRESOURCES = new Set([
  'acl', 'bucketInfo', 'location', 'stat', 'delete', 'append', 'tagging', 'objectMeta', 'uploads', 'uploadId',
  'partNumber', 'security-token', 'position', 'response-content-type', 'response-content-language',
  'response-content-disposition', 'response-content-encoding', 'response-expires', 'response-cache-control',
  'restore', 'callback', 'callback-var', 'versions', 'versioning', 'versionId', 'sequential', 'continuation-token',
  'regionList', 'cloudboxes', 'symlink', 'cors', 'lifecycle', 'referer', 'website', 'logging', 'img', 'style',
  'styleName', 'live', 'status', 'vod', 'startTime', 'endTime', 'comp', 'qos', 'cname', 'replication',
  'replicationProgress', 'replicationLocation', 'resourceGroup',
]);

export function isSubresource(name: string): boolean {
  return SUBRESOURCES.has(name) || name.startsWith('x-oss-');
}

export interface V1Request {
  method: string;
  bucket?: string;
  key?: string;
  query: QueryPairs;
  headers: Record<string, string>;
}

export function canonicalResourceV1(bucket: string | undefined, key: string | undefined, query: QueryPairs): string {
  let resource = bucket ? `/${bucket}/${key ?? ''}` : '/';
  const subs = query.filter(([k]) => isSubresource(k)).sort(byName);
  if (subs.length) resource += '?' + subs.map(([k, v]) => (v === '' ? k : `${k}=${v}`)).join('&');
  return resource;
}

function header(headers: Record<string, string>, name: string): string {
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name) return String(v);
  return '';
}

/** `dateOrExpires` is the Date (or x-oss-date) header for header auth, the Expires value for URLs. */
export function stringToSignV1(req: V1Request, dateOrExpires: string): string {
  const ossHeaders: [string, string][] = [];
  for (const [k, v] of Object.entries(req.headers)) {
    const n = k.toLowerCase();
    if (n.startsWith('x-oss-')) ossHeaders.push([n, String(v).trim()]);
  }
  ossHeaders.sort(byName);
  return (
    `${req.method.toUpperCase()}\n${header(req.headers, 'content-md5')}\n${header(req.headers, 'content-type')}\n${dateOrExpires}\n` +
    ossHeaders.map(([n, v]) => `${n}:${v}\n`).join('') +
    canonicalResourceV1(req.bucket, req.key, req.query)
  );
}

export function signV1(secret: string, toSign: string): string {
  return createHmac('sha1', secret).update(toSign).digest('base64');
}

/** Header auth: returns the Authorization value (the request must carry the Date or x-oss-date it was signed with). */
export function authorizeV1(req: V1Request, credentials: Credentials): { authorization: string; stringToSign: string } {
  const date = header(req.headers, 'x-oss-date') || header(req.headers, 'date');
  const toSign = stringToSignV1(req, date);
  return { authorization: `OSS ${credentials.accessKeyId}:${signV1(credentials.accessKeySecret, toSign)}`, stringToSign: toSign };
}

/** URL auth: the signed query, in URL order. */
export function presignV1(req: V1Request, credentials: Credentials, expiresUnix: number): { query: QueryPairs; stringToSign: string } {
  const query: QueryPairs = [...req.query];
  if (credentials.securityToken) query.push(['security-token', credentials.securityToken]);
  const toSign = stringToSignV1({ ...req, query }, String(expiresUnix));
  const signature = signV1(credentials.accessKeySecret, toSign);
  const signed: QueryPairs = [['OSSAccessKeyId', credentials.accessKeyId], ['Expires', String(expiresUnix)], ['Signature', signature], ...query];
  return { query: signed.sort(byName), stringToSign: toSign };
}

/** PostObject V1: HMAC-SHA1 of the Base64 policy. */
export function postSignatureV1(secret: string, policyBase64: string): string {
  return signV1(secret, policyBase64);
}

/** A V1 PostObject form. */
export function signPostV1(
  conditions: Condition[],
  fields: Record<string, string>,
  credentials: Credentials,
  now: Date,
  expiresSeconds: number,
): SignedForm {
  const expiration = new Date(now.getTime() + expiresSeconds * 1000);
  // V1 signs only the policy, so the STS token is pinned there to be inside what is signed.
  const token: Condition[] = credentials.securityToken ? [{ 'x-oss-security-token': credentials.securityToken }] : [];
  const document = { expiration: expiration.toISOString(), conditions: [...conditions, ...token] };
  const policy = Buffer.from(JSON.stringify(document), 'utf8').toString('base64');
  const auth: Record<string, string> = { OSSAccessKeyId: credentials.accessKeyId, policy, Signature: postSignatureV1(credentials.accessKeySecret, policy) };
  if (credentials.securityToken) auth['x-oss-security-token'] = credentials.securityToken;
  return { fields: { ...fields, ...auth }, policy, expiration };
}

/** OSS's V1 (HMAC-SHA1), for legacy buckets only. It signs Content-MD5, Content-Type and x-oss-* alone. */
export const V1: SignatureVersion = {
  name: 'v1',
  presignQuery(req, credentials, _region, now, expiresSeconds) {
    // Anything else would be sent unsigned and silently go unenforced.
    if (req.additionalHeaders?.length) throw new UnsignableRequest(`V1 signatures cannot bind ${req.additionalHeaders.join(', ')}`);
    return encodeQuery(presignV1(req, credentials, Math.floor(now.getTime() / 1000) + expiresSeconds).query);
  },
  signForm: (conditions, fields, credentials, _region, now, expiresSeconds) => signPostV1(conditions, fields, credentials, now, expiresSeconds),
};
