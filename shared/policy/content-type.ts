// Content types: which the rules allow, and which a browser would run if served inline.

import { ApiError } from '../api/errors';
import { mediaType } from '../text';

const MIME = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/;

/** The bare, lower-cased media type (no parameters); ApiError InvalidContentType if it is not one. */
export function normalizeContentType(value: unknown): string {
  if (typeof value !== 'string') throw new ApiError('InvalidContentType', 'contentType must be a string such as image/png');
  const type = mediaType(value);
  if (!MIME.test(type)) throw new ApiError('InvalidContentType', 'contentType must be a media type such as image/png');
  return type;
}

/**
 * Whether the allowed list (exact types, `image/*` wildcards) admits the bare media type `type`.
 * It must be one media type: a stored `image/png, text/html` is a list, which browsers read as its
 * last type (Fetch standard, "extract a MIME type"), and must not pass `image/*`.
 */
export function isAllowedType(type: string, allowed: readonly string[]): boolean {
  return MIME.test(type) && allowed.some((a) => a === type || (a.endsWith('/*') && type.startsWith(a.slice(0, -1))));
}

/** The normalised type if the rules allow it; ApiError InvalidContentType or ContentTypeNotAllowed. */
export function allowedContentType(value: unknown, allowed: readonly string[]): string {
  const type = normalizeContentType(value);
  if (!isAllowedType(type, allowed)) {
    throw new ApiError('ContentTypeNotAllowed', `${type} is not allowed; allowed: ${allowed.join(', ')}`);
  }
  return type;
}

// A type or a wildcard as the rules list them: `image/png`, `image/*`.
const ALLOWED_ENTRY = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/(\*|[a-z0-9][a-z0-9!#$&^_.+-]*)$/;

/**
 * The allowed content types as the rules take them: lower-cased, at least one, each a type or a
 * `type/*` wildcard. `fail` is called with what is expected, and must throw.
 */
export function allowedTypesRule(types: readonly string[], fail: (expected: string) => never): string[] {
  const lower = types.map((t) => t.toLowerCase());
  if (lower.length === 0) fail('must list at least one content type');
  for (const t of lower) {
    if (!ALLOWED_ENTRY.test(t)) fail(`"${t}" is not a content type such as image/png or image/*`);
  }
  return lower;
}

const BY_EXTENSION: Record<string, string> = {
  jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', gif: 'image/gif', webp: 'image/webp', avif: 'image/avif',
  heic: 'image/heic', svg: 'image/svg+xml', pdf: 'application/pdf', txt: 'text/plain', csv: 'text/csv', json: 'application/json',
  mp4: 'video/mp4', mov: 'video/quicktime', webm: 'video/webm', mp3: 'audio/mpeg', m4a: 'audio/mp4', wav: 'audio/wav',
  zip: 'application/zip', html: 'text/html', htm: 'text/html', js: 'text/javascript', xml: 'application/xml',
};

/** The type a file extension (with or without its dot) stands for, if it is a common one. */
export function typeFromExtension(ext: string): string | undefined {
  return BY_EXTENSION[ext.replace(/^\./, '').toLowerCase()];
}

// Served inline from the bucket's domain, these run script in the viewer's browser.
export const ACTIVE_TYPES: readonly string[] = [
  'text/html', 'application/xhtml+xml', 'image/svg+xml', 'text/xml', 'application/xml', 'text/javascript', 'application/javascript',
  'application/x-javascript', 'text/ecmascript', 'application/ecmascript', 'application/x-shockwave-flash', 'text/xsl',
];
const ACTIVE = new Set(ACTIVE_TYPES);
const ACTIVE_EXTENSIONS = /\.(html?|xhtml|xht|svgz?|xml|xsl|xslt|m?js|swf|shtml)$/i;

/** Whether a type, or a key by its extension, is one a browser runs when served inline. */
export function isActiveContent(typeOrKey: string): boolean {
  return ACTIVE.has(typeOrKey.toLowerCase()) || ACTIVE_EXTENSIONS.test(typeOrKey);
}
