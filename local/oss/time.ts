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

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const IMF_FIXDATE = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;

/**
 * An HTTP-date in the form HTTP requires senders to use (RFC 9110's IMF-fixdate, which httpDate
 * writes), or undefined for anything else, an impossible date included, so the caller can ignore it
 * as HTTP and OSS ignore an invalid conditional time.
 */
export function parseHttpDate(value: string | undefined): Date | undefined {
  const m = value === undefined ? null : IMF_FIXDATE.exec(value.trim());
  if (!m) return undefined;
  const d = new Date(Date.UTC(+m[4], MONTHS.indexOf(m[3]), +m[2], +m[5], +m[6], +m[7]));
  return httpDate(d) === value?.trim() ? d : undefined;
}
