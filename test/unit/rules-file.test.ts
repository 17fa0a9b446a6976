// The storage rules file as an operator writes it: what a valid file compiles to, that the default
// file is today's single prefix, and every problem reported with its line.

import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../shared/config';
import { callerOf, MAX_GROUPS } from '../../shared/policy/grants';
import { parseRules, readRules, RulesFileError, storageRulesOf } from '../../rules/load';

const ENV = { OSS_BUCKET: 'photos-prod', OSS_REGION: 'cn-hangzhou' };
const PHOTO_APP = join(__dirname, '..', '..', 'examples', 'photo-app.rules.yaml');

/** The problems a text's rules report, as `line: message`. */
function problems(text: string): string[] {
  try {
    parseRules(text, 'test.rules.yaml');
  } catch (err) {
    if (err instanceof RulesFileError) return err.problems.map((p) => `${p.line}: ${p.message}`);
    throw err;
  }
  return [];
}

const rule = (path: string, extra = '') => `version: 1\nrules:\n  - path: ${path}\n    allow:\n      owner: [read, write]\n${extra}`;

describe('the default rules file', () => {
  test('compiles to the rule UPLOAD_PREFIX made: users/{uid}/*, owners read, write, list and delete, the environment limits', () => {
    const fromFile = loadConfig(ENV, storageRulesOf({})).rules;
    const fromEnv = loadConfig(ENV).rules;
    expect(fromFile.paths).toEqual(fromEnv.paths);
    expect(fromFile.prefixTemplate).toBe('users/${uid}/');
    expect({ ...fromFile, maxClaimValues: 0, paths: [] }).toEqual({ ...fromEnv, paths: [] });
  });

  test('gives way to UPLOAD_PREFIX, which a deployment set before rules files existed', () => {
    const rules = loadConfig({ ...ENV, UPLOAD_PREFIX: 'tenants/${uid}/' }, storageRulesOf({})).rules;
    expect(rules.prefixTemplate).toBe('tenants/${uid}/');
    expect(rules.paths.map((p) => p.path)).toEqual(['tenants/{uid}/*']);
  });

  test('a rules file of its own with UPLOAD_PREFIX set is a configuration error naming UPLOAD_PREFIX', () => {
    const storage = readRules(PHOTO_APP).storage;
    expect(() => loadConfig({ ...ENV, UPLOAD_PREFIX: 'users/${uid}/' }, storage)).toThrow(ConfigError);
    expect(() => loadConfig({ ...ENV, UPLOAD_PREFIX: 'users/${uid}/' }, storage)).toThrow(/UPLOAD_PREFIX.*storage rules file/);
  });
});

describe('the photo app example', () => {
  const rules = loadConfig(ENV, readRules(PHOTO_APP).storage).rules;

  test('compiles its five paths with their own limits over the environment', () => {
    expect(rules.paths.map((p) => [p.path, p.limits.maxSize, p.limits.uploadPaths])).toEqual([
      ['private/{uid}/*', 100 * 1024 * 1024, ['form', 'put', 'multipart']],
      ['avatars/{uid}/*', 2 * 1024 * 1024, ['form', 'put', 'multipart']],
      ['teams/{claims.team}/*', 20 * 1024 * 1024, ['form', 'put', 'multipart']],
      ['documents/{uid}/*', 50 * 1024 * 1024, ['form', 'put', 'multipart']],
      ['videos/{uid}/*', 5 * 1024 ** 3, ['multipart']],
    ]);
    expect(rules.paths[3].limits.requireFilename).toBe(true);
    expect(rules.paths[4].limits.maxUrlExpiresSeconds).toBe(900);
  });

  test('a caller in more teams than maxClaimValues fills no team folder; in four, all four', () => {
    const teams = (n: number) => Array.from({ length: n }, (_, i) => `team${i}`);
    expect(callerOf({ uid: 'alice', claims: { team: teams(4) } }, rules).binding.claims.team).toEqual(teams(4));
    const over = callerOf({ uid: 'alice', claims: { team: teams(5) } }, rules);
    expect(over.binding.claims.team).toEqual([]);
    expect(over.overLimit).toEqual(['team']);
  });

  test('a claim value too long or unsafe for a key becomes its 33-character hashed segment, as user ids do', () => {
    const caller = callerOf({ uid: 'alice', claims: { team: ['x'.repeat(500), 'a/../b'] } }, rules);
    expect(caller.binding.claims.team).toHaveLength(2);
    for (const v of caller.binding.claims.team) expect(v).toMatch(/^~[0-9a-f]{32}$/);
  });

  test(`more than ${MAX_GROUPS} groups count as none`, () => {
    const groups = Array.from({ length: MAX_GROUPS + 1 }, (_, i) => (i === 0 ? 'moderators' : `g${i}`));
    expect(callerOf({ uid: 'carol', claims: { groups } }, rules).groups).toEqual([]);
    expect(callerOf({ uid: 'carol', claims: { groups: groups.slice(0, MAX_GROUPS) } }, rules).groups).toContain('moderators');
  });
});

describe('a rules file with a problem names its line', () => {
  test('YAML that does not parse', () => {
    const found = problems('version: 1\nrules:\n  - path: [users/{uid}/*\n');
    expect(found.length).toBeGreaterThan(0);
    for (const p of found) expect(p).toMatch(/^[34]: /);
  });

  test('a field the schema does not know, at its own line', () => {
    expect(problems(rule('users/{uid}/*', '    wirte:\n      maxSize: 10\n'))).toEqual(['6: rules[0].wirte: is not a field here']);
  });

  test('an action that is none of read, list, write, delete', () => {
    expect(problems('version: 1\nrules:\n  - path: users/{uid}/*\n    allow:\n      owner: [get]\n')).toEqual([expect.stringMatching(/^5: rules\[0\]\.allow\.owner\[0\]: must be one of read, list, write, delete$/)]);
  });

  test.each(['avatars/{uid}*', 'avatars/{uid}x/*', 'avatars/x{uid}/*', 'teams/{claims.team}-a/*'])('a placeholder inside a segment (%s) is refused: RAM\'s * crosses "/"', (path) => {
    expect(problems(rule(path))).toEqual([expect.stringMatching(/^3: rules\[0\]\.path: .*whole path segment/)]);
  });

  test('a path that does not end in /*', () => {
    expect(problems(rule('users/{uid}/'))).toEqual([expect.stringMatching(/^3: rules\[0\]\.path: must end with "\/\*"/)]);
  });

  test('group grants without groupsClaim', () => {
    const text = 'version: 1\nrules:\n  - path: shared/*\n    allow:\n      groups:\n        staff: [read]\n';
    expect(problems(text)).toEqual([expect.stringMatching(/^5: rules\[0\]\.allow\.groups: group grants need groupsClaim/)]);
  });

  test('a minimum size above the maximum', () => {
    expect(problems(rule('users/{uid}/*', '    write:\n      minSize: 10\n      maxSize: 5\n'))).toEqual([expect.stringMatching(/^7: rules\[0\]\.write\.minSize: must not exceed maxSize/)]);
  });

  test('a rule whose session policy cannot fit STS\'s 2048 characters fails at load time, naming the rule', () => {
    const everything = '    allow:\n      owner: [read, write, list, delete]\n';
    const text = `version: 1\nmaxClaimValues: 16\nrules:\n  - path: private/{uid}/*\n${everything}  - path: a/{claims.team}/*\n${everything}`;
    expect(problems(text)).toEqual([expect.stringMatching(/^7: rules\[1\]\.path: .* under a\/ needs a session policy of \d+ characters .*STS accepts 2048/)]);
  });

  test('the same rule with fewer claim values fits', () => {
    expect(problems('version: 1\nmaxClaimValues: 4\nrules:\n  - path: a/{claims.team}/*\n    allow:\n      owner: [read, write, list, delete]\n')).toEqual([]);
  });
});
