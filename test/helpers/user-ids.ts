// User ids for the isolation properties, written from the rule (not imported from it, so a change to
// the rule cannot change what is tested): a key-safe id is 1-64 of [A-Za-z0-9._@-], not starting
// with "."; anything else is used hashed. Pairs are built to nest: `u + sep + v`, so that a prefix
// or policy resource that does not end where the id ends is caught.

import fc from 'fast-check';

/** An id the rules use as it is in keys. */
export const keySafeId = fc.stringMatching(/^[A-Za-z0-9_@-][A-Za-z0-9._@-]{0,23}$/);

/** What may stand between an id and a longer one that starts with it: key-safe characters, and characters that are not. */
export const SEPARATORS = ['', '.', '-', '_', '@', '0', 'x', '/', '//', '/..', '*', '?', '\\', '%2F', '\uff0f', ' '] as const;

/**
 * Two different ids, one the other plus a separator and a key-safe tail (`alice`, `alice2`,
 * `alice.x`, `alice/x`), in either order, the shorter first or second.
 */
export const nestingPair = (base: fc.Arbitrary<string> = keySafeId) =>
  fc
    .tuple(base, fc.constantFrom(...SEPARATORS), fc.stringMatching(/^[A-Za-z0-9._@-]{0,6}$/), fc.boolean())
    .map(([u, sep, v, longerFirst]) => (longerFirst ? [u + sep + v, u] : [u, u + sep + v]) as [string, string])
    .filter(([a, b]) => a !== b);
