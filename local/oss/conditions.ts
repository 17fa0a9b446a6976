// Conditional GET and HEAD: If-Match, If-None-Match, If-Modified-Since and If-Unmodified-Since.
// OSS's GetObject and HeadObject pages give each header's answer (412 Precondition Failed for
// If-Match and If-Unmodified-Since, 304 Not Modified for If-None-Match and If-Modified-Since, an
// invalid time ignored); they leave the order of several open, so it is HTTP's (RFC 9110 §13.2.2):
// If-Match, else If-Unmodified-Since; then If-None-Match, else If-Modified-Since.

import { OssError } from './errors';
import type { ObjectMeta } from './storage';
import { parseHttpDate, wholeSeconds } from './time';

const preconditionFailed = (condition: string) =>
  new OssError(412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', { Condition: condition });

/**
 * Whether an If-Match / If-None-Match list names the object's ETag: `*`, or entity tags with or
 * without their quotes (oss2 and the Python SDK v2 send the bare hex), compared exactly.
 */
function matches(list: string, etag: string): boolean {
  return list.split(',').some((item) => {
    const tag = item.trim().replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
    return tag === '*' || tag === etag;
  });
}

/**
 * Check the request's preconditions against the object. Throws 412 PreconditionFailed (naming the
 * condition) when a write-style precondition fails; returns 'not-modified' when the answer is 304.
 */
export function evaluatePreconditions(headers: Record<string, string>, meta: ObjectMeta): 'proceed' | 'not-modified' {
  // To the second, as Last-Modified says it (objects stored before times were kept to the second).
  const lastModified = wholeSeconds(new Date(meta.lastModified)).getTime();
  const ifMatch = headers['if-match'];
  if (ifMatch !== undefined) {
    if (!matches(ifMatch, meta.etag)) throw preconditionFailed('If-Match');
  } else {
    const since = parseHttpDate(headers['if-unmodified-since']);
    if (since && lastModified > since.getTime()) throw preconditionFailed('If-Unmodified-Since');
  }
  const ifNoneMatch = headers['if-none-match'];
  if (ifNoneMatch !== undefined) return matches(ifNoneMatch, meta.etag) ? 'not-modified' : 'proceed';
  const since = parseHttpDate(headers['if-modified-since']);
  return since && lastModified <= since.getTime() ? 'not-modified' : 'proceed';
}
