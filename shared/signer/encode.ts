// RFC 3986 percent-encoding as OSS canonicalises it: unreserved characters stay, everything else
// becomes %XX (upper-case hex) of its UTF-8 bytes.

const EXTRA = /[!'()*]/g;
const hex = (c: string) => '%' + c.charCodeAt(0).toString(16).toUpperCase();

const UNRESERVED = /^[A-Za-z0-9._~-]*$/;

export function rfc3986(s: string): string {
  // Most names and values (x-oss-date, OSS4-HMAC-SHA256, content-length…) need no encoding at all.
  return UNRESERVED.test(s) ? s : encodeURIComponent(s).replace(EXTRA, hex);
}

const UNRESERVED_PATH = /^[A-Za-z0-9._~/-]*$/;

/** A path: each segment encoded, `/` kept. */
export function encodePath(s: string): string {
  return UNRESERVED_PATH.test(s) ? s : rfc3986(s).replace(/%2F/g, '/');
}
