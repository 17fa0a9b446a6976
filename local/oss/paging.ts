// One page of a listing, as OSS pages ListObjects and ListMultipartUploads: the entries under a
// prefix after a marker, in byte order of their UTF-8 keys, those whose key holds the delimiter
// after the prefix rolled up into one common prefix, and at most `max` of both together.

export interface Page<T> {
  contents: T[];
  prefixes: string[];
  truncated: boolean;
  /** The key (or common prefix) of the last thing returned: where the next page starts. */
  lastKey?: string;
  /** The last entry returned, when the page ends on an entry rather than a common prefix. */
  lastEntry?: T;
}

/**
 * `entries` must be sorted by key (UTF-8 byte order); `after(e)` says whether the entry comes after
 * the request's marker.
 */
export function pageOf<T extends { key: string }>(entries: T[], prefix: string, after: (e: T) => boolean, delimiter: string, max: number): Page<T> {
  const contents: T[] = [];
  const prefixes: string[] = [];
  let lastKey: string | undefined;
  let lastEntry: T | undefined;
  for (const e of entries) {
    if (!e.key.startsWith(prefix) || !after(e)) continue;
    const cut = delimiter ? e.key.indexOf(delimiter, prefix.length) : -1;
    const common = cut >= 0 ? e.key.slice(0, cut + delimiter.length) : undefined;
    if (common !== undefined && common === prefixes[prefixes.length - 1]) continue;
    if (contents.length + prefixes.length >= max) return { contents, prefixes, truncated: true, lastKey, lastEntry };
    if (common !== undefined) {
      prefixes.push(common);
      [lastKey, lastEntry] = [common, undefined];
    } else {
      contents.push(e);
      [lastKey, lastEntry] = [e.key, e];
    }
  }
  return { contents, prefixes, truncated: false, lastKey, lastEntry };
}

/** UTF-8 byte order, as OSS sorts keys. */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/**
 * The marker to resume after: a marker that is a common prefix (it ends with the delimiter) stands
 * for everything under it, which sorts before the prefix followed by the highest character.
 */
export function resumeAfter(marker: string, delimiter: string): string {
  return delimiter && marker.endsWith(delimiter) ? marker + '\u{10FFFF}' : marker;
}
