// Secrets only the functions hold (today the callback MAC key), read from configuration with
// rotation: the current key signs everything new, and the key it replaced is still accepted for an
// overlap period, so a key can be changed without refusing what the old one signed a moment ago.
// Every such secret is read here, by one rule, so each new one (a cache encryption key) is rotated
// the same way.

import { strictBase64 } from './base64';

/** A secret and, during a rotation, the one it replaces. */
export interface SecretRing {
  /** Signs (or encrypts) everything new. */
  readonly current: Buffer;
  /** What a signature may verify with: the current key first, then the previous one during a rotation. */
  readonly accepted: readonly Buffer[];
}

/** Bytes of randomness a secret must carry at least (`openssl rand -base64 32` gives exactly this). */
export const MIN_SECRET_BYTES = 32;

/** The variable holding the key a ring replaces: `<NAME>_PREVIOUS`. */
export const previousOf = (name: string): string => `${name}_PREVIOUS`;

// The Base64 of 32 bytes is 44 characters; 1 KB of key is far more than any HMAC or cipher can use.
const MAX_SECRET_BYTES = 1024;

/**
 * The ring `NAME` and `NAME_PREVIOUS` describe, each canonical Base64 of at least MIN_SECRET_BYTES
 * bytes, or undefined when NAME is unset. `read` returns a variable's value (undefined when unset);
 * `fail(variable, expected)` is called with what is wrong, never with the value, and must throw.
 */
export function secretRing(
  read: (variable: string) => string | undefined,
  name: string,
  fail: (variable: string, expected: string) => never,
): SecretRing | undefined {
  const decode = (variable: string): Buffer | undefined => {
    const text = read(variable);
    if (text === undefined) return undefined;
    const bytes = strictBase64(text, MAX_SECRET_BYTES);
    if (!bytes || bytes.length < MIN_SECRET_BYTES) {
      fail(variable, `expected canonical Base64 of ${MIN_SECRET_BYTES} to ${MAX_SECRET_BYTES} random bytes, e.g. from "openssl rand -base64 32"`);
    }
    return bytes;
  };
  const current = decode(name);
  const previous = decode(previousOf(name));
  if (!current) {
    if (previous) fail(name, `is required when ${previousOf(name)} is set: the previous key is only accepted beside a current one`);
    return undefined;
  }
  return { current, accepted: previous ? [current, previous] : [current] };
}
