// Where an object lives: virtual-hosted (`https://bucket.oss-….com/key`) in the cloud, path-style
// (`http://localhost:port/bucket/key`) for local and OSS-compatible endpoints.

import { encodePath, rfc3986 } from './encode';
import type { QueryPairs } from './signature-version';

export interface Endpoint {
  /** `https://oss-cn-hangzhou.aliyuncs.com` or `http://localhost:9000` */
  endpoint: string;
  pathStyle: boolean;
}

/** The bucket's root URL, without a trailing slash. */
export function bucketBase(ep: Endpoint, bucket: string): string {
  if (ep.pathStyle) return `${ep.endpoint}/${bucket}`;
  const i = ep.endpoint.indexOf('://') + 3;
  return `${ep.endpoint.slice(0, i)}${bucket}.${ep.endpoint.slice(i)}`;
}

/** Decoded pairs as a URL's query string, in their order; a value of '' is a bare key. */
export function encodeQuery(query: QueryPairs): string {
  return query.map(([k, v]) => (v === '' ? rfc3986(k) : `${rfc3986(k)}=${rfc3986(v)}`)).join('&');
}

/** The object's URL with `query` percent-encoded, in its order. */
export function objectUrl(ep: Endpoint, bucket: string, key: string, query: QueryPairs = []): string {
  return objectUrlWithQuery(ep, bucket, key, encodeQuery(query));
}

/** The object's URL with a query string that is already percent-encoded. */
export function objectUrlWithQuery(ep: Endpoint, bucket: string, key: string, queryString: string): string {
  const base = `${bucketBase(ep, bucket)}/${encodePath(key)}`;
  return queryString === '' ? base : `${base}?${queryString}`;
}
