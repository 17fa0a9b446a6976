// Object keys: what OSS accepts, narrowed to what is safe downstream (sync jobs, CDNs, file names).

import { randomBytes } from 'node:crypto';
import { PolicyError } from './errors';
import { isUserSegment, type Grant } from './rules';

// C0/C1 controls, DEL, line/paragraph separators, bidi overrides and isolates, zero-width characters.
const FORBIDDEN_CHARS = /[\u0000-\u001f\u007f-\u009f\u061c\u2028\u2029\u202a-\u202e\u2066-\u2069\u200b-\u200f\u2060\ufeff]/;
// Characters that become `/`, `\` or `.` under NFKC or that render as one.
const LOOKALIKES = /[\uff0f\u2215\u2044\u29f8\uff3c\u29f5\u2216\ufe68\uff0e\u2024\u2025\u2026\ufe52]/;

function decodedSegment(segment: string): string {
  let s = segment;
  // Undo percent-encoding, repeatedly, as a careless consumer might.
  for (let i = 0; i < 3 && /%[0-9a-f]{2}/i.test(s); i++) {
    try {
      s = decodeURIComponent(s);
    } catch {
      break;
    }
  }
  return s.normalize('NFKC');
}

/** Throws PolicyError unless `key` is a safe OSS object key. */
export function validateKey(key: unknown): string {
  if (typeof key !== 'string' || key.length === 0) throw new PolicyError('InvalidKey', 'the key must be a non-empty string');
  if (!key.isWellFormed()) throw new PolicyError('InvalidKey', 'the key is not valid Unicode');
  const bytes = Buffer.byteLength(key, 'utf8');
  if (bytes > 1023) throw new PolicyError('InvalidKey', `the key is ${bytes} bytes; OSS allows at most 1023`);
  if (key.startsWith('/')) throw new PolicyError('InvalidKey', 'the key must not start with "/"');
  if (key.includes('\\')) throw new PolicyError('InvalidKey', 'the key must not contain "\\"');
  if (FORBIDDEN_CHARS.test(key)) throw new PolicyError('InvalidKey', 'the key contains control or invisible characters');
  if (LOOKALIKES.test(key)) throw new PolicyError('InvalidKey', 'the key contains a character that looks like "/", "\\" or "."');
  for (const segment of key.split('/')) {
    if (segment === '' && key.endsWith('/') === false) throw new PolicyError('InvalidKey', 'the key has an empty path segment');
    const decoded = decodedSegment(segment);
    if (decoded === '.' || decoded === '..' || /[/\\]/.test(decoded) || FORBIDDEN_CHARS.test(decoded) || LOOKALIKES.test(decoded)) {
      throw new PolicyError('InvalidKey', 'the key has a "." or ".." segment, or one that decodes to a separator');
    }
  }
  if (key.endsWith('/')) throw new PolicyError('InvalidKey', 'the key must name an object, not end with "/"');
  return key;
}

/** A valid key strictly under the grant's prefix, or PolicyError. */
export function keyInGrant(grant: Grant, key: unknown): string {
  const k = validateKey(key);
  if (!k.startsWith(grant.prefix) || k.length === grant.prefix.length) {
    throw new PolicyError('KeyOutsidePrefix', `the key must start with your prefix ${grant.prefix}`);
  }
  return k;
}

/** The extension of a client's file name, if it is short and plain; never anything else of the name. */
export function safeExtension(filename: unknown): string {
  if (typeof filename !== 'string') return '';
  const m = /\.([A-Za-z0-9]{1,10})$/.exec(filename.normalize('NFKC'));
  return m ? `.${m[1].toLowerCase()}` : '';
}

/** A fresh key under the grant's prefix: a random id plus a safe extension from the file name. */
export function generateKey(grant: Grant, filename?: unknown): string {
  return `${grant.prefix}${randomBytes(12).toString('base64url')}${safeExtension(filename)}`;
}

/**
 * The user whose prefix holds `key`, read from the key alone (never from anything a client adds),
 * or undefined when the key is under no user's prefix.
 */
export function userOfKey(template: string, key: string): { user: string; prefix: string } | undefined {
  const [before, after] = template.split('${uid}');
  if (!key.startsWith(before)) return undefined;
  const rest = key.slice(before.length);
  const cut = rest.indexOf(after);
  if (cut <= 0) return undefined;
  const user = rest.slice(0, cut);
  if (!isUserSegment(user) || key.length === before.length + cut + after.length) return undefined;
  return { user, prefix: before + user + after };
}
