// Object keys: what OSS accepts, narrowed to what is safe downstream (sync jobs, CDNs, file names).

import { randomBytes } from 'node:crypto';
import { ApiError } from '../api/errors';
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

/** `key` if it is a safe OSS object key; otherwise ApiError InvalidKey. */
export function validateKey(key: unknown): string {
  if (typeof key !== 'string' || key.length === 0) throw new ApiError('InvalidKey', 'the key must be a non-empty string');
  if (!key.isWellFormed()) throw new ApiError('InvalidKey', 'the key is not valid Unicode');
  const bytes = Buffer.byteLength(key, 'utf8');
  if (bytes > 1023) throw new ApiError('InvalidKey', `the key is ${bytes} bytes; OSS allows at most 1023`);
  if (key.startsWith('/')) throw new ApiError('InvalidKey', 'the key must not start with "/"');
  if (key.includes('\\')) throw new ApiError('InvalidKey', 'the key must not contain "\\"');
  if (FORBIDDEN_CHARS.test(key)) throw new ApiError('InvalidKey', 'the key contains control or invisible characters');
  if (LOOKALIKES.test(key)) throw new ApiError('InvalidKey', 'the key contains a character that looks like "/", "\\" or "."');
  for (const segment of key.split('/')) {
    if (segment === '' && key.endsWith('/') === false) throw new ApiError('InvalidKey', 'the key has an empty path segment');
    const decoded = decodedSegment(segment);
    if (decoded === '.' || decoded === '..' || /[/\\]/.test(decoded) || FORBIDDEN_CHARS.test(decoded) || LOOKALIKES.test(decoded)) {
      throw new ApiError('InvalidKey', 'the key has a "." or ".." segment, or one that decodes to a separator');
    }
  }
  if (key.endsWith('/')) throw new ApiError('InvalidKey', 'the key must name an object, not end with "/"');
  return key;
}

/** A valid key strictly under the grant's prefix; otherwise ApiError InvalidKey or KeyOutsidePrefix. */
export function keyInGrant(grant: Grant, key: unknown): string {
  const k = validateKey(key);
  if (!k.startsWith(grant.prefix) || k.length === grant.prefix.length) {
    throw new ApiError('KeyOutsidePrefix', `the key must start with your prefix ${grant.prefix}`);
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

/**
 * A prefix template as the rules take it: `{uid}` read as `${uid}` (Serverless Devs would expand
 * `${uid}` in s.yaml as one of its own variables), exactly one placeholder, ending in `/`, and making
 * valid keys. `fail` is called with what is expected, and must throw.
 */
export function prefixTemplateRule(raw: string, fail: (expected: string) => never): string {
  const t = raw.includes('${uid}') ? raw : raw.replace(/\{uid\}/g, '${uid}');
  if (t.split('${uid}').length !== 2) fail('must contain ${uid} (or {uid}) exactly once, e.g. "users/${uid}/"');
  if (!t.endsWith('/')) fail(`must end with "/", got "${t}"`);
  if (/^[/\\]/.test(t) || /[*?\\\x00-\x1f\x7f]/.test(t) || t.split('/').some((s) => s === '.' || s === '..')) {
    fail(`must be a relative key prefix without wildcards, control characters or dot segments, got "${t}"`);
  }
  // Every key handed out starts with the prefix, so the prefix must pass the key rules too.
  try {
    validateKey(`${t.replace('${uid}', 'u')}x`);
  } catch (err) {
    fail(`must make valid object keys (${err instanceof Error ? err.message : 'invalid'}), got "${t}"`);
  }
  return t;
}
