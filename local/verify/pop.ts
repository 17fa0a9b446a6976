// The POP RPC signature, version 1.0 (HMAC-SHA1), that STS checks on every call. The local STS
// verifies with it; tests that hand-craft STS calls sign with it. The product signs its calls
// with @alicloud/pop-core, so this is the second implementation the local STS needs.
// Source: the STS API reference, "Signature mechanism" (vector RPC-ASSUMEROLE-GET in test/vectors);
// /work/shared/reference/oss-protocol.md §5.5.

import { createHmac } from 'node:crypto';
import { byteOrder, percentEncode } from './percent';

/** A call's parameters, `Signature` included or not (it is never signed). */
export type PopParams = Record<string, string>;

export const POP_SIGNATURE_METHOD = 'HMAC-SHA1';
export const POP_SIGNATURE_VERSION = '1.0';

/** Every parameter but Signature as `k=v`, both percent-encoded, sorted by encoded name, joined by `&`. */
export function popCanonicalQuery(params: PopParams): string {
  return Object.entries(params)
    .filter(([k]) => k !== 'Signature')
    .map(([k, v]) => [percentEncode(k), percentEncode(v)] as const)
    .sort(([a], [b]) => byteOrder(a, b))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

/** `METHOD&%2F&` + the encoded canonical query: the method is signed, so a GET's signature is not a POST's. */
export function popStringToSign(method: string, params: PopParams): string {
  return `${method.toUpperCase()}&${percentEncode('/')}&${percentEncode(popCanonicalQuery(params))}`;
}

/** Base64 HMAC-SHA1 of the string to sign, keyed by the secret followed by `&`. */
export function popSignature(accessKeySecret: string, method: string, params: PopParams): string {
  return createHmac('sha1', `${accessKeySecret}&`).update(popStringToSign(method, params), 'utf8').digest('base64');
}

/** A signed form body (POST) or query string (GET): the canonical pairs, then `Signature` encoded. */
export function popSignedQuery(accessKeySecret: string, method: string, params: PopParams): string {
  return `${popCanonicalQuery(params)}&Signature=${percentEncode(popSignature(accessKeySecret, method, params))}`;
}
