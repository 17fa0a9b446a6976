// The limits of writes under each storage rule (the rule's `write` over the file's `defaults` over the
// environment), the problems a compiled rules file can still have under one environment (named by
// their place in the file), and when a rules file says no more than UPLOAD_PREFIX and gives way to it.

import { ConfigError, loadConfig, RulesError } from '../../shared/config';
import type { RuleSpec, StorageRules, WriteRules } from '../../shared/policy/storage-rules';

const ENV = { OSS_BUCKET: 'photos-prod', OSS_REGION: 'cn-hangzhou', UPLOAD_CONTENT_TYPES: 'image/png', UPLOAD_MAX_SIZE: '1000', FORBID_OVERWRITE: 'true' };
const OWNER_ALL = { guest: [], authenticated: [], owner: ['read', 'write', 'list', 'delete'], groups: {} } as RuleSpec['allow'];
const HOME_TOKENS: RuleSpec['tokens'] = [{ literal: 'users/' }, { uid: true }, { literal: '/' }];

/** A compiled rules file of one rule, `users/{uid}/*` (owner: everything), with these defaults and write limits. */
function oneRule(write: WriteRules = {}, defaults: WriteRules = {}, spec: Partial<RuleSpec> = {}): StorageRules {
  return { maxClaimValues: 1, defaults, rules: [{ path: 'users/{uid}/*', tokens: HOME_TOKENS, allow: OWNER_ALL, write, ...spec }] };
}

const limitsOf = (storage: StorageRules, env: Record<string, string> = {}) => loadConfig({ ...ENV, ...env }, storage).rules.paths[0].limits;

/** The place and problem of the RulesError loading `storage` throws. */
function problem(storage: StorageRules, env: Record<string, string> = {}): { message: string; at: (string | number)[] } {
  try {
    loadConfig({ ...ENV, ...env }, storage);
  } catch (err) {
    if (err instanceof RulesError) return { message: err.message, at: err.at };
    throw err;
  }
  throw new Error('loaded');
}

describe('the limits of a rule', () => {
  test('are the environment’s where the file says nothing', () => {
    expect(limitsOf(oneRule())).toMatchObject({ allowedContentTypes: ['image/png'], minSize: 1, maxSize: 1000, forbidOverwrite: true, uploadPaths: ['form', 'put', 'multipart'], requireFilename: false });
  });

  test('take the file’s defaults over the environment, and the rule’s own over both', () => {
    const defaults: WriteRules = { contentTypes: ['application/pdf'], minSize: 5, maxSize: 500, overwrite: true, uploadPaths: ['form'], requireFilename: true };
    expect(limitsOf(oneRule({}, defaults))).toMatchObject({ allowedContentTypes: ['application/pdf'], minSize: 5, maxSize: 500, forbidOverwrite: false, uploadPaths: ['form'], requireFilename: true });
    const own: WriteRules = { contentTypes: ['text/plain'], minSize: 0, maxSize: 50, overwrite: false, uploadPaths: ['multipart'], requireFilename: false };
    expect(limitsOf(oneRule(own, defaults))).toMatchObject({ allowedContentTypes: ['text/plain'], minSize: 0, maxSize: 50, forbidOverwrite: true, uploadPaths: ['multipart'], requireFilename: false });
  });

  test('overwrite: true lets an upload replace an object even when FORBID_OVERWRITE is set', () => {
    expect(limitsOf(oneRule({ overwrite: true })).forbidOverwrite).toBe(false);
    expect(limitsOf(oneRule({}), { FORBID_OVERWRITE: 'false' }).forbidOverwrite).toBe(false);
  });

  test('a longest lifetime caps the URL and form defaults it is below, and leaves those below it', () => {
    const env = { URL_EXPIRES_SECONDS: '300', POST_EXPIRES_SECONDS: '600', URL_MAX_EXPIRES_SECONDS: '1800' };
    expect(limitsOf(oneRule({ maxExpiresSeconds: 450 }), env)).toMatchObject({ maxUrlExpiresSeconds: 450, urlExpiresSeconds: 300, postExpiresSeconds: 450 });
    expect(limitsOf(oneRule({ maxExpiresSeconds: 200 }), env)).toMatchObject({ maxUrlExpiresSeconds: 200, urlExpiresSeconds: 200, postExpiresSeconds: 200 });
    expect(limitsOf(oneRule(), env)).toMatchObject({ maxUrlExpiresSeconds: 1800, urlExpiresSeconds: 300, postExpiresSeconds: 600 });
  });

  test('a longest lifetime may be half the STS credentials’ (rounded down), not a second more', () => {
    expect(limitsOf(oneRule({ maxExpiresSeconds: 1800 }), { STS_DURATION_SECONDS: '3601' }).maxUrlExpiresSeconds).toBe(1800);
    expect(problem(oneRule({ maxExpiresSeconds: 1801 }), { STS_DURATION_SECONDS: '3601' })).toEqual({
      at: ['rules', 0, 'write', 'maxExpiresSeconds'],
      message: 'STORAGE_RULES: rules[0].write.maxExpiresSeconds: must be at most half of STS_DURATION_SECONDS (1800 of 3601): URLs and forms die with the STS credentials that sign them',
    });
    expect(problem(oneRule({}, { maxExpiresSeconds: 1801 })).at).toEqual(['defaults', 'maxExpiresSeconds']);
  });

  test('a minimum over the maximum is named where it is set: the rule’s own, else the defaults’', () => {
    expect(problem(oneRule({ minSize: 2000 }))).toEqual({
      at: ['rules', 0, 'write', 'minSize'],
      message: 'STORAGE_RULES: rules[0].write.minSize: minSize (2000) must not exceed maxSize (1000), with UPLOAD_MIN_SIZE and UPLOAD_MAX_SIZE for what the file leaves out',
    });
    expect(problem(oneRule({}, { minSize: 2000 })).at).toEqual(['defaults', 'minSize']);
    expect(problem(oneRule({ maxSize: 0 })).at).toEqual(['rules', 0, 'write', 'maxSize']);
    expect(problem(oneRule({}, { maxSize: 0 })).at).toEqual(['defaults', 'maxSize']);
  });

  test('a minimum equal to the maximum is one exact size', () => {
    expect(limitsOf(oneRule({ minSize: 1000 }))).toMatchObject({ minSize: 1000, maxSize: 1000 });
  });

  test('each rule of a file gets its own, in the file’s order', () => {
    const two: StorageRules = {
      maxClaimValues: 1,
      defaults: {},
      rules: [
        { path: 'users/{uid}/*', tokens: HOME_TOKENS, allow: OWNER_ALL, write: { maxSize: 10 } },
        { path: 'docs/{uid}/*', tokens: [{ literal: 'docs/' }, { uid: true }, { literal: '/' }], allow: OWNER_ALL, write: { maxSize: 20 } },
      ],
    };
    expect(loadConfig(ENV, two).rules.paths.map((p) => [p.path, p.limits.maxSize])).toEqual([['users/{uid}/*', 10], ['docs/{uid}/*', 20]]);
    expect(problem({ ...two, rules: [two.rules[0], { ...two.rules[1], write: { maxSize: 20, minSize: 30 } }] }).at).toEqual(['rules', 1, 'write', 'minSize']);
  });
});

describe('a rules file that says no more than UPLOAD_PREFIX gives way to it', () => {
  const prefixed = { UPLOAD_PREFIX: 'files/${uid}/' };

  test.each([
    ['the default rules file', oneRule()],
    ['one rule of {uid}/* alone', oneRule({}, {}, { path: '{uid}/*', tokens: [{ uid: true }, { literal: '/' }] })],
  ])('%s', (_, storage) => {
    expect(loadConfig({ ...ENV, ...prefixed }, storage).rules.prefixTemplate).toBe('files/${uid}/');
  });

  test('without UPLOAD_PREFIX, the file’s rule is the environment’s rule', () => {
    const rules = loadConfig(ENV).rules;
    expect(rules.prefixTemplate).toBe('users/${uid}/');
    expect(rules.paths).toEqual([{ path: 'users/{uid}/*', tokens: HOME_TOKENS, allow: OWNER_ALL, limits: expect.objectContaining({ maxSize: 1000 }) }]);
  });

  test.each([
    ['two rules', { ...oneRule(), rules: [...oneRule().rules, ...oneRule().rules] }],
    ['a groups claim', { ...oneRule(), groupsClaim: 'groups' }],
    ['defaults', oneRule({}, { maxSize: 10 })],
    ['limits of the rule’s own', oneRule({ maxSize: 10 })],
    ['a grant to signed-in users', oneRule({}, {}, { allow: { ...OWNER_ALL, authenticated: ['read'] } })],
    ['a grant to guests', oneRule({}, {}, { allow: { ...OWNER_ALL, guest: ['read'] } })],
    ['a grant to a group', oneRule({}, {}, { allow: { ...OWNER_ALL, groups: { mods: ['read'] } } })],
    ['an owner who may not delete', oneRule({}, {}, { allow: { ...OWNER_ALL, owner: ['read', 'write', 'list'] } })],
    ['a claim placeholder', oneRule({}, {}, { path: 'teams/{claims.team}/*', tokens: [{ literal: 'teams/' }, { claim: 'team' }, { literal: '/' }] })],
    ['a folder after the user', oneRule({}, {}, { path: 'users/{uid}/inbox/*', tokens: [{ literal: 'users/' }, { uid: true }, { literal: '/inbox/' }] })],
  ])('a file with %s does not: UPLOAD_PREFIX set beside it is a configuration error', (_, storage) => {
    let error: unknown;
    try {
      loadConfig({ ...ENV, ...prefixed }, storage as StorageRules);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe('UPLOAD_PREFIX: is replaced by the paths of the storage rules file (STORAGE_RULES); remove it');
  });
});
