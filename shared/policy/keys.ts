// Object keys: what OSS accepts, narrowed to what is safe downstream (sync jobs, CDNs, file names).

import { randomBytes } from 'node:crypto';
import { ApiError } from '../api/errors';
import { exactFilename } from './filename';
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

/** UTF-8 bytes a key's name segment may take: room for any prefix and the id within OSS's 1023. */
export const SAFE_NAME_MAX_BYTES = 150;

// Besides what validateKey refuses: `%` (a reader might decode what follows) and the characters
// Windows reserves in file names, which sync jobs write keys as.
const UNSAFE_IN_NAME = /[/\\%<>:"|?*]/;
// A trailing extension as safeExtension reads it, kept whole when a long name is cut.
const EXTENSION = /\.[A-Za-z0-9]{1,10}$/;
// Made on first use: constructing a Segmenter loads ICU's break-iterator data, about 9 ms of CPU,
// and only a name longer than SAFE_NAME_MAX_BYTES needs it, so a cold start need not pay for it.
let graphemes: Intl.Segmenter | undefined;

/** Whether one code point must not appear in a name segment, as it is or as NFKC reads it. */
function unsafeInName(c: string): boolean {
  if (FORBIDDEN_CHARS.test(c) || LOOKALIKES.test(c) || UNSAFE_IN_NAME.test(c)) return true;
  const compatible = c.normalize('NFKC');
  return compatible !== c && (FORBIDDEN_CHARS.test(compatible) || LOOKALIKES.test(compatible) || UNSAFE_IN_NAME.test(compatible));
}

/** At most SAFE_NAME_MAX_BYTES: whole graphemes of the stem, then the extension. */
function bounded(name: string): string {
  if (Buffer.byteLength(name, 'utf8') <= SAFE_NAME_MAX_BYTES) return name;
  const ext = EXTENSION.exec(name)?.[0] ?? '';
  const budget = SAFE_NAME_MAX_BYTES - Buffer.byteLength(ext, 'utf8');
  let stem = '';
  graphemes ??= new Intl.Segmenter('en', { granularity: 'grapheme' });
  for (const { segment } of graphemes.segment(name.slice(0, name.length - ext.length))) {
    if (Buffer.byteLength(stem + segment, 'utf8') > budget) break;
    stem += segment;
  }
  return stem.replace(/[\s.]+$/u, '') + ext;
}

/**
 * The safe, readable form of a file name that a generated key ends with: NFC; every control,
 * invisible, bidi or look-alike character, separator, `%` and Windows-reserved character (`<>:"|?*`)
 * replaced by `_`; no leading spaces, no trailing spaces or dots; at most SAFE_NAME_MAX_BYTES bytes,
 * cut between graphemes, the extension kept; `file` when nothing is left. Idempotent, and always a
 * key segment validateKey accepts. `报告 2026 (final).pdf` stays as it is.
 */
export function safeName(filename: string): string {
  const replaced = Array.from(filename.normalize('NFC'), (c) => (unsafeInName(c) ? '_' : c)).join('');
  const trimmed = replaced.replace(/^\s+/u, '').replace(/[\s.]+$/u, '');
  const name = bounded(trimmed).normalize('NFC');
  return name === '' ? 'file' : name;
}

/** The last segment of a key: the name a generated key carries, or the whole name of a client's key. */
export function nameOfKey(key: string): string {
  return key.slice(key.lastIndexOf('/') + 1);
}

/**
 * A fresh key under the grant's prefix: a random id segment, then the file name's safe form
 * (`<prefix><id>/<safe name>`); without a file name, the id alone.
 */
export function generateKey(grant: Grant, filename?: string): string {
  const id = randomBytes(12).toString('base64url');
  return filename === undefined ? `${grant.prefix}${id}` : `${grant.prefix}${id}/${safeName(filename)}`;
}

/** What an upload is signed for: its key, and the exact file name bound to it (x-oss-meta-filename), if any. */
export interface UploadTarget {
  key: string;
  filename?: string;
}

/**
 * The key and name of an upload: a fresh key carrying the name's safe form, or the caller's key,
 * which must lie under its prefix and, when a file name is given, end with that name's safe form (the
 * key carries the name; the metadata its exact spelling). Throws ApiError InvalidFilename, InvalidKey
 * or KeyOutsidePrefix.
 */
export function uploadTarget(grant: Grant, req: { key?: unknown; filename?: unknown }): UploadTarget {
  const filename = exactFilename(req.filename);
  if (req.key === undefined) return { key: generateKey(grant, filename), filename };
  const key = keyInGrant(grant, req.key);
  if (filename !== undefined && safeName(filename) !== nameOfKey(key)) {
    throw new ApiError('InvalidFilename', `the key must end with the file name's safe form "${safeName(filename)}"; leave out key to have one made`);
  }
  return { key, filename };
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
