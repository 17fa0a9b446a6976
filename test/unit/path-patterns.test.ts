// Storage rule paths as RAM patterns: what a path stands for for one caller and for everyone, which
// patterns RAM reads as the path means them, how RAM's `*` matches, what a scope folder leaves of a
// pattern, and what values a key gives a path's placeholders.

import { expressible, globMatch, instances, oneSegment, placeholderValues, scopeWithin, templateTokens, type PathToken } from '../../shared/policy/path-pattern';
import { isUserSegment } from '../../shared/policy/rules';

const TEAM_USER: PathToken[] = [{ literal: 'teams/' }, { claim: 'team' }, { literal: '/' }, { uid: true }, { literal: '/' }];

describe('an UPLOAD_PREFIX template as path tokens', () => {
  test.each([
    ['users/${uid}/', [{ literal: 'users/' }, { uid: true }, { literal: '/' }]],
    ['${uid}/', [{ uid: true }, { literal: '/' }]],
    ['a/${uid}/b/', [{ literal: 'a/' }, { uid: true }, { literal: '/b/' }]],
  ])('%s', (template, tokens) => {
    expect(templateTokens(template)).toEqual(tokens);
  });
});

describe('the patterns a path stands for', () => {
  test('for everyone: * for each placeholder', () => {
    expect(instances(TEAM_USER)).toEqual(['teams/*/*/*']);
  });

  test('for one caller: every combination of its values, in order', () => {
    expect(instances(TEAM_USER, { uid: 'alice', claims: { team: ['red', 'blue'] } })).toEqual(['teams/red/alice/*', 'teams/blue/alice/*']);
  });

  test('for a caller without a value for a placeholder: none', () => {
    expect(instances(TEAM_USER, { uid: 'alice', claims: {} })).toEqual([]);
    expect(instances(TEAM_USER, { uid: 'alice', claims: { team: [] } })).toEqual([]);
  });

  test('of a literal path: the path and *', () => {
    expect(instances([{ literal: 'public/' }])).toEqual(['public/*']);
  });
});

describe('whether RAM reads a pattern as its path means it', () => {
  test.each([
    ['users/alice/*', true],
    ['avatars/*/*', true],
    ['teams/*/*/*', true],
    ['*/*', true],
    ['*/b/*', false],
    ['a/*x/*', false],
    ['a/*', true],
    ['a/*/b', false],
    ['a', false],
  ])('%s: %s', (pattern, ok) => {
    expect(expressible(pattern)).toBe(ok);
  });
});

describe('RAM’s * matched against a key', () => {
  test.each([
    ['users/alice/*', 'users/alice/a.png', true],
    ['users/alice/*', 'users/alice/', true],
    ['users/alice/*', 'users/alice', false],
    ['users/alice/*', 'users/alice2/a.png', false],
    ['*', '', true],
    ['a*b', 'ab', true],
    ['a*b', 'a', false],
    ['a*b', 'b', false],
    ['a*b*c', 'abc', true],
    ['a*b*c', 'ac', false],
    ['a*b*c', 'abbc', true],
    ['a*bc*bc', 'abc', false],
    ['a*bc*bc', 'abcbc', true],
    ['a*x*x', 'axx', true],
    ['a*x*x', 'ax', false],
    ['*/b/*', 'a/a/b/f', true],
    ['exact', 'exact', true],
    ['exact', 'exact2', false],
    ['*a', 'ba', true],
    ['*a', 'ab', false],
    ['ab*ba', 'aba', false],
    ['ab*ba', 'abba', true],
    ['*b*', 'b', true],
    ['x*ab*ab*y', 'xaby', false],
    ['x*ab*ab*y', 'xababy', true],
  ])('%s matches %j: %s', (pattern, text, ok) => {
    expect(globMatch(pattern, text)).toBe(ok);
  });
});

describe('what a scope folder leaves of a pattern', () => {
  const any = () => true;

  test.each([
    ['avatars/*/*', 'avatars/', 'avatars/*/*'],
    ['avatars/*/*', 'avatars/bob/', 'avatars/bob/*'],
    ['avatars/alice/*', 'avatars/', 'avatars/alice/*'],
    ['avatars/alice/*', 'avatars/alice/', 'avatars/alice/*'],
    ['teams/*/*/*', 'teams/red/', 'teams/red/*/*'],
    ['users/alice/*', '', 'users/alice/*'],
  ])('%s under %s: %s', (pattern, folder, left) => {
    expect(scopeWithin(pattern, folder, any)).toBe(left);
  });

  test.each([
    ['avatars/alice/*', 'avatars/bob/'],
    ['avatars/alice/*', 'private/'],
    ['avatars/alice/*', 'avatars/alice/2026/'],
    ['avatars/*/*', 'avatars/bob/2026/'],
  ])('%s under %s: nothing', (pattern, folder) => {
    expect(scopeWithin(pattern, folder, any)).toBeUndefined();
  });

  test('a placeholder takes only a segment `fills` accepts', () => {
    expect(scopeWithin('avatars/*/*', 'avatars/.x/', isUserSegment)).toBeUndefined();
    expect(scopeWithin('avatars/*/*', 'avatars/bob/', isUserSegment)).toBe('avatars/bob/*');
  });
});

describe('the values a key gives a path’s placeholders', () => {
  test('each placeholder takes the text up to the next literal', () => {
    expect(placeholderValues(TEAM_USER, 'teams/red/alice/a/b.png', isUserSegment)).toEqual({ uid: 'alice', claims: { team: ['red'] } });
  });

  test('a path without {uid} gives an empty uid', () => {
    expect(placeholderValues([{ literal: 'teams/' }, { claim: 'team' }, { literal: '/' }], 'teams/red/a.png', isUserSegment)).toEqual({ uid: '', claims: { team: ['red'] } });
  });

  test.each([
    ['a key under another literal', 'groups/red/alice/a.png'],
    ['an empty placeholder', 'teams//alice/a.png'],
    ['a value `segment` refuses', 'teams/.x/alice/a.png'],
    ['nothing after the last folder', 'teams/red/alice/'],
    ['a key that stops inside the path', 'teams/red/alice'],
    ['a key that stops at a placeholder', 'teams/red'],
  ])('%s: none', (_, key) => {
    expect(placeholderValues(TEAM_USER, key, isUserSegment)).toBeUndefined();
  });

  test('an empty placeholder is no value, even where any one segment is taken', () => {
    expect(placeholderValues([{ uid: true }, { literal: '/' }], '/a.png', oneSegment)).toBeUndefined();
    expect(placeholderValues(TEAM_USER, 'teams//alice/a.png', oneSegment)).toBeUndefined();
  });

  test('a literal path holds what follows it', () => {
    expect(placeholderValues([{ literal: 'public/' }], 'public/a.png', isUserSegment)).toEqual({ uid: '', claims: {} });
    expect(placeholderValues([{ literal: 'public/' }], 'public/', isUserSegment)).toBeUndefined();
    expect(placeholderValues([{ literal: 'public/' }], 'xpublic/a.png', isUserSegment)).toBeUndefined();
  });
});
