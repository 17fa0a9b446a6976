// The POP RPC signature v1.0 (HMAC-SHA1) that STS checks on every call. One implementation for both
// sides: the local STS verifies with it, and tests that hand-craft calls sign with it.

import { createHmac } from 'node:crypto';
import { rfc3986 } from '../signer/encode';

export type PopParams = Record<string, string>;

/** The STS API version both sides speak. */
export const STS_API_VERSION = '2015-04-01';

/** `k=v` pairs, percent-encoded and sorted by key, joined with `&`; `Signature` itself is left out. */
export function popCanonicalQuery(params: PopParams): string {
  return Object.keys(params)
    .filter((k) => k !== 'Signature')
    .sort()
    .map((k) => `${rfc3986(k)}=${rfc3986(params[k])}`)
    .join('&');
}

/** The HTTP method is signed too, so a GET-signed string is not valid for POST. */
export function popStringToSign(method: string, params: PopParams): string {
  return `${method.toUpperCase()}&${rfc3986('/')}&${rfc3986(popCanonicalQuery(params))}`;
}

export function popSignature(accessKeySecret: string, method: string, params: PopParams): string {
  return createHmac('sha1', `${accessKeySecret}&`).update(popStringToSign(method, params), 'utf8').digest('base64');
}

/** The signed form body (POST) or query string (GET): the canonical pairs with `Signature` last. */
export function popSignedQuery(accessKeySecret: string, method: string, params: PopParams): string {
  return `${popCanonicalQuery(params)}&Signature=${rfc3986(popSignature(accessKeySecret, method, params))}`;
}
