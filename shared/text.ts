// Small text rules several modules need, written once.

/**
 * A header field value without the spaces and tabs HTTP allows around it (RFC 9110 §5.5). Not
 * trim(): that strips U+00A0 too, a byte (obs-text) a client may send and OSS stores, which a
 * reader does not strip (`\xa0identity` is an unknown coding, `\xa0image/png` no media type).
 */
export function httpTrim(value: string): string {
  return value.replace(/^[ \t]+|[ \t]+$/g, '');
}

/**
 * The bare media type of a Content-Type value, lower-cased, parameters dropped:
 * `Image/PNG; charset=x` → `image/png`; undefined or '' → ''. Says nothing about validity.
 */
export function mediaType(value: string | undefined): string {
  return httpTrim((value ?? '').split(';')[0]).toLowerCase();
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The text of `bytes` if they are valid UTF-8 (no overlong forms, no surrogates), else undefined. */
export function strictUtf8(bytes: Uint8Array): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * Compares strings by UTF-16 code unit, which is byte order for the ASCII names and percent-encoded
 * values the signers sort (OSS canonicalisation sorts by byte). For Array.prototype.sort.
 */
export function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Pairs in byte order of their first element (stable: equal names keep their order). */
export function byName(a: readonly [string, unknown], b: readonly [string, unknown]): number {
  return byteOrder(a[0], b[0]);
}
