// The local OSS writes every timestamp through one formatter, in the two forms OSS uses.

import { httpDate, ossIsoTime, wholeSeconds } from '../../local/oss/time';

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
