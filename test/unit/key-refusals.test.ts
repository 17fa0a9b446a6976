// What a caller is told when a key is refused: the code a client switches on and the message a
// developer reads, one rule each, so a refusal never names the wrong problem.

import { loadConfig } from '../../shared/config';
import { keyInGrant, uploadTarget, validateKey } from '../../shared/policy/keys';
import { grantFor } from '../../shared/policy/rules';
import { apiRefusal } from '../helpers/policy';

const rules = loadConfig({ OSS_BUCKET: 'photos-prod', OSS_REGION: 'cn-hangzhou' }).rules;
const alice = grantFor('alice', 'upload', rules);

/** The code and message of the ApiError `run` throws. */
describe('validateKey names the rule a key breaks', () => {
  test.each([
    ['an empty key', '', 'the key must be a non-empty string'],
    ['a key that is not a string', 42, 'the key must be a non-empty string'],
    ['a lone surrogate', 'users/alice/a\ud800.jpg', 'the key is not valid Unicode'],
    ['1024 bytes', `users/alice/${'a'.repeat(1012)}`, 'the key is 1024 bytes; OSS allows at most 1023'],
    ['1024 bytes of 2-byte characters', `users/alice/${'é'.repeat(506)}`, 'the key is 1024 bytes; OSS allows at most 1023'],
    ['a leading slash', '/users/alice/a.jpg', 'the key must not start with "/"'],
    ['a backslash', 'users/alice\\a.jpg', 'the key must not contain "\\"'],
    ['a newline', 'users/alice/a\n.jpg', 'the key contains control or invisible characters'],
    ['a right-to-left override', 'users/alice/a\u202e.jpg', 'the key contains control or invisible characters'],
    ['a fullwidth solidus', 'users/alice\uff0fa.jpg', 'the key contains a character that looks like "/", "\\" or "."'],
    ['an empty segment', 'users//alice/a.jpg', 'the key has an empty path segment'],
    ['a .. segment', 'users/alice/../a.jpg', 'the key has a "." or ".." segment, or one that decodes to a separator'],
    ['a segment that decodes to ..', 'users/alice/%2e%2e/a.jpg', 'the key has a "." or ".." segment, or one that decodes to a separator'],
    ['a segment that decodes to a separator', 'users/alice/a%2fb.jpg', 'the key has a "." or ".." segment, or one that decodes to a separator'],
    ['a segment that decodes to a backslash', 'users/alice/a%5Cb.jpg', 'the key has a "." or ".." segment, or one that decodes to a separator'],
    ['a segment that decodes to a control character', 'users/alice/a%0ab.jpg', 'the key has a "." or ".." segment, or one that decodes to a separator'],
    ['a segment that decodes to a look-alike', 'users/alice/a%EF%BC%8Fb.jpg', 'the key has a "." or ".." segment, or one that decodes to a separator'],
    ['a trailing slash', 'users/alice/docs/', 'the key must name an object, not end with "/"'],
  ])('%s: InvalidKey, with the message that names it', (_, key, message) => {
    expect(apiRefusal(() => validateKey(key))).toEqual({ code: 'InvalidKey', message });
  });

  test('a key of exactly 1023 bytes is accepted', () => {
    const key = `users/alice/${'a'.repeat(1011)}`;
    expect(validateKey(key)).toBe(key);
  });

  test('percent-encoding that does not decode (a stray %) is kept as it is', () => {
    expect(validateKey('users/alice/100%zz%2.jpg')).toBe('users/alice/100%zz%2.jpg');
    expect(validateKey('users/alice/%E0%A4%A.jpg')).toBe('users/alice/%E0%A4%A.jpg');
  });

  test('a segment encoded three times over is decoded three times; a fourth layer is left encoded', () => {
    expect(apiRefusal(() => validateKey('users/alice/%25252e%25252e/a.jpg')).code).toBe('InvalidKey');
    expect(validateKey('users/alice/%2525252e%2525252e/a.jpg')).toBe('users/alice/%2525252e%2525252e/a.jpg');
  });
});

describe('a key outside the caller’s prefix', () => {
  test.each([
    ['another user’s key', 'users/bob/a.jpg'],
    ['a key whose user id extends the caller’s', 'users/alice2/a.jpg'],
  ])('%s: KeyOutsidePrefix, naming the caller’s own prefix', (_, key) => {
    expect(apiRefusal(() => keyInGrant(alice, key))).toEqual({ code: 'KeyOutsidePrefix', message: 'the key must start with your prefix users/alice/' });
  });

  test('a key one character under the prefix is the caller’s', () => {
    expect(keyInGrant(alice, 'users/alice/a')).toBe('users/alice/a');
  });
});

test('a caller’s key that does not end with its file name’s safe form: InvalidFilename, naming the safe form', () => {
  expect(apiRefusal(() => uploadTarget(alice, { key: 'users/alice/docs/x.pdf', filename: 'a:b.pdf' }))).toEqual({
    code: 'InvalidFilename',
    message: 'the key must end with the file name\'s safe form "a_b.pdf"; leave out key to have one made',
  });
});
