// Sizes and lifetimes a client may ask for, within the rules.

import { ApiError } from '../api/errors';
import type { Rules } from './rules';

/** OSS's largest single PUT or POST. */
export const MAX_SINGLE_UPLOAD = 5 * 1024 ** 3;

export function sizeWithinRules(rules: Rules, size: unknown): number {
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    throw new ApiError('InvalidSize', 'size must be a whole number of bytes');
  }
  if (size > rules.maxSize) throw new ApiError('TooLarge', `size ${size} is over the limit of ${rules.maxSize} bytes`);
  if (size < rules.minSize) throw new ApiError('TooSmall', `size ${size} is under the minimum of ${rules.minSize} bytes`);
  return size;
}

/**
 * Seconds a signature may live: the client's wish if within the rules, else the default. The rules
 * keep every lifetime within half the signing credentials' (shared/config), far below OSS's 7 days.
 */
export function expiresWithinRules(rules: Rules, expiresIn: unknown, fallback: number): number {
  if (expiresIn === undefined) return fallback;
  if (typeof expiresIn !== 'number' || !Number.isSafeInteger(expiresIn) || expiresIn < 1) {
    throw new ApiError('InvalidExpiry', 'expiresIn must be a whole number of seconds, at least 1');
  }
  const max = rules.maxUrlExpiresSeconds;
  if (expiresIn > max) throw new ApiError('ExpiryTooLong', `expiresIn must be at most ${max} seconds`);
  return expiresIn;
}
