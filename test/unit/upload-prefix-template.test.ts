// UPLOAD_PREFIX as the rules take it: which templates make valid keys for every user (up to OSS's
// 1023 bytes), what a refused one is told, and whose prefix a key lies under.

import { ConfigError, loadConfig } from '../../shared/config';
import { userOfKey } from '../../shared/policy/keys';

const ENV = { OSS_BUCKET: 'photos-prod', OSS_REGION: 'cn-hangzhou' };

/** The message of the ConfigError loading UPLOAD_PREFIX=`prefix` throws, or 'loaded'. */
function loading(prefix: string): string {
  try {
    loadConfig({ ...ENV, UPLOAD_PREFIX: prefix });
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  return 'loaded';
}

test('dots inside a segment are no dot segment', () => {
  expect(loading('files.v2/${uid}/')).toBe('loaded');
  expect(loadConfig({ ...ENV, UPLOAD_PREFIX: 'files.v2/${uid}/' }).rules.prefixTemplate).toBe('files.v2/${uid}/');
});

test.each([['users/./${uid}/'], ['users/../${uid}/']])('%s has a dot segment: refused, saying so', (prefix) => {
  expect(loading(prefix)).toBe(`UPLOAD_PREFIX: must be a relative key prefix without wildcards, control characters or dot segments, got "${prefix}"`);
});

test('a template whose shortest key (a one-character id, a one-character name) is 1023 bytes loads; one byte more does not', () => {
  // 1,027 characters with `${uid}`: 1,023 with `u` in its place and a one-character name.
  const longest = `${'d/'.repeat(510)}\${uid}/`;
  expect(longest.length).toBe(1027);
  expect(loading(longest)).toBe('loaded');
  const over = `${'d/'.repeat(510)}d\${uid}/`;
  expect(loading(over)).toBe(`UPLOAD_PREFIX: must make valid object keys (the key is 1024 bytes; OSS allows at most 1023), got "${over}"`);
});

describe('whose prefix a key lies under', () => {
  test('a key under another folder of the template’s length is no one’s', () => {
    expect(userOfKey('users/${uid}/', 'other/bob/a.jpg')).toBeUndefined();
  });

  test('a user under a template with nothing before ${uid}', () => {
    expect(userOfKey('${uid}/', 'bob/a.jpg')).toEqual({ user: 'bob', prefix: 'bob/' });
  });
});
