// One way to write every timestamp the local OSS answers with. OSS keeps times to the second and
// writes them in two forms: ISO 8601 with a literal `.000Z` in XML (LastModified, Initiated,
// RequestTime…), which is the only form oss2 parses (its iso8601_to_unixtime), and the HTTP-date of
// RFC 1123 in headers (Last-Modified, Date).

/** The time truncated to whole seconds, as OSS stores Last-Modified. */
export function wholeSeconds(time: Date): Date {
  return new Date(Math.floor(time.getTime() / 1000) * 1000);
}

/** `2026-11-29T08:42:32.000Z`: XML elements and the object-created event. */
export function ossIsoTime(time: Date): string {
  return wholeSeconds(time).toISOString();
}

/** `Sun, 29 Nov 2026 08:42:32 GMT` (RFC 1123 HTTP-date, always GMT, English names): headers. */
export function httpDate(time: Date): string {
  return time.toUTCString();
}
