// Byte ranges as OSS answers them: GetObject's Range header, in OSS's default behaviour and under
// `x-oss-range-behavior: standard`, and UploadPartCopy's x-oss-copy-source-range. HeadObject takes
// no Range (its page lists only the If-* headers, and the Go SDK v2's HeadObjectRequest has no
// Range field), so HEAD always answers the whole object's Content-Length.
//
// Sources:
// - "Use HTTP Range requests to get OSS resources in segments" (help.aliyun.com/knowledge_detail/39571.html,
//   and its copy in the CDN guide https://help.aliyun.com/zh/cdn/user-guide/object-chunking): the two
//   tables below, for a 1,000-byte object, and "OSS does not support multiple ranges: it returns only
//   the first one (bytes=0-499,500-999 → 0-499)".
// - HTTP status code 416 (help.aliyun.com/document_detail/202447.html): InvalidRange, "The requested range
//   cannot be satisfied"; a cause it names is several ranges in one request.
// - UploadPartCopy (help.aliyun.com/document_detail/31994.html), x-oss-copy-source-range: "bytes=first-last";
//   a range that does not conform to the range rules copies the whole source, with no Content-Range.
// - EC 0042-00000306 (help.aliyun.com/zh/oss/user-guide/0042-00000306): UploadPartCopy requires the copy
//   range to lie within the source object.
// - RFC 9110 §14.1.1 (range syntax; last-pos below first-pos makes a range invalid).

import { invalidArgument, notServed, OssError } from './errors';

/** An inclusive span of an object's bytes: offsets `start` … `end` (bytes, 0-based). */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/** One range of a Range header as written: `a-b`, `a-` (no last) or the suffix `-n` (no first, last = n). */
interface RangeSpec {
  readonly first?: number;
  readonly last?: number;
}

const RANGE_BEHAVIOR = 'x-oss-range-behavior';
const MULTI_RANGE_BEHAVIOR = 'x-oss-multi-range-behavior';
const COPY_SOURCE_RANGE = 'x-oss-copy-source-range';

const invalidRange = () => new OssError(416, 'InvalidRange', 'The requested range cannot be satisfied');

/**
 * The ranges of `bytes=<range>[,<range>…]`, or undefined when the header is not of that form. Only
 * the unit `bytes`, as OSS writes it (its page gives `byte=0-499` as malformed); a range whose last
 * offset is below its first is malformed (RFC 9110 §14.1.1), and so is the whole header with it.
 */
function rangesOf(header: string): RangeSpec[] | undefined {
  if (!header.startsWith('bytes=')) return undefined;
  const specs: RangeSpec[] = [];
  for (const part of header.slice('bytes='.length).split(/[ \t]*,[ \t]*/)) {
    const m = /^(\d*)-(\d*)$/.exec(part);
    if (!m || (m[1] === '' && m[2] === '')) return undefined;
    const first = m[1] === '' ? undefined : Number(m[1]);
    const last = m[2] === '' ? undefined : Number(m[2]);
    if (first !== undefined && last !== undefined && last < first) return undefined;
    specs.push({ first, last });
  }
  return specs;
}

/** OSS's default: a range wholly inside the object, or none (the whole object is answered). */
function insideObject({ first, last }: RangeSpec, size: number): ByteRange | undefined {
  if (first === undefined) {
    const n = last as number;
    return n > 0 && n <= size ? { start: size - n, end: size - 1 } : undefined;
  }
  if (first >= size || (last !== undefined && last >= size)) return undefined;
  return { start: first, end: last ?? size - 1 };
}

/** `standard`: the range cut to the object, or none when it starts past the end (or asks for no bytes). */
function cutToObject({ first, last }: RangeSpec, size: number): ByteRange | undefined {
  if (first === undefined) {
    const n = last as number;
    return n > 0 && size > 0 ? { start: Math.max(0, size - n), end: size - 1 } : undefined;
  }
  if (first >= size) return undefined;
  return { start: first, end: Math.min(last ?? Infinity, size - 1) };
}

/**
 * The bytes GetObject answers for the request's Range header (`headers` lower-cased), for an object
 * of `size` bytes: a range to answer with 206 and Content-Range, or undefined for the whole object
 * with 200 and no Content-Range. For a 1,000-byte object (OSS's tables):
 *
 * | Range                  | default                     | x-oss-range-behavior: standard |
 * |------------------------|-----------------------------|--------------------------------|
 * | bytes=0-499            | 206 0-499                   | 206 0-499                      |
 * | bytes=500-             | 206 500-999                 | 206 500-999                    |
 * | bytes=-500             | 206 500-999                 | 206 500-999                    |
 * | bytes=0-1000           | 200 whole (end past it)     | 206 0-999 (as 500-2000)        |
 * | bytes=500-2000         | 200 whole                   | 206 500-999                    |
 * | bytes=1000-2000        | 200 whole (start past it)   | 416 InvalidRange               |
 * | bytes=1000-            | 200 whole                   | 416 InvalidRange               |
 * | bytes=-2000            | 200 whole                   | 206 0-999                      |
 * | byte=0-499 (malformed) | 200 whole                   | 200 whole                      |
 * | bytes=9-1 (malformed)  | 200 whole                   | 200 whole                      |
 * | bytes=0-499,500-999    | 206 0-499 (the first only)  | 416 InvalidRange               |
 *
 * Left open by the pages, read strictly: `bytes=-0` is unsatisfiable (RFC 9110 §14.1.1), and so is
 * any range of an empty object, which has no byte a Content-Range could name: 200 whole by default,
 * 416 under standard. Several ranges under standard are the 416 page's "multiple ranges" cause. An
 * x-oss-range-behavior other than `standard`, the one value OSS documents, is 400 InvalidArgument.
 * Multi-range answers (x-oss-multi-range-behavior: multi-range, multipart/byteranges) are not served:
 * such a request with several ranges gets 501 NotImplemented rather than a wrong success.
 *
 * @throws OssError 416 InvalidRange, 400 InvalidArgument, 501 NotImplemented as above.
 */
export function rangeOfGet(headers: Record<string, string>, size: number): ByteRange | undefined {
  const behavior = headers[RANGE_BEHAVIOR];
  if (behavior !== undefined && behavior !== 'standard') {
    throw invalidArgument(`${RANGE_BEHAVIOR} must be standard.`, { ArgumentName: RANGE_BEHAVIOR, ArgumentValue: behavior });
  }
  const header = headers['range'];
  const specs = header === undefined ? undefined : rangesOf(header);
  if (!specs) return undefined;
  if (specs.length > 1 && headers[MULTI_RANGE_BEHAVIOR] !== undefined) {
    throw notServed(`${MULTI_RANGE_BEHAVIOR} (several ranges in one answer)`);
  }
  if (behavior === undefined) return insideObject(specs[0], size);
  const range = specs.length === 1 ? cutToObject(specs[0], size) : undefined;
  if (!range) throw invalidRange();
  return range;
}

/**
 * The bytes of a `size`-byte source that UploadPartCopy copies for x-oss-copy-source-range: the
 * range of `bytes=first-last` (answered with Content-Range), or undefined for the whole source (no
 * Content-Range) when the header is absent or is not of that one form (`bytes=a-`, `bytes=-n`,
 * several ranges, malformed). A `first-last` that ends past the source is refused, the stricter
 * reading of EC 0042-00000306, with S3's code and message for the same check (OSS documents that EC
 * for its S3-compatible UploadPartCopy; its own page leaves the case open).
 *
 * @throws OssError 400 InvalidArgument (ArgumentName x-oss-copy-source-range) for a range past the source.
 */
export function rangeOfCopySource(header: string | undefined, size: number): ByteRange | undefined {
  const specs = header === undefined ? undefined : rangesOf(header);
  if (!specs || specs.length !== 1) return undefined;
  const { first, last } = specs[0];
  if (first === undefined || last === undefined) return undefined;
  if (last >= size) {
    throw invalidArgument(`Range specified is not valid for source object of size: ${size}`, { ArgumentName: COPY_SOURCE_RANGE, ArgumentValue: header as string });
  }
  return { start: first, end: last };
}

/** The Content-Range of an answered range: `bytes <start>-<end>/<size>`. */
export const contentRange = (range: ByteRange, size: number): string => `bytes ${range.start}-${range.end}/${size}`;
