// The local OSS writes every timestamp through one formatter, in the two forms OSS uses.

import { httpDate, ossIsoTime, parseHttpDate, wholeSeconds } from '../../local/oss/time';

const t = new Date('2026-11-29T08:42:32.789Z');

it('writes XML times to the whole second with a literal .000Z, as OSS does', () => {
  expect(ossIsoTime(t)).toBe('2026-11-29T08:42:32.000Z');
});

it('writes header times as RFC 1123 HTTP-dates in GMT', () => {
  expect(httpDate(t)).toBe('Sun, 29 Nov 2026 08:42:32 GMT');
  expect(httpDate(new Date('2015-12-05T11:10:29Z'))).toBe('Sat, 05 Dec 2015 11:10:29 GMT');
});

it('keeps times to the second, dropping the milliseconds', () => {
  expect(wholeSeconds(t).toISOString()).toBe('2026-11-29T08:42:32.000Z');
});

describe('reading an HTTP-date (conditional request headers)', () => {
  it('reads the IMF-fixdate form it writes', () => {
    expect(parseHttpDate('Sun, 29 Nov 2026 08:42:32 GMT')?.toISOString()).toBe('2026-11-29T08:42:32.000Z');
  });

  it.each([
    ['an ISO 8601 time', '2026-11-29T08:42:32Z'],
    ['another zone', 'Sun, 29 Nov 2026 08:42:32 +0800'],
    ['a wrong weekday', 'Mon, 29 Nov 2026 08:42:32 GMT'],
    ['an impossible day', 'Tue, 31 Nov 2026 08:42:32 GMT'],
    ['nothing', ''],
  ])('gives nothing for %s, so the condition is ignored', (_what, value) => {
    expect(parseHttpDate(value)).toBeUndefined();
  });
});
