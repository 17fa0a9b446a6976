// The safe name a generated key ends with, at the edges of its length limit (SAFE_NAME_MAX_BYTES,
// 150): where a long name is cut, what of its end is kept, and which characters stay as they are.

import { safeName } from '../../shared/policy/keys';

describe('a name within the limit', () => {
  test.each([
    ['dots before the extension', 'a..pdf'],
    ['a space and a dot before the extension', 'v1 .pdf'],
    ['exactly 150 bytes with a dot before the extension', `${'x'.repeat(145)}..pdf`],
  ])('%s is kept as it is', (_, name) => {
    expect(safeName(name)).toBe(name);
  });

  test.each([
    ['fullwidth letters', 'photo.ｊｐｇ'],
    ['a ligature', 'ﬁle.pdf'],
    ['superscripts', 'x².png'],
  ])('%s, which NFKC changes into safe characters, are kept', (_, name) => {
    expect(safeName(name)).toBe(name);
  });
});

describe('a name over the limit', () => {
  test('is cut to exactly 150 bytes when its characters allow, keeping the extension', () => {
    expect(safeName(`${'a'.repeat(200)}.pdf`)).toBe(`${'a'.repeat(146)}.pdf`);
  });

  test('without an extension, is cut to 150 bytes', () => {
    expect(safeName('x'.repeat(200))).toBe('x'.repeat(150));
  });

  test('keeps only its last extension', () => {
    expect(safeName(`${'a'.repeat(200)}.tar.gz`)).toBe(`${'a'.repeat(147)}.gz`);
  });

  test('keeps the spaces and dots inside what is kept', () => {
    expect(safeName(`a b.c${'d'.repeat(200)}.pdf`)).toBe(`a b.c${'d'.repeat(141)}.pdf`);
  });

  test('drops every space and dot the cut leaves at the end of the stem', () => {
    expect(safeName(`${'a'.repeat(144)}. ${'b'.repeat(100)}.pdf`)).toBe(`${'a'.repeat(144)}.pdf`);
  });
});
