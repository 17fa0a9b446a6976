// Which content types an upload may declare under the rules, what a refused one is told, which type
// a file extension names, and which types a browser would run if a download were served inline.

import { allowedContentType, allowedTypesRule, isActiveContent, isAllowedType, normalizeContentType, typeFromExtension } from '../../shared/policy/content-type';
import { apiRefusal } from '../helpers/policy';

/** The code and message of the ApiError `run` throws. */
describe('a declared content type', () => {
  test.each([
    ['image/png', 'image/png'],
    ['Image/PNG', 'image/png'],
    [' image/png ; charset=binary', 'image/png'],
    ['application/vnd.ms-excel', 'application/vnd.ms-excel'],
    ['a/b', 'a/b'],
    [`${'a'.repeat(127)}/${'b'.repeat(127)}`, `${'a'.repeat(127)}/${'b'.repeat(127)}`],
  ])('%j is the bare media type %j', (value, type) => {
    expect(normalizeContentType(value)).toBe(type);
  });

  test.each([['image'], ['image/'], ['/png'], ['image/png/x'], ['.image/png'], ['image/.png'], ['ima ge/png'], [`${'a'.repeat(128)}/b`], [`a/${'b'.repeat(128)}`], ['']])(
    '%j is no media type: InvalidContentType',
    (value) => {
      expect(apiRefusal(() => normalizeContentType(value))).toEqual({ code: 'InvalidContentType', message: 'contentType must be a media type such as image/png' });
    },
  );

  test('a value that is not a string: InvalidContentType, saying it must be one', () => {
    expect(apiRefusal(() => normalizeContentType(7))).toEqual({ code: 'InvalidContentType', message: 'contentType must be a string such as image/png' });
  });

  test('a type the rules do not allow: ContentTypeNotAllowed, listing what they allow', () => {
    expect(apiRefusal(() => allowedContentType('text/html', ['image/png', 'image/*']))).toEqual({ code: 'ContentTypeNotAllowed', message: 'text/html is not allowed; allowed: image/png, image/*' });
  });

  test('an allowed type is returned bare', () => {
    expect(allowedContentType('IMAGE/PNG; q=1', ['image/png'])).toBe('image/png');
  });
});

describe('the allowed list', () => {
  test.each([
    ['image/png', ['image/png'], true],
    ['image/png', ['image/jpeg'], false],
    ['image/png', ['image/*'], true],
    ['image/svg+xml', ['image/*'], true],
    ['imagex/png', ['image/*'], false],
    ['text/image', ['image/*'], false],
    ['image/png', [], false],
    ['image/pngx', ['image/png'], false],
    ['image/png', ['text/plain', 'image/png'], true],
    ['image/png, text/html', ['image/*'], false],
    ['image/png,text/html', ['image/*'], false],
    ['\xa0image/png', ['image/png'], false],
  ])('%s under %j is allowed: %s', (type, allowed, ok) => {
    expect(isAllowedType(type, allowed)).toBe(ok);
  });

  test('is taken lower-cased, each a type or a type/* wildcard', () => {
    const fail = (expected: string): never => {
      throw new Error(expected);
    };
    expect(allowedTypesRule(['Image/PNG', 'video/*', 'application/vnd.api+json'], fail)).toEqual(['image/png', 'video/*', 'application/vnd.api+json']);
    expect(() => allowedTypesRule([], fail)).toThrow(/^must list at least one content type$/);
    for (const t of ['*/*', 'image/*x', 'image', 'image/', '/png', 'image/png/x', 'ima ge/png']) {
      expect(() => allowedTypesRule([t], fail)).toThrow(`"${t}" is not a content type such as image/png or image/*`);
    }
  });
});

describe('the type a file extension names', () => {
  test.each([
    ['jpg', 'image/jpeg'],
    ['.JPEG', 'image/jpeg'],
    ['.pdf', 'application/pdf'],
    ['mp4', 'video/mp4'],
    ['.svg', 'image/svg+xml'],
    ['html', 'text/html'],
    ['..pdf', undefined],
    ['pdf.', undefined],
    ['exe', undefined],
    ['', undefined],
  ])('%j: %s', (ext, type) => {
    expect(typeFromExtension(ext)).toBe(type);
  });

  test('every extension it knows, each with its registered type', () => {
    const known = ['jpg', 'jpeg', 'png', 'gif', 'webp', 'avif', 'heic', 'svg', 'pdf', 'txt', 'csv', 'json', 'mp4', 'mov', 'webm', 'mp3', 'm4a', 'wav', 'zip', 'html', 'htm', 'js', 'xml'];
    expect(Object.fromEntries(known.map((ext) => [ext, typeFromExtension(ext)]))).toEqual({
      jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', gif: 'image/gif', webp: 'image/webp', avif: 'image/avif',
      heic: 'image/heic', svg: 'image/svg+xml', pdf: 'application/pdf', txt: 'text/plain', csv: 'text/csv', json: 'application/json',
      mp4: 'video/mp4', mov: 'video/quicktime', webm: 'video/webm', mp3: 'audio/mpeg', m4a: 'audio/mp4', wav: 'audio/wav',
      zip: 'application/zip', html: 'text/html', htm: 'text/html', js: 'text/javascript', xml: 'application/xml',
    });
  });
});

describe('content a browser runs when served inline', () => {
  test.each([
    'text/html', 'application/xhtml+xml', 'image/svg+xml', 'text/xml', 'application/xml', 'text/javascript', 'application/javascript',
    'application/x-javascript', 'text/ecmascript', 'application/ecmascript', 'application/x-shockwave-flash', 'text/xsl',
  ])('the type %s', (type) => {
    expect(isActiveContent(type)).toBe(true);
    expect(isActiveContent(type.toUpperCase())).toBe(true);
  });

  test.each(['a.html', 'a.htm', 'a.xhtml', 'a.xht', 'a.svg', 'a.svgz', 'a.xml', 'a.xsl', 'a.xslt', 'a.js', 'a.mjs', 'a.swf', 'a.shtml', 'A.HTML'])('a key ending %s', (key) => {
    expect(isActiveContent(key)).toBe(true);
  });

  test.each(['image/png', 'text/plain', 'application/pdf', 'a.png', 'a.html.png', 'a.json', 'a.jsx', 'html'])('not %s', (value) => {
    expect(isActiveContent(value)).toBe(false);
  });
});
