// Checks an Alibaba Cloud API request signed with ACS3-HMAC-SHA256 (the V3 signature the FC 3.0 API
// takes), written from the specification, not from the SDK: Alibaba Cloud, "V3 request syntax and
// signature method" (help.aliyun.com/zh/sdk/product-overview/v3-request-structure-and-signature).
//
//   CanonicalRequest = Method \n CanonicalURI \n CanonicalQueryString \n CanonicalHeaders \n SignedHeaders \n HashedPayload
//   StringToSign     = "ACS3-HMAC-SHA256" \n hex(SHA256(CanonicalRequest))
//   Signature        = hex(HMAC-SHA256(AccessKeySecret, StringToSign))
//   Authorization    = ACS3-HMAC-SHA256 Credential=<AccessKeyId>,SignedHeaders=<h1;h2>,Signature=<hex>
//
// CanonicalURI: the path, each segment RFC 3986-encoded ("/" kept). Query: names sorted, names and values
// RFC 3986-encoded, "k=v" joined by "&" (a bare key is "k="). Headers: lower-case names, trimmed values,
// sorted, "name:value\n" each; host, content-type and every x-acs-* header must be signed. HashedPayload:
// hex SHA-256 of the body, also sent as x-acs-content-sha256.

import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const ACS3 = 'ACS3-HMAC-SHA256';
const MAX_SKEW_MS = 15 * 60 * 1000;

export interface Acs3Key {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
}

export interface Acs3Request {
  method: string;
  /** The request target as it arrived: path and query, still encoded. */
  url: string;
  /** Lower-case names. */
  headers: Record<string, string>;
  body: Buffer;
}

/** Why a request is refused, as the API says it: `{ code, message }`; undefined when it is good. */
export type Acs3Refusal = { status: number; code: string; message: string } | undefined;

function rfc3986(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

const hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

export function acs3CanonicalRequest(req: Acs3Request, signedHeaders: string[]): string {
  const q = req.url.indexOf('?');
  const path = q < 0 ? req.url : req.url.slice(0, q);
  const uri = path.split('/').map((seg) => rfc3986(decodeURIComponent(seg))).join('/');
  const pairs = (q < 0 ? '' : req.url.slice(q + 1))
    .split('&')
    .filter(Boolean)
    .map((p) => {
      const i = p.indexOf('=');
      const [k, v] = i < 0 ? [p, ''] : [p.slice(0, i), p.slice(i + 1)];
      return [rfc3986(decodeURIComponent(k.replace(/\+/g, ' '))), rfc3986(decodeURIComponent(v.replace(/\+/g, ' ')))] as const;
    })
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const query = pairs.map(([k, v]) => `${k}=${v}`).join('&');
  const headers = signedHeaders.map((h) => `${h}:${(req.headers[h] ?? '').trim()}\n`).join('');
  return [req.method.toUpperCase(), uri, query, headers, signedHeaders.join(';'), req.headers['x-acs-content-sha256'] ?? ''].join('\n');
}

/**
 * Checks a request against the keys the fake account holds. `seenNonces` makes a replayed
 * x-acs-signature-nonce fail, as the API does.
 */
export function verifyAcs3(req: Acs3Request, keys: Acs3Key[], now: Date, seenNonces: Set<string>): Acs3Refusal {
  const auth = req.headers.authorization ?? '';
  if (!auth.startsWith(`${ACS3} `)) return { status: 401, code: 'MissingAuthorization', message: `expected ${ACS3}` };
  const fields = new Map(
    auth
      .slice(ACS3.length + 1)
      .split(',')
      .map((p) => {
        const i = p.indexOf('=');
        return [p.slice(0, i).trim(), p.slice(i + 1).trim()] as [string, string];
      }),
  );
  const key = keys.find((k) => k.accessKeyId === fields.get('Credential'));
  if (!key) return { status: 403, code: 'InvalidAccessKeyId.NotFound', message: 'unknown AccessKeyId' };
  if ((req.headers['x-acs-security-token'] ?? undefined) !== key.securityToken) return { status: 403, code: 'InvalidSecurityToken', message: 'security token does not match' };
  const signed = (fields.get('SignedHeaders') ?? '').split(';').filter(Boolean);
  if (signed.join(';') !== [...signed].sort().join(';')) return { status: 400, code: 'IncompleteSignature', message: 'SignedHeaders must be sorted' };
  const mustSign = Object.keys(req.headers).filter((h) => h === 'host' || h === 'content-type' || (h.startsWith('x-acs-') && h !== 'x-acs-signature'));
  const unsigned = mustSign.filter((h) => !signed.includes(h));
  if (unsigned.length) return { status: 400, code: 'IncompleteSignature', message: `not signed: ${unsigned.join(', ')}` };
  if (req.headers['x-acs-content-sha256'] !== hex(req.body)) return { status: 400, code: 'ContentSha256Mismatch', message: 'x-acs-content-sha256 is not the body\'s hash' };
  const date = Date.parse(req.headers['x-acs-date'] ?? '');
  if (Number.isNaN(date) || Math.abs(date - now.getTime()) > MAX_SKEW_MS) return { status: 400, code: 'InvalidTimeStamp.Expired', message: 'x-acs-date is missing or too far from now' };
  const nonce = req.headers['x-acs-signature-nonce'];
  if (!nonce || seenNonces.has(nonce)) return { status: 400, code: 'SignatureNonceUsed', message: 'x-acs-signature-nonce is missing or reused' };
  const expected = createHmac('sha256', key.accessKeySecret).update(`${ACS3}\n${hex(acs3CanonicalRequest(req, signed))}`).digest();
  const given = Buffer.from(fields.get('Signature') ?? '', 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { status: 403, code: 'SignatureDoesNotMatch', message: 'the request signature does not match' };
  seenNonces.add(nonce);
  return undefined;
}
