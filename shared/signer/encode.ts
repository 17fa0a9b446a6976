// RFC 3986 percent-encoding as OSS canonicalises it: unreserved characters stay, everything else
// becomes %XX (upper-case hex) of its UTF-8 bytes.

const EXTRA = /[!'()*]/g;
const hex = (c: string) => '%' + c.charCodeAt(0).toString(16).toUpperCase();

export function rfc3986(s: string): string {
  return encodeURIComponent(s).replace(EXTRA, hex);
}

/** A path: each segment encoded, `/` kept. */
export function encodePath(s: string): string {
  return rfc3986(s).replace(/%2F/g, '/');
}
