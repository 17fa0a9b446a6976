// A storage rule's path: literal text and placeholders (`{uid}`, `{claims.team}`) before a final `*`,
// what it becomes for one caller (a RAM object pattern, the caller's values in place of the
// placeholders it fills and `*` for the others), and how keys, scope paths and those patterns meet.
// Patterns here use RAM's one wildcard, `*` (any run of characters, `/` included), and nothing else.

/** One piece of a path: literal text, or a placeholder filled from the caller's verified identity. */
export type PathToken = { literal: string } | { uid: true } | { claim: string };

/** The tokens of an UPLOAD_PREFIX template (`users/${uid}/`, already checked by prefixTemplateRule). */
export function templateTokens(template: string): PathToken[] {
  const [before, after] = template.split('${uid}');
  return [...(before ? [{ literal: before }] : []), { uid: true }, { literal: after }];
}

/** The values a caller fills placeholders with: each a safe key segment (userSegment). */
export interface Binding {
  uid: string;
  /** Per claim name, the caller's values (none when the claim is absent or refused). */
  claims: Record<string, readonly string[]>;
}

/**
 * The RAM object patterns (without the bucket) a path stands for: with a binding, every combination
 * of the caller's values (none when a placeholder has no value); without one, `*` for each
 * placeholder. Each ends in `*`.
 */
export function instances(tokens: readonly PathToken[], binding?: Binding): string[] {
  let out = [''];
  for (const token of tokens) {
    const values = 'literal' in token ? [token.literal] : !binding ? ['*'] : 'uid' in token ? [binding.uid] : (binding.claims[token.claim] ?? []);
    out = out.flatMap((head) => values.map((v) => head + v));
  }
  return out.map((p) => `${p}*`);
}

/** Any one key segment: what a placeholder stands for when nobody's values fill it. */
export function oneSegment(s: string): boolean {
  return !s.includes('/');
}

/**
 * Whether RAM reads a pattern as its path means it: every `*` but the last stands for a whole segment,
 * with only a `/` before the next `*` (the patterns of `avatars/{uid}/*` and `teams/{claims.team}/{uid}/*`
 * are). The pattern of `{uid}/b/*` is not: its first `*` would also take `a/a` (RAM's `*` crosses `/`),
 * so RAM would let it reach `a/a/b/f`, which that path does not hold. Such a pattern must be narrowed
 * to the caller's or the key's own values before RAM sees it.
 */
export function expressible(pattern: string): boolean {
  const parts = pattern.split('*');
  return parts.slice(1, -1).every((p) => p === '/') && parts[parts.length - 1] === '';
}

/** Whether RAM's `*`-only pattern matches `text` whole. */
export function globMatch(pattern: string, text: string): boolean {
  const parts = pattern.split('*');
  if (parts.length === 1) return pattern === text;
  const [first, last] = [parts[0], parts[parts.length - 1]];
  if (!text.startsWith(first) || text.length < first.length + last.length || !text.endsWith(last)) return false;
  let at = first.length;
  const end = text.length - last.length;
  for (const part of parts.slice(1, -1)) {
    const found = text.indexOf(part, at);
    if (found < 0 || found + part.length > end) return false;
    at = found + part.length;
  }
  return true;
}

/**
 * What a scope path (a folder, `teams/` or `avatars/bob/`) leaves of a pattern: the pattern's keys
 * under that folder, as a pattern; undefined when there are none, or when the folder lies deeper
 * than the pattern's own folders (a scope names a rule's path or a folder above it, so its policy's
 * size is known when the rules are loaded). A `*` segment of the pattern (a placeholder the caller
 * does not fill) takes the folder's segment there, which `fills` must accept.
 */
export function scopeWithin(pattern: string, folder: string, fills: (segment: string) => boolean): string | undefined {
  const own = pattern.slice(0, -1).split('/').slice(0, -1);
  const asked = folder.split('/').slice(0, -1);
  if (asked.length > own.length) return undefined;
  for (const [i, segment] of asked.entries()) {
    if (own[i] === '*' ? !fills(segment) : own[i] !== segment) return undefined;
  }
  const rest = own.slice(asked.length);
  return `${folder}${rest.map((s) => `${s}/`).join('')}*`;
}

/**
 * The values a key gives a path's placeholders, read as the path's owner would have written it:
 * each placeholder takes the text up to the next literal; every value must pass `segment`, and
 * something must follow the path's last folder. Undefined when the key is not under the path that
 * way; `uid` is '' when the path has no `{uid}`.
 */
export function placeholderValues(tokens: readonly PathToken[], key: string, segment: (s: string) => boolean): Binding | undefined {
  const binding: { uid: string; claims: Record<string, string[]> } = { uid: '', claims: {} };
  let at = 0;
  for (const [i, token] of tokens.entries()) {
    if ('literal' in token) {
      if (!key.startsWith(token.literal, at)) return undefined;
      at += token.literal.length;
      continue;
    }
    const next = tokens[i + 1] as { literal: string };
    const end = key.indexOf(next.literal, at);
    if (end <= at) return undefined;
    const value = key.slice(at, end);
    if (!segment(value)) return undefined;
    if ('uid' in token) binding.uid = value;
    else binding.claims[token.claim] = [value];
    at = end;
  }
  return at < key.length ? binding : undefined;
}
