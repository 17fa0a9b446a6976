// How a user id appears in keys and in STS's audit trail, and what the access shorthands (upload,
// download, readwrite, delete) grant on the caller's own folder, with each refusal's code and message.

import { loadConfig } from '../../shared/config';
import { grantFor, isUserSegment, roleSessionName, userSegment } from '../../shared/policy/rules';
import { parseRules } from '../../rules/load';
import { apiRefusal } from '../helpers/policy';

const ENV = { OSS_BUCKET: 'photos-prod', OSS_REGION: 'cn-hangzhou' };
const rules = loadConfig(ENV).rules;
const rulesOf = (...lines: string[]) => loadConfig(ENV, parseRules(['version: 1', 'rules:', ...lines].join('\n'), 'test.rules.yaml').storage).rules;

/** The code, message and rule of the ApiError `run` throws. */
describe('the user id’s key segment', () => {
  test.each([
    ['a plain id', 'alice', 'alice'],
    ['an e-mail address', 'alice@example.com', 'alice@example.com'],
    ['an id starting with a digit, _, @ or -', '-a_@9', '-a_@9'],
    ['64 characters', 'a'.repeat(64), 'a'.repeat(64)],
    ['one character', 'a', 'a'],
  ])('%s is used as it is', (_, uid, segment) => {
    expect(userSegment(uid)).toBe(segment);
    expect(isUserSegment(segment)).toBe(true);
  });

  test.each([
    ['a climb', 'alice/../bob', '~7592b7788efa13d1a767bd62294a94c0'],
    ['a wildcard', '*', '~684888c0ebb17f374298b65ee2807526'],
    ['65 characters', 'a'.repeat(65), undefined],
    ['a leading dot', '.alice', undefined],
    ['non-ASCII', '日本', '~cf2abf0c5be326cb922a70f8163f9107'],
  ])('%s becomes ~ and the first 32 hex digits of its SHA-256', (_, uid, segment) => {
    const made = userSegment(uid);
    expect(made).toMatch(/^~[0-9a-f]{32}$/);
    if (segment !== undefined) expect(made).toBe(segment);
    expect(isUserSegment(made)).toBe(true);
  });

  test.each([
    ['empty', '', 'the user id is empty'],
    ['a lone surrogate', 'a\ud800', 'the user id is not valid Unicode'],
  ])('an id that is %s: InvalidUser, saying why', (_, uid, message) => {
    expect(apiRefusal(() => userSegment(uid))).toEqual({ code: 'InvalidUser', message });
  });

  test.each([[undefined], [7], [null]])('an id that is not a string (%j): InvalidUser, saying so', (uid) => {
    expect(apiRefusal(() => userSegment(uid as unknown as string))).toEqual({ code: 'InvalidUser', message: 'the user id is not a string' });
  });

  test.each([
    ['a hash one digit short', `~${'a'.repeat(31)}`],
    ['a hash one digit long', `~${'a'.repeat(33)}`],
    ['a hash in upper case', `~${'A'.repeat(32)}`],
    ['a hash after text', `x~${'a'.repeat(32)}`],
    ['65 safe characters', 'a'.repeat(65)],
    ['a dot segment', '..'],
    ['a path', 'a/b'],
  ])('%s is no segment userSegment makes', (_, s) => {
    expect(isUserSegment(s)).toBe(false);
  });
});

describe('the STS session name (2–32 of A-Za-z0-9.@_-) names the user', () => {
  test.each([
    ['an id that is a valid name', 'alice@x.example', 'alice@x.example'],
    ['two characters', 'ab', 'ab'],
    ['32 characters', 'a'.repeat(32), 'a'.repeat(32)],
    ['one character, padded', 'a', 'u-a'],
    ['33 characters: 15 of them and 16 hex digits of the hash', 'a'.repeat(33), `${'a'.repeat(15)}-852785c805c77e71`],
    ['other characters: the valid ones, then the hash', 'björn@x.example', 'bjrn@x.example-acb3c319bcce877a'],
    ['no valid character: u- and the hash', '日本', 'u-cf2abf0c5be326cb'],
  ])('%s: %j → %j', (_, uid, name) => {
    expect(roleSessionName(uid)).toBe(name);
    expect(name).toMatch(/^[A-Za-z0-9.@_-]{2,32}$/);
  });
});

describe('the access shorthands', () => {
  test.each([
    ['upload', { write: ['users/alice/*'] }],
    ['download', { read: ['users/alice/*'] }],
    ['delete', { delete: ['users/alice/*'] }],
    ['readwrite', { write: ['users/alice/*'], read: ['users/alice/*'], delete: ['users/alice/*'], list: ['users/alice/*'] }],
  ] as const)('%s grants its actions on the caller’s own folder', (access, scope) => {
    const grant = grantFor('alice', access, rules);
    expect(grant).toMatchObject({ uid: 'alice', user: 'alice', prefix: 'users/alice/', access, scope });
    expect(grant.rule?.path).toBe('users/{uid}/*');
  });

  test('an access that is none of them: InvalidAccess, listing them', () => {
    expect(apiRefusal(() => grantFor('alice', 'admin' as never, rules))).toEqual({ code: 'InvalidAccess', message: 'access must be one of upload, download, readwrite, delete' });
  });

  test('the home folder is the first {uid} path without claims that gives its owner something', () => {
    const home = rulesOf(
      '  - path: "teams/{claims.team}/{uid}/*"',
      '    allow:',
      '      owner: [write]',
      '  - path: "public/{uid}/*"',
      '    allow:',
      '      authenticated: [read]',
      '  - path: "home/{uid}/*"',
      '    allow:',
      '      owner: [read, write]',
      '  - path: "other/{uid}/*"',
      '    allow:',
      '      owner: [read, write]',
    );
    expect(grantFor('alice', 'upload', home)).toMatchObject({ prefix: 'home/alice/', scope: { write: ['home/alice/*'] } });
  });

  test('without a folder of the caller’s own: InvalidAccess, saying to ask for a path', () => {
    const shared = rulesOf('  - path: "shared/*"', '    allow:', '      authenticated: [read, write]');
    expect(apiRefusal(() => grantFor('alice', 'upload', shared))).toEqual({
      code: 'InvalidAccess',
      message: 'the storage rules give no folder of your own ({uid} with an owner grant): ask for a path and actions',
    });
  });

  test('without a folder of the caller’s own, the rules have no home folder template (a request without a path names no folder)', () => {
    expect(rulesOf('  - path: "shared/*"', '    allow:', '      authenticated: [read, write]').prefixTemplate).toBe('');
  });

  test('an action the home rule does not give its owner: RuleDenied, naming the rule and every action missing', () => {
    const readOnly = rulesOf('  - path: "home/{uid}/*"', '    allow:', '      owner: [read]');
    expect(apiRefusal(() => grantFor('alice', 'upload', readOnly))).toEqual({ code: 'RuleDenied', message: 'rule "home/{uid}/*" does not let its owner write', rule: 'home/{uid}/*' });
    expect(apiRefusal(() => grantFor('alice', 'readwrite', readOnly)).message).toBe('rule "home/{uid}/*" does not let its owner write or delete or list');
    expect(grantFor('alice', 'download', readOnly).scope).toEqual({ read: ['home/alice/*'] });
  });

  test('the grant is held to the home rule’s own limits', () => {
    const small = rulesOf('  - path: "home/{uid}/*"', '    allow:', '      owner: [write]', '    write:', '      maxSize: 1000');
    expect(grantFor('alice', 'upload', small).rules.maxSize).toBe(1000);
    expect(small.maxSize).not.toBe(1000);
  });
});
