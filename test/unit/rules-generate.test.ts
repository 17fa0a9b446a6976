// What the deployment takes from the storage rules: the upload role's RAM policy, the bucket's CORS
// methods and the OSS trigger's prefix are generated from the rules, and the committed files are what
// the default rules generate. No grant carries an action its rule actions do not name.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ACCESS_LEVELS, RULE_ACTIONS, type RuleAction } from '../../shared/api/types';
import { loadConfig } from '../../shared/config';
import { callerOf, grantsAt, scopeGrant } from '../../shared/policy/grants';
import { ACCESS_ACTIONS, grantFor } from '../../shared/policy/rules';
import { DELETE_ACTIONS, DOWNLOAD_ACTIONS, sessionPolicy, UPLOAD_ACTIONS } from '../../shared/policy/session-policy';
import { uncovered } from '../../deploy/ram/coverage';
import { renderPolicy, type RamVars } from '../../deploy/ram/render';
import { checkManifest } from '../../deploy/s-yaml/check';
import { ramVarsFromManifest } from '../../deploy/s-yaml/ram-vars';
import { readManifestDoc, renderManifest } from '../../deploy/s-yaml/render';
import { expectedDeployment } from '../../deploy/verify/expected';
import { isAllowed, type RamPolicy } from '../../local/iam/evaluate';
import { commonRoot, corsMethods, deployFiles, deployFilesDiffer, shapesOf, uploadRolePolicy } from '../../rules/generate';
import { templateTokens } from '../../shared/policy/path-pattern';
import { parseRules, readRules, storageRulesOf } from '../../rules/load';

const ROOT = join(__dirname, '..', '..');
const ENV = { OSS_BUCKET: 'photos-prod', OSS_REGION: 'cn-hangzhou' };
const photo = readRules(join(ROOT, 'examples', 'photo-app.rules.yaml')).storage;
const vars = (root: string): RamVars => ({
  ACCOUNT_ID: '1234567890123456',
  BUCKET: ENV.OSS_BUCKET,
  PREFIX_ROOT: root,
  TOKEN_ROLE_NAME: 't',
  SIGN_ROLE_NAME: 's',
  CALLBACK_ROLE_NAME: 'c',
  UPLOAD_ROLE_NAME: 'u',
});
const object = (key: string) => `acs:oss:*:*:${ENV.OSS_BUCKET}/${key}`;
const RAM_OF: Record<Exclude<RuleAction, 'list'>, readonly string[]> = { write: UPLOAD_ACTIONS, read: DOWNLOAD_ACTIONS, delete: DELETE_ACTIONS };

describe('the committed deployment files', () => {
  test('deploy/ram/upload-role-policy.json and bucket-cors.json are what storage.rules.yaml generates', () => {
    expect(deployFilesDiffer(storageRulesOf({}))).toEqual([]);
  });

  test('another rules file generates another upload role policy: the comparison can fail', () => {
    expect(deployFilesDiffer(photo)).toEqual(['deploy/ram/upload-role-policy.json']);
  });

  test("s.yaml's prefixRoot, the OSS trigger's key prefix and the RAM files' ${PREFIX_ROOT}, is the folder the default rules lie under", () => {
    const manifest = parse(readFileSync(join(ROOT, 's.yaml'), 'utf8')) as { vars: { prefixRoot: string }; resources: { callback: { props: { triggers: { triggerType: string; triggerConfig: { filter?: { key: { prefix: string } } } }[] } } } };
    expect(manifest.vars.prefixRoot).toBe(commonRoot(shapesOf(storageRulesOf({}))));
    const oss = manifest.resources.callback.props.triggers.find((t) => t.triggerType === 'oss');
    expect(oss?.triggerConfig.filter?.key.prefix).toBe('${vars.prefixRoot}');
  });

  test('rules spread over the bucket have the empty root; rules under one folder, that folder', () => {
    expect(commonRoot(shapesOf(photo))).toBe('');
    const nested = parseRules('version: 1\nrules:\n  - path: app/users/{uid}/*\n    allow: { owner: [read] }\n  - path: app/teams/{claims.t}/*\n    allow: { owner: [read] }\n', 'x.yaml').storage;
    expect(commonRoot(shapesOf(nested))).toBe('app/');
  });
});

describe("a deployment of the photo app's rules", () => {
  // s.yaml changed as README "Deploying another rules file" says: no UPLOAD_PREFIX, vars.prefixRoot (here
  // the trigger's prefix it fills) set to what `npm run rules -- check` prints for the file.
  const render = (prefix: string) => {
    const doc = structuredClone(readManifestDoc(join(ROOT, 's.yaml'))) as { template: Record<string, { environmentVariables?: Record<string, unknown> }>; resources: { callback: { props: { triggers: { triggerType: string; triggerConfig: { filter: { key: { prefix: string } } } }[] } } } };
    for (const block of Object.values(doc.template)) delete block.environmentVariables?.UPLOAD_PREFIX;
    doc.resources.callback.props.triggers.find((t) => t.triggerType === 'oss')!.triggerConfig.filter.key.prefix = prefix;
    const env = { OSS_BUCKET: ENV.OSS_BUCKET, CALLBACK_MAC_KEY: Buffer.alloc(32, 9).toString('base64'), AUTH_JWKS_URL: 'https://id.example.com/jwks.json', AUTH_ISSUER: 'https://id.example.com/', AUTH_AUDIENCE: 'photos', CORS_ALLOWED_ORIGINS: 'https://photos.example.com' };
    return renderManifest(doc as unknown as Record<string, unknown>, { env, config: { AccountID: '1234567890123456' }, baseDir: ROOT });
  };
  const root = commonRoot(shapesOf(photo));

  test('the manifest check, the RAM placeholders and verify-deploy all expect the root the rules generate', () => {
    const manifest = render(root);
    expect(checkManifest(manifest, photo)).toEqual([]);
    expect(ramVarsFromManifest(manifest, photo).PREFIX_ROOT).toBe(root);
    expect(expectedDeployment(manifest, '1234567890123456', photo).bucket.prefixRoot).toBe(root);
  });

  test('an OSS trigger on the default rules\' users/ fails the manifest check', () => {
    expect(checkManifest(render('users/'), photo).map((p) => p.path)).toEqual(['props.triggers.oss.filter.key.prefix']);
  });
});

describe("the photo app's upload role policy", () => {
  const rules = loadConfig(ENV, photo).rules;
  const role = renderPolicy(uploadRolePolicy(shapesOf(photo)), vars(commonRoot(shapesOf(photo))));
  const callers = [
    callerOf({ uid: 'alice', claims: { team: ['red', 'blue'], groups: ['moderators'] } }, rules),
    callerOf({ uid: 'bob', claims: { team: 'red' } }, rules),
    callerOf({ uid: 'anonymous', guest: true }, rules),
  ];

  test('covers every session policy /sign signs with, for each caller, action and path', () => {
    let checked = 0;
    for (const caller of callers) {
      for (const folder of ['private/alice/', 'avatars/bob/', 'teams/red/', 'documents/alice/', 'videos/bob/']) {
        for (const action of RULE_ACTIONS) {
          let grants;
          try {
            grants = grantsAt(rules, caller, action, `${folder}f.bin`);
          } catch {
            continue;
          }
          for (const g of grants) expect(uncovered(sessionPolicy(g), [role])).toEqual([]);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(15);
  });

  test('covers the scopes /token vends at each folder a scope may name', () => {
    const alice = callers[0];
    for (const [folder, actions] of [['teams/', ['read', 'list']], ['avatars/', ['read']], ['videos/', ['read', 'delete']], ['private/alice/', ['write', 'list']]] as const) {
      expect(uncovered(sessionPolicy(scopeGrant(rules, alice, folder, [...actions])), [role])).toEqual([]);
    }
  });

  test('allows nothing outside the rules\' folders, and no public ACL', () => {
    const policy = [role as unknown as RamPolicy];
    expect(isAllowed(policy, 'oss:PutObject', object('elsewhere/x.png'), { 'oss:x-oss-object-acl': 'default' })).toBe(false);
    expect(isAllowed(policy, 'oss:PutObject', object('avatars/bob/x.png'), { 'oss:x-oss-object-acl': 'public-read' })).toBe(false);
    expect(isAllowed(policy, 'oss:DeleteObject', object('teams/red/x.pdf'))).toBe(false);
    expect(isAllowed(policy, 'oss:ListObjects', `acs:oss:*:*:${ENV.OSS_BUCKET}`, { 'oss:Prefix': 'avatars/' })).toBe(false);
    expect(isAllowed(policy, 'oss:PutObject', object('avatars/bob/x.png'), { 'oss:x-oss-object-acl': 'default' })).toBe(true);
  });
});

describe('bucket CORS methods follow what the rules allow', () => {
  const methods = (text: string) => corsMethods(shapesOf(parseRules(`version: 1\nrules:\n${text}`, 'x.yaml').storage));

  test('reads only: GET and HEAD', () => {
    expect(methods('  - path: pub/*\n    allow: { authenticated: [read, list] }\n')).toEqual(['GET', 'HEAD']);
  });

  test('multipart-only writes: PUT for parts, POST to start and complete, DELETE to abort', () => {
    expect(methods('  - path: v/{uid}/*\n    allow: { owner: [write] }\n    write: { uploadPaths: [multipart] }\n')).toEqual(['PUT', 'POST', 'DELETE']);
  });

  test('forms only: POST', () => {
    expect(methods('  - path: f/{uid}/*\n    allow: { owner: [write] }\n    write: { uploadPaths: [form] }\n')).toEqual(['POST']);
  });

  test('the default rules: all five, as the committed file lists them', () => {
    expect(JSON.parse(deployFiles(storageRulesOf({}))['bucket-cors.json']).CORSRule[0].AllowedMethod).toEqual(['GET', 'HEAD', 'PUT', 'POST', 'DELETE']);
  });
});

describe('no grant carries more than its rule actions (a new access level cannot over-grant)', () => {
  const rules = loadConfig(ENV, storageRulesOf({})).rules;
  const allowedActions = (doc: ReturnType<typeof sessionPolicy>) => doc.Statement.filter((s) => s.Effect === 'Allow').flatMap((s) => s.Action).sort();
  const expected = (actions: readonly RuleAction[]) => actions.flatMap((a) => (a === 'list' ? ['oss:ListObjects'] : RAM_OF[a])).sort();

  test.each(ACCESS_LEVELS)('the %s shorthand grants exactly the RAM actions of its rule actions', (access) => {
    expect(allowedActions(sessionPolicy(grantFor('alice', access, rules)))).toEqual(expected(ACCESS_ACTIONS[access]));
  });

  test('every set of rule actions asked of /token grants exactly their RAM actions: PutObject only with write', () => {
    const caller = callerOf({ uid: 'alice' }, rules);
    for (let mask = 1; mask < 16; mask++) {
      const actions = RULE_ACTIONS.filter((_, i) => mask & (1 << i));
      const got = allowedActions(sessionPolicy(scopeGrant(rules, caller, 'users/alice/', actions)));
      expect(got).toEqual(expected(actions));
      expect(got.includes('oss:PutObject')).toBe(actions.includes('write'));
    }
  });
});

describe('the prefix root the function roles and the OSS trigger are bounded by', () => {
  test.each([
    ['users/${uid}/', 'users/'],
    ['user-${uid}/', 'user-'],
    ['apps/photos/${uid}/', 'apps/photos/'],
  ])('is the longest key prefix of UPLOAD_PREFIX %s, not cut back to a folder (%s): RAM and OSS match strings', (template, root) => {
    expect(commonRoot([{ tokens: templateTokens(template) }])).toBe(root);
  });

  test('is what rules spanning several folders share, down to the empty prefix', () => {
    expect(commonRoot([{ tokens: templateTokens('photos/a/${uid}/') }, { tokens: templateTokens('photos/b/${uid}/') }])).toBe('photos/');
    expect(commonRoot([{ tokens: templateTokens('avatars/${uid}/') }, { tokens: templateTokens('private/${uid}/') }])).toBe('');
  });
});
