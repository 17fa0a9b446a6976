// What the photo app's storage rules grant three users in two teams and a moderator, one key or folder
// at a time: the RAM pattern each grant's session policy carries (checked with the local OSS's IAM
// evaluator, as OSS would evaluate it), the limits it is held to, and what a refusal says.

import { join } from 'node:path';
import { loadConfig } from '../../shared/config';
import { callerOf, grantsAt, ownerOnlyWrites, scopeGrant, writeRulesOf } from '../../shared/policy/grants';
import type { Grant } from '../../shared/policy/rules';
import { sessionPolicy } from '../../shared/policy/session-policy';
import { isAllowed, type RamPolicy } from '../../local/iam/evaluate';
import { parseRules, readRules } from '../../rules/load';
import { apiRefusal } from '../helpers/policy';

const ENV = { OSS_BUCKET: 'photos-prod', OSS_REGION: 'cn-hangzhou' };
const rules = loadConfig(ENV, readRules(join(__dirname, '..', '..', 'examples', 'photo-app.rules.yaml')).storage).rules;
const alice = callerOf({ uid: 'alice', claims: { team: 'red' } }, rules);
const bob = callerOf({ uid: 'bob', claims: { team: ['red', 'blue'] } }, rules);
const carol = callerOf({ uid: 'carol', claims: { groups: ['moderators'] } }, rules);

/** Whether OSS would let the grant's credentials do `action` on `key`, by its session policy. */
function allows(grant: Grant, action: string, key: string): boolean {
  return isAllowed([sessionPolicy(grant) as unknown as RamPolicy], action, `acs:oss:*:*:photos-prod/${key}`, { 'oss:x-oss-object-acl': 'default' });
}

/** The code, message and rule of the ApiError `run` throws. */
describe('the caller the rules see', () => {
  test('fills {uid} with the user id and each claim placeholder with the claim’s values; no groups without the claim', () => {
    expect(bob).toEqual({ uid: 'bob', user: 'bob', guest: false, binding: { uid: 'bob', claims: { team: ['red', 'blue'] } }, groups: [], overLimit: [] });
  });

  test('a claim that is neither a string nor a list of strings fills nothing; empty, malformed and repeated values are dropped', () => {
    expect(callerOf({ uid: 'a', claims: { team: 7 } }, rules).binding.claims.team).toEqual([]);
    expect(callerOf({ uid: 'a', claims: { team: ['red', 7] } }, rules).binding.claims.team).toEqual([]);
    expect(callerOf({ uid: 'a', claims: { team: ['red', '', 'x\ud800', 'red'] } }, rules).binding.claims.team).toEqual(['red']);
  });

  test('a guest is a guest only when the identity says so', () => {
    expect(callerOf({ uid: 'anon', guest: true }, rules).guest).toBe(true);
    expect(callerOf({ uid: 'anon' }, rules).guest).toBe(false);
  });

  test('groups come from the rules’ groups claim only, a string counting as one group', () => {
    expect(callerOf({ uid: 'c', claims: { groups: 'moderators' } }, rules).groups).toEqual(['moderators']);
    expect(callerOf({ uid: 'c', claims: { roles: ['moderators'] } }, rules).groups).toEqual([]);
    const withoutClaim = loadConfig(ENV).rules;
    expect(callerOf({ uid: 'c', claims: { groups: ['moderators'] } }, withoutClaim).groups).toEqual([]);
  });

  test('a caller with as many values of a claim as the rules take is within the limit; one more, over it', () => {
    const teams = (n: number) => Array.from({ length: n }, (_, i) => `t${i}`);
    expect(callerOf({ uid: 'a', claims: { team: teams(4) } }, rules)).toMatchObject({ binding: { claims: { team: teams(4) } }, overLimit: [] });
    expect(callerOf({ uid: 'a', claims: { team: teams(5) } }, rules)).toMatchObject({ binding: { claims: { team: [] } }, overLimit: ['team'] });
  });

  test('a caller with more groups than it may hold is over the limit of the groups claim', () => {
    const many = Array.from({ length: 33 }, (_, i) => `g${i}`);
    expect(callerOf({ uid: 'c', claims: { groups: many } }, rules)).toMatchObject({ groups: [], overLimit: ['groups'] });
    expect(callerOf({ uid: 'c', claims: { groups: many.slice(0, 32) } }, rules)).toMatchObject({ groups: many.slice(0, 32), overLimit: [] });
  });
});

describe('the grant of one key', () => {
  test('an owner writing its own avatar: the avatar rule’s pattern for its own folder, and the rule’s limits', () => {
    const grants = grantsAt(rules, alice, 'write', 'avatars/alice/me.png');
    expect(grants).toHaveLength(1);
    expect(grants[0]).toMatchObject({ uid: 'alice', user: 'alice', prefix: 'avatars/alice/', scope: { write: ['avatars/alice/*'] } });
    expect(grants[0].rule?.path).toBe('avatars/{uid}/*');
    expect(grants[0].rules.maxSize).toBe(2097152);
    expect(grants[0].rules.allowedContentTypes).toEqual(['image/jpeg', 'image/png', 'image/webp']);
    expect(allows(grants[0], 'oss:PutObject', 'avatars/alice/me.png')).toBe(true);
    expect(allows(grants[0], 'oss:PutObject', 'avatars/bob/me.png')).toBe(false);
    expect(allows(grants[0], 'oss:GetObject', 'avatars/alice/me.png')).toBe(false);
  });

  test('any signed-in user reading another’s avatar: every avatar, read only', () => {
    const [grant] = grantsAt(rules, alice, 'read', 'avatars/bob/me.png');
    expect(grant).toMatchObject({ prefix: 'avatars/', scope: { read: ['avatars/*/*'] } });
    expect(allows(grant, 'oss:GetObject', 'avatars/bob/me.png')).toBe(true);
    expect(allows(grant, 'oss:GetObject', 'private/bob/a.png')).toBe(false);
  });

  test('a member writing to one of its teams: that team’s folder only', () => {
    const [grant] = grantsAt(rules, bob, 'write', 'teams/blue/plan.pdf');
    expect(grant).toMatchObject({ prefix: 'teams/blue/', scope: { write: ['teams/blue/*'] } });
    expect(allows(grant, 'oss:PutObject', 'teams/red/plan.pdf')).toBe(false);
  });

  test('a moderator reading anyone’s video, through the group grant', () => {
    const [grant] = grantsAt(rules, carol, 'read', 'videos/alice/clip.mp4');
    expect(grant).toMatchObject({ prefix: 'videos/', scope: { read: ['videos/*/*'] } });
  });

  test('a folder a key is yet to be made in: the folder is the grant’s prefix', () => {
    const [grant] = grantsAt(rules, alice, 'write', 'avatars/alice/2026/', true);
    expect(grant).toMatchObject({ prefix: 'avatars/alice/2026/', scope: { write: ['avatars/alice/*'] } });
  });

  test('writing another user’s avatar, which the caller may read: RuleDenied, naming the rule, the action and the key', () => {
    expect(apiRefusal(() => grantsAt(rules, alice, 'write', 'avatars/bob/me.png'))).toEqual({
      code: 'RuleDenied',
      message: 'rule "avatars/{uid}/*" does not let you write avatars/bob/me.png',
      rule: 'avatars/{uid}/*',
    });
  });

  test('deleting a video as a moderator, who may only read and delete… and write nothing: RuleDenied', () => {
    expect(grantsAt(rules, carol, 'delete', 'videos/alice/clip.mp4')).toHaveLength(1);
    expect(apiRefusal(() => grantsAt(rules, carol, 'write', 'videos/alice/clip.mp4')).message).toBe('rule "videos/{uid}/*" does not let you write videos/alice/clip.mp4');
  });

  test('another user’s private file, which the caller may do nothing with: KeyOutsidePrefix, naming no rule', () => {
    expect(apiRefusal(() => grantsAt(rules, alice, 'read', 'private/bob/a.png'))).toEqual({ code: 'KeyOutsidePrefix', message: 'the key is under no path the storage rules give you' });
    expect(apiRefusal(() => grantsAt(rules, alice, 'write', 'private/bob/', true))).toEqual({ code: 'KeyOutsidePrefix', message: 'the folder is under no path the storage rules give you' });
  });

  test('a team the caller is not in: KeyOutsidePrefix', () => {
    expect(apiRefusal(() => grantsAt(rules, alice, 'read', 'teams/blue/plan.pdf')).code).toBe('KeyOutsidePrefix');
  });

  test('a caller whose claim has too many values is told so in a refusal', () => {
    const many = Array.from({ length: 33 }, (_, i) => (i === 0 ? 'moderators' : `g${i}`));
    const crowded = callerOf({ uid: 'carol', claims: { groups: many } }, rules);
    expect(apiRefusal(() => grantsAt(rules, crowded, 'write', 'avatars/alice/me.png')).message).toBe(
      'rule "avatars/{uid}/*" does not let you write avatars/alice/me.png; your groups claim has more values than the rules take',
    );
  });

  test('a caller over the limit of two claims is told of both', () => {
    const many = Array.from({ length: 33 }, (_, i) => `g${i}`);
    const crowded = callerOf({ uid: 'carol', claims: { groups: many, team: ['a', 'b', 'c', 'd', 'e'] } }, rules);
    expect(apiRefusal(() => grantsAt(rules, crowded, 'write', 'avatars/alice/me.png')).message).toBe(
      'rule "avatars/{uid}/*" does not let you write avatars/alice/me.png; your team, groups claim has more values than the rules take',
    );
  });

  test('a key the folder of the rule holds nothing under (the folder itself) is under no rule', () => {
    expect(apiRefusal(() => grantsAt(rules, alice, 'write', 'avatars/alice')).code).toBe('KeyOutsidePrefix');
  });
});

describe('the scope /token vends for a folder', () => {
  test('the avatars folder: reading every avatar, as any signed-in user, and the caller’s own by its owner grant', () => {
    const grant = scopeGrant(rules, alice, 'avatars/', ['read']);
    expect(grant).toEqual({ uid: 'alice', user: 'alice', prefix: 'avatars/', scope: { read: ['avatars/*/*', 'avatars/alice/*'] }, rules });
  });

  test('the teams folder: each of the caller’s teams, for each action asked, in the rules’ action order', () => {
    expect(scopeGrant(rules, bob, 'teams/', ['write', 'read']).scope).toEqual({ read: ['teams/red/*', 'teams/blue/*'], write: ['teams/red/*', 'teams/blue/*'] });
  });

  test('one team’s folder: that team only', () => {
    const grant = scopeGrant(rules, bob, 'teams/blue/', ['list']);
    expect(grant.scope).toEqual({ list: ['teams/blue/*'] });
    expect(sessionPolicy(grant).Statement).toEqual([
      { Effect: 'Allow', Action: ['oss:ListObjects'], Resource: ['acs:oss:*:*:photos-prod'], Condition: { StringLike: { 'oss:Prefix': ['teams/blue/*'] } } },
    ]);
  });

  test('a team the caller is not in: RuleDenied, naming the rule, the action and the folder', () => {
    expect(apiRefusal(() => scopeGrant(rules, alice, 'teams/blue/', ['read']))).toEqual({
      code: 'RuleDenied',
      message: 'rule "teams/{claims.team}/*" does not let you read under teams/blue/',
      rule: 'teams/{claims.team}/*',
    });
  });

  test('a folder no rule lies under: KeyOutsidePrefix, saying what a scope may name', () => {
    expect(apiRefusal(() => scopeGrant(rules, alice, 'elsewhere/', ['read']))).toEqual({
      code: 'KeyOutsidePrefix',
      message: "no storage rule has a path at or under elsewhere/ (a scope names a rule's folder or one above it)",
    });
  });

  test('a folder deeper than a rule’s own folders narrows nothing: KeyOutsidePrefix', () => {
    expect(apiRefusal(() => scopeGrant(rules, alice, 'avatars/alice/2026/', ['read'])).code).toBe('KeyOutsidePrefix');
  });

  test.each([['avatars'], [7], ['/'], ['avatars//']])('the path %j is not a folder: InvalidKey', (path) => {
    expect(apiRefusal(() => scopeGrant(rules, alice, path, ['read'])).code).toBe('InvalidKey');
  });

  test('a path without the trailing "/" is told what a folder looks like', () => {
    expect(apiRefusal(() => scopeGrant(rules, alice, 'avatars', ['read']))).toEqual({ code: 'InvalidKey', message: 'path must be a folder ending in "/", e.g. "users/alice/"' });
  });

  test.each([[[]], [['read', 'read']], [['admin']], [['read', 'admin']], ['read'], [undefined]])('the actions %j are refused: InvalidAccess, listing the actions', (actions) => {
    expect(apiRefusal(() => scopeGrant(rules, alice, 'avatars/', actions))).toEqual({ code: 'InvalidAccess', message: 'actions must list some of read, list, write, delete, each once' });
  });
});

describe('a path RAM would read wider than it means', () => {
  // `box/{uid}/inbox/*` as RAM's `box/*/inbox/*` would also take `box/a/a/inbox/f`: the grant is
  // narrowed to the key's own values.
  const wide = loadConfig(
    ENV,
    parseRules(
      ['version: 1', 'rules:', '  - path: "box/{uid}/inbox/*"', '    allow:', '      authenticated: [write]', '      owner: [read]'].join('\n'),
      'wide.rules.yaml',
    ).storage,
  ).rules;
  const dave = callerOf({ uid: 'dave' }, wide);

  test('a grant of one key names the key’s own folder, not every folder', () => {
    const [grant] = grantsAt(wide, dave, 'write', 'box/erin/inbox/note.txt');
    expect(grant).toMatchObject({ prefix: 'box/erin/inbox/', scope: { write: ['box/erin/inbox/*'] } });
    expect(allows(grant, 'oss:PutObject', 'box/erin/inbox/other.txt')).toBe(true);
    expect(allows(grant, 'oss:PutObject', 'box/a/a/inbox/note.txt')).toBe(false);
  });

  test('an owner’s own folder is already narrow', () => {
    expect(grantsAt(wide, dave, 'read', 'box/dave/inbox/note.txt')[0].scope).toEqual({ read: ['box/dave/inbox/*'] });
  });

  test('a scope must name a folder deep enough to fill the placeholder', () => {
    expect(scopeGrant(wide, dave, 'box/erin/', ['write']).scope).toEqual({ write: ['box/erin/inbox/*'] });
    expect(apiRefusal(() => scopeGrant(wide, dave, 'box/', ['write']))).toMatchObject({ code: 'RuleDenied', message: 'rule "box/{uid}/inbox/*" does not let you write under box/' });
    expect(scopeGrant(wide, dave, 'box/', ['read']).scope).toEqual({ read: ['box/dave/inbox/*'] });
    expect(apiRefusal(() => scopeGrant(wide, dave, 'box/erin/', ['read'])).code).toBe('RuleDenied');
  });
});

describe('guests and signed-in users', () => {
  const open = loadConfig(
    ENV,
    parseRules(['version: 1', 'rules:', '  - path: "public/*"', '    allow:', '      guest: [read]', '      authenticated: [write]'].join('\n'), 'open.rules.yaml').storage,
  ).rules;

  test('a guest gets what guests are given, and not what signed-in users are', () => {
    const guest = callerOf({ uid: 'anon-1', guest: true }, open);
    expect(grantsAt(open, guest, 'read', 'public/a.png')[0].scope).toEqual({ read: ['public/*'] });
    expect(apiRefusal(() => grantsAt(open, guest, 'write', 'public/a.png')).code).toBe('RuleDenied');
  });

  test('a signed-in user gets what signed-in users are given, and not what guests are', () => {
    const user = callerOf({ uid: 'alice' }, open);
    expect(grantsAt(open, user, 'write', 'public/a.png')[0].scope).toEqual({ write: ['public/*'] });
    expect(apiRefusal(() => grantsAt(open, user, 'read', 'public/a.png')).code).toBe('RuleDenied');
  });

  test('a group the rules do not name grants nothing, whatever it is called', () => {
    const odd = callerOf({ uid: 'carol', claims: { groups: ['constructor', 'toString', 'hasOwnProperty'] } }, rules);
    expect(apiRefusal(() => grantsAt(rules, odd, 'read', 'videos/alice/clip.mp4')).code).toBe('KeyOutsidePrefix');
  });
});

describe('which rules an uploaded key falls under', () => {
  test('an avatar: its owner’s, only the owner writes there', () => {
    expect(writeRulesOf(rules, 'avatars/alice/me.png').map((k) => [k.rule.path, k.user, k.prefix])).toEqual([['avatars/{uid}/*', 'alice', 'avatars/alice/']]);
    expect(ownerOnlyWrites(rules.paths[1])).toBe(true);
  });

  test('a team file: no owner id, the team’s folder', () => {
    expect(writeRulesOf(rules, 'teams/red/plan.pdf').map((k) => [k.rule.path, k.user, k.prefix])).toEqual([['teams/{claims.team}/*', '', 'teams/red/']]);
  });

  test('a key under a rule nobody writes under is under none', () => {
    const readOnly = loadConfig(ENV, parseRules(['version: 1', 'rules:', '  - path: "shared/*"', '    allow:', '      authenticated: [read]'].join('\n'), 'ro.rules.yaml').storage).rules;
    expect(writeRulesOf(readOnly, 'shared/a.png')).toEqual([]);
    expect(ownerOnlyWrites(readOnly.paths[0])).toBe(false);
  });

  test('a key whose {uid} could be no user id is under no owner’s rule', () => {
    expect(writeRulesOf(rules, 'avatars/.hidden/me.png')).toEqual([]);
  });

  test('a rule anyone signed in writes under: the key’s {uid} when it could be a user id, else the rule’s folder; the owner is not the only writer', () => {
    const dropbox = loadConfig(
      ENV,
      parseRules(['version: 1', 'rules:', '  - path: "drop/{uid}/*"', '    allow:', '      authenticated: [write]'].join('\n'), 'drop.rules.yaml').storage,
    ).rules;
    expect(writeRulesOf(dropbox, 'drop/.x/a.png').map((k) => [k.user, k.prefix])).toEqual([['', 'drop/']]);
    expect(writeRulesOf(dropbox, 'drop/erin/a.png').map((k) => [k.user, k.prefix])).toEqual([['erin', 'drop/erin/']]);
    expect(ownerOnlyWrites(dropbox.paths[0])).toBe(false);
  });

  test('a rule its owner and others write under, or a group alone: the owner is not the only writer', () => {
    const shared = loadConfig(
      ENV,
      parseRules(
        [
          'version: 1',
          'groupsClaim: groups',
          'rules:',
          '  - path: "both/{uid}/*"',
          '    allow:',
          '      owner: [write]',
          '      authenticated: [write]',
          '  - path: "editors/{uid}/*"',
          '    allow:',
          '      groups:',
          '        editors: [write]',
        ].join('\n'),
        'shared.rules.yaml',
      ).storage,
    ).rules;
    expect(ownerOnlyWrites(shared.paths[0])).toBe(false);
    expect(ownerOnlyWrites(shared.paths[1])).toBe(false);
    expect(writeRulesOf(shared, 'editors/.x/a.png').map((k) => [k.rule.path, k.user, k.prefix])).toEqual([['editors/{uid}/*', '', 'editors/']]);
  });
});
