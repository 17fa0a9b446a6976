// How an object is served and stored, as HeadObject reports it after an upload: an upload may leave
// the bucket's defaults only (no Cache-Control, Content-Disposition, Content-Encoding,
// Content-Language or Expires, the bucket's storage class, no tags), whatever path it took.

import { checkStoredSettings, type StoredSettings } from '../../shared/policy/upload-checks';

const PLAIN: StoredSettings = { headers: {}, storageClass: 'Standard' };

describe('an object stored as our uploads store it', () => {
  test('with no served header, the bucket\'s storage class and no tags is kept', () => {
    expect(checkStoredSettings(PLAIN, 'Standard')).toEqual({ ok: true });
  });

  test('in an IA bucket, stored as IA, is kept', () => {
    expect(checkStoredSettings({ headers: {}, storageClass: 'IA' }, 'IA')).toEqual({ ok: true });
  });

  test('whose storage class OSS does not report is taken to have the bucket\'s, and kept', () => {
    expect(checkStoredSettings({ headers: {} }, 'IA')).toEqual({ ok: true });
  });

  test.each(['identity', 'Identity', ' identity\t'])('with Content-Encoding: %s (OSS\'s value for an object that is not encoded) is kept', (value) => {
    expect(checkStoredSettings({ ...PLAIN, headers: { 'content-encoding': value } }, 'Standard')).toEqual({ ok: true });
  });

  test('answered with the Content-Disposition: attachment OSS adds itself on its default domain (x-oss-force-download: true) is kept', () => {
    expect(checkStoredSettings({ ...PLAIN, headers: { 'content-disposition': 'attachment' }, forcedDownload: true }, 'Standard')).toEqual({ ok: true });
  });

  test('with x-oss-tagging-count 0 is kept', () => {
    expect(checkStoredSettings({ ...PLAIN, taggingCount: '0' }, 'Standard')).toEqual({ ok: true });
  });
});

describe('an object whose upload set how it is served or stored is ObjectSettingNotAllowed', () => {
  test.each([
    ['cache-control', 'public, max-age=31536000'],
    ['content-disposition', 'attachment; filename="invoice.exe"'],
    ['content-encoding', 'gzip'],
    ['content-language', 'fr-CA'],
    ['expires', 'Wed, 21 Oct 2037 07:28:00 GMT'],
  ] as const)('stored with %s, naming the header and its value', (name, value) => {
    const verdict = checkStoredSettings({ ...PLAIN, headers: { [name]: value } }, 'Standard');
    expect(verdict).toEqual({ ok: false, code: 'ObjectSettingNotAllowed', reason: expect.stringContaining(`${name}: ${JSON.stringify(value)}`) });
  });

  test.each([
    ['Archive in a Standard bucket', 'Archive', 'Standard'],
    ['IA in a Standard bucket', 'IA', 'Standard'],
    ['Standard in an IA bucket', 'Standard', 'IA'],
  ] as const)('stored as %s, naming both classes', (_, stored, bucket) => {
    expect(checkStoredSettings({ headers: {}, storageClass: stored }, bucket)).toEqual({
      ok: false,
      code: 'ObjectSettingNotAllowed',
      reason: expect.stringMatching(new RegExp(`stored as ${stored}, not the bucket's ${bucket}`)),
    });
  });

  test.each([
    ['a download name, even where OSS forces downloads (x-oss-force-download: true)', 'attachment; filename="invoice.exe"', true],
    ['a bare attachment where OSS does not force downloads', 'attachment', false],
  ])('stored with a Content-Disposition of %s', (_, value, forcedDownload) => {
    expect(checkStoredSettings({ ...PLAIN, headers: { 'content-disposition': value }, forcedDownload }, 'Standard')).toMatchObject({ ok: false, code: 'ObjectSettingNotAllowed' });
  });

  test.each([
    ['a Content-Encoding of identity after a no-break space (U+00A0 is no HTTP whitespace: an unknown coding)', { 'content-encoding': '\xa0identity' }, false],
    ['a Content-Encoding of identity before a no-break space', { 'content-encoding': 'identity\xa0' }, false],
    ['a bare attachment after a no-break space, where OSS forces downloads', { 'content-disposition': '\xa0attachment' }, true],
  ])('stored with %s', (_, headers, forcedDownload) => {
    expect(checkStoredSettings({ ...PLAIN, headers, forcedDownload }, 'Standard')).toMatchObject({ ok: false, code: 'ObjectSettingNotAllowed' });
  });

  test('with tags (x-oss-tagging-count 2)', () => {
    expect(checkStoredSettings({ ...PLAIN, taggingCount: '2' }, 'Standard')).toEqual({ ok: false, code: 'ObjectSettingNotAllowed', reason: expect.stringContaining('2 tag(s)') });
  });

  test('a long or multi-line header value is quoted and cut in the reason, never copied as it is', () => {
    const verdict = checkStoredSettings({ ...PLAIN, headers: { 'cache-control': `no-cache\r\nX-Injected: 1${'x'.repeat(500)}` } }, 'Standard');
    expect(verdict.ok).toBe(false);
    const { reason } = verdict as { reason: string };
    expect(reason).not.toMatch(/[\r\n]/);
    expect(reason.length).toBeLessThan(200);
  });
});
