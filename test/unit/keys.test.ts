import { loadConfig } from '../../shared/config';
import fc from 'fast-check';
import { generateKey, keyInGrant, nameOfKey, SAFE_NAME_MAX_BYTES, safeExtension, safeName, uploadTarget, userOfKey, validateKey } from '../../shared/policy/keys';
import { grantFor } from '../../shared/policy/rules';
import { policyCode } from '../helpers/policy';

const rules = loadConfig({ OSS_BUCKET: 'photos-prod', OSS_REGION: 'cn-hangzhou' }).rules;
const alice = grantFor('alice', 'upload', rules);
const PREFIX = 'users/alice/';

/** A key under alice's prefix of exactly `bytes` UTF-8 bytes, made mostly of `fill`. */
function keyOfBytes(bytes: number, fill: string): string {
  const room = bytes - Buffer.byteLength(PREFIX);
  const count = Math.floor(room / Buffer.byteLength(fill));
  return PREFIX + fill.repeat(count) + 'a'.repeat(room - count * Buffer.byteLength(fill));
}

describe('validateKey refuses keys that are unsafe downstream', () => {
  test.each([
    ['empty', ''],
    ['a plain .. segment', 'users/alice/../bob/a.jpg'],
    ['a plain . segment', 'users/alice/./a.jpg'],
    ['%2e%2e', 'users/alice/%2e%2e/bob/a.jpg'],
    ['%2E%2E%2F inside a segment', 'users/alice/%2E%2E%2Fbob/a.jpg'],
    ['..%2f inside a segment', 'users/alice/..%2fbob/a.jpg'],
    ['double-encoded %252e%252e', 'users/alice/%252e%252e/bob/a.jpg'],
    ['triple-encoded %25252e%25252e', 'users/alice/%25252e%25252e/bob/a.jpg'],
    ['an encoded backslash %5c', 'users/alice/..%5cbob'],
    ['fullwidth solidus U+FF0F', 'users/alice\uff0f..\uff0fbob/a.jpg'],
    ['fullwidth full stops U+FF0E', 'users/alice/\uff0e\uff0e/a.jpg'],
    ['one-dot leaders U+2024', 'users/alice/\u2024\u2024/a.jpg'],
    ['division slash U+2215', 'users/alice\u2215..\u2215bob/a.jpg'],
    ['fraction slash U+2044', 'users/alice\u2044a.jpg'],
    ['fullwidth reverse solidus U+FF3C', 'users/alice/..\uff3cbob'],
    ['a percent-encoded fullwidth solidus', 'users/alice/..%EF%BC%8Fbob/a.jpg'],
    ['percent-encoded one-dot leaders', 'users/alice/%E2%80%A4%E2%80%A4/a.jpg'],
    ['a percent-encoded division slash', 'users/alice/..%E2%88%95bob'],
    ['1024 ASCII bytes', keyOfBytes(1024, 'a')],
    ['1024 bytes of 2-byte characters', keyOfBytes(1024, 'é')],
    ['1024 bytes of 3-byte characters', keyOfBytes(1024, '中')],
    ['1024 bytes of 4-byte characters', keyOfBytes(1024, '😀')],
    ['a leading slash', '/users/alice/a.jpg'],
    ['a backslash', 'users\\alice\\a.jpg'],
    ['NUL', 'users/alice/a.jpg\u0000.png'],
    ['an encoded NUL', 'users/alice/a.jpg%00.png'],
    ['a newline', 'users/alice/a\n.jpg'],
    ['a carriage return', 'users/alice/a\r.jpg'],
    ['a tab', 'users/alice/a\t.jpg'],
    ['ESC', 'users/alice/\u001b[31ma.jpg'],
    ['DEL', 'users/alice/a\u007f.jpg'],
    ['a C1 control (NEL)', 'users/alice/a\u0085.jpg'],
    ['a line separator', 'users/alice/a\u2028.jpg'],
    ['a right-to-left override', 'users/alice/invoice\u202egpj.exe'],
    ['a left-to-right isolate', 'users/alice/a\u2066.jpg'],
    ['an Arabic letter mark (a bidi control)', 'users/alice/a\u061c.jpg'],
    ['a word joiner', 'users/alice/a\u2060.jpg'],
    ['a zero-width space', 'users/alice/a\u200b.jpg'],
    ['a byte-order mark', 'users/alice/\ufeffa.jpg'],
    ['a lone high surrogate', 'users/alice/a\ud800.jpg'],
    ['a lone low surrogate', 'users/alice/a\udc00.jpg'],
    ['an empty segment', 'users//alice/a.jpg'],
    ['a trailing slash', 'users/alice/'],
    ['a number', 42],
    ['undefined', undefined],
  ])('%s', (_, key) => {
    expect(policyCode(() => validateKey(key))).toBe('InvalidKey');
  });
});

describe('validateKey accepts ordinary keys', () => {
  test.each([
    ['a plain key', 'users/alice/photo.jpg'],
    ['exactly 1023 ASCII bytes', keyOfBytes(1023, 'a')],
    ['exactly 1023 bytes of 2-byte characters', keyOfBytes(1023, 'é')],
    ['exactly 1023 bytes of 3-byte characters', keyOfBytes(1023, '中')],
    ['exactly 1023 bytes of 4-byte characters', keyOfBytes(1023, '😀')],
    ['dots inside a name', 'users/alice/a..b.tar.gz'],
    ['Unicode names', 'users/alice/résumé 2024/照片.jpg'],
    ['a stray percent sign', 'users/alice/100%.jpg'],
    ['percent-encoding that decodes to a plain name', 'users/alice/%41bc.jpg'],
  ])('%s', (_, key) => {
    expect(validateKey(key)).toBe(key);
  });

  test('the boundary keys have the byte lengths their names say', () => {
    for (const fill of ['a', 'é', '中', '😀']) {
      expect(Buffer.byteLength(keyOfBytes(1023, fill))).toBe(1023);
      expect(Buffer.byteLength(keyOfBytes(1024, fill))).toBe(1024);
    }
  });
});

describe('keyInGrant', () => {
  test('accepts a key under the caller’s own prefix', () => {
    expect(keyInGrant(alice, 'users/alice/2024/a.jpg')).toBe('users/alice/2024/a.jpg');
  });

  test.each([
    ['another user’s key', 'users/bob/a.jpg'],
    ['a user whose id starts with the caller’s', 'users/alice2/a.jpg'],
    ['the same id in another case', 'users/Alice/a.jpg'],
    ['a key outside every prefix', 'public/a.jpg'],
  ])('refuses %s with KeyOutsidePrefix', (_, key) => {
    expect(policyCode(() => keyInGrant(alice, key))).toBe('KeyOutsidePrefix');
  });

  test.each([
    ['the prefix itself', 'users/alice/'],
    ['a climb out of the prefix', 'users/alice/../bob/a.jpg'],
    ['an encoded climb out of the prefix', 'users/alice/%2e%2e/bob/a.jpg'],
  ])('refuses %s with InvalidKey', (_, key) => {
    expect(policyCode(() => keyInGrant(alice, key))).toBe('InvalidKey');
  });
});

describe('generateKey', () => {
  test('makes a fresh, valid key under the caller’s prefix each time: an id segment, then the file name', () => {
    const keys = Array.from({ length: 50 }, () => generateKey(alice, 'holiday.jpg'));
    expect(new Set(keys).size).toBe(keys.length);
    for (const key of keys) {
      expect(validateKey(key)).toBe(key);
      expect(key).toMatch(/^users\/alice\/[A-Za-z0-9_-]{16}\/holiday\.jpg$/);
    }
  });

  test('without a file name, the id alone', () => {
    expect(generateKey(alice)).toMatch(/^users\/alice\/[A-Za-z0-9_-]{16}$/);
  });

  test.each([
    ['holiday.JPG', '.jpg'],
    ['archive.tar.gz', '.gz'],
    ['photo.ｊｐｇ', '.jpg'],
    ['../../etc/passwd', ''],
    ['x.jpg/../../y', ''],
    ['invoice\u202egpj.exe', '.exe'],
    ['a.verylongextension', ''],
    ['no-extension', ''],
    [undefined, ''],
  ])('takes only a short plain extension from the file name %j', (filename, ext) => {
    expect(safeExtension(filename)).toBe(ext);
  });
});

describe('safeName: the readable form of a file name a generated key ends with', () => {
  test.each([
    ['a plain name', 'holiday.JPG', 'holiday.JPG'],
    ['CJK, spaces and parentheses', '报告 2026 (final).pdf', '报告 2026 (final).pdf'],
    ['accents, in NFC', 're\u0301sume\u0301.png', 'résumé.png'],
    ['an emoji', '🎉 party.png', '🎉 party.png'],
    ['separators', '../../etc/passwd', '.._.._etc_passwd'],
    ['a backslash', 'a\\b.txt', 'a_b.txt'],
    ['a right-to-left override', 'invoice\u202egpj.exe', 'invoice_gpj.exe'],
    ['a zero-width joiner inside an emoji', '👩\u200d💻.png', '👩_💻.png'],
    ['controls', 'a\nb\tc\u0000.txt', 'a_b_c_.txt'],
    ['a fullwidth solidus', 'a\uff0fb.txt', 'a_b.txt'],
    ['one-dot leaders', '\u2024\u2024.txt', '__.txt'],
    ['percent signs (a reader might decode them)', '100%2e%2e.txt', '100_2e_2e.txt'],
    ['characters Windows reserves', 'a<b>c:d"e|f?g*.txt', 'a_b_c_d_e_f_g_.txt'],
    ['leading spaces, trailing spaces and dots', '  notes.txt. . ', 'notes.txt'],
    ['a name of dots', '..', 'file'],
    ['a name of spaces', '   ', 'file'],
    ['a fullwidth percent sign (NFKC reads %)', 'a\uff05b.txt', 'a_b.txt'],
  ])('%s: %j → %j', (_, name, safe) => {
    expect(safeName(name)).toBe(safe);
  });

  test('a long name is cut between graphemes to SAFE_NAME_MAX_BYTES, keeping its extension', () => {
    const name = `${'报告'.repeat(60)}.pdf`;
    const safe = safeName(name);
    expect(Buffer.byteLength(safe)).toBeLessThanOrEqual(SAFE_NAME_MAX_BYTES);
    expect(safe).toBe(`${'报告'.repeat(24)}.pdf`);
    // A flag is two code points and one grapheme: it is kept whole or not at all.
    expect(safeName(`${'x'.repeat(140)}🇨🇳.png`)).toBe(`${'x'.repeat(140)}.png`);
  });

  test('for any name, is idempotent, bounded, and ends a key validateKey accepts', () => {
    const nameArb = fc.oneof(
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 80 }),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 300 }),
      fc.string({ unit: fc.constantFrom('.', '/', '\\', '%', '2', 'e', ' ', '\u202e', '\uff0e', '\u2025', '\ufe52', '\u200d', 'é', 'e\u0301', '报', '😀'), minLength: 1, maxLength: 40 }),
    );
    fc.assert(
      fc.property(nameArb, (name) => {
        const safe = safeName(name);
        expect(safeName(safe)).toBe(safe);
        expect(Buffer.byteLength(safe)).toBeLessThanOrEqual(SAFE_NAME_MAX_BYTES);
        expect(validateKey(`${PREFIX}AAAAAAAAAAAAAAAA/${safe}`)).toBe(`${PREFIX}AAAAAAAAAAAAAAAA/${safe}`);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('uploadTarget: the key and the exact name an upload is signed for', () => {
  test('without a key: a fresh key carrying the safe form, and the exact name', () => {
    const t = uploadTarget(alice, { filename: 'a:b.pdf' });
    expect(t).toEqual({ key: expect.stringMatching(/^users\/alice\/[A-Za-z0-9_-]{16}\/a_b\.pdf$/), filename: 'a:b.pdf' });
    expect(nameOfKey(t.key)).toBe('a_b.pdf');
  });

  test('with the caller\'s key: it must end with the name\'s safe form', () => {
    expect(uploadTarget(alice, { key: 'users/alice/docs/a_b.pdf', filename: 'a:b.pdf' })).toEqual({ key: 'users/alice/docs/a_b.pdf', filename: 'a:b.pdf' });
    expect(uploadTarget(alice, { key: 'users/alice/docs/x.pdf' })).toEqual({ key: 'users/alice/docs/x.pdf', filename: undefined });
    expect(policyCode(() => uploadTarget(alice, { key: 'users/alice/docs/x.pdf', filename: 'a:b.pdf' }))).toBe('InvalidFilename');
  });

  test.each([[''], ['f'.repeat(256)], [7], ['a\ud800.txt'], [['a.txt']]])('refuses the file name %j with InvalidFilename', (filename) => {
    expect(policyCode(() => uploadTarget(alice, { filename }))).toBe('InvalidFilename');
  });
});

describe('userOfKey', () => {
  test.each([
    ['users/${uid}/', 'users/alice/a.jpg', 'alice'],
    ['users/${uid}/', 'users/alice/deep/er/a.jpg', 'alice'],
    ['tenants/acme/${uid}/files/', 'tenants/acme/bob/files/a.jpg', 'bob'],
    ['u-${uid}-x/', 'u-carol-x-x/a.jpg', 'carol-x'],
  ])('in %s, %s belongs to %s', (template, key, user) => {
    expect(userOfKey(template, key)).toEqual({ user, prefix: template.replace('${uid}', user) });
  });

  test('finds the hashed user segment of an id that is not key-safe', () => {
    const grant = grantFor('alice@example.com/../bob', 'upload', rules);
    expect(userOfKey(rules.prefixTemplate, generateKey(grant))).toEqual({ user: grant.user, prefix: grant.prefix });
  });

  test.each([
    ['users/alice/', 'the prefix alone'],
    ['users/../a.jpg', 'a dot segment in the user’s place'],
    ['users/.hidden/a.jpg', 'a segment no user id could make'],
    ['public/alice/a.jpg', 'a key outside the template'],
    ['users/alice', 'a key without the separator after the user'],
    ['tenants/acme/bob/a.jpg', 'a key missing the rest of the template'],
  ])('%s belongs to no one (%s)', (key) => {
    const template = key.startsWith('tenants/') ? 'tenants/acme/${uid}/files/' : 'users/${uid}/';
    expect(userOfKey(template, key)).toBeUndefined();
  });
});
