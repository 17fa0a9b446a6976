// The RAM files in deploy/ram, with the placeholders s.yaml fills, are the ones the code's session
// policies and signed requests fit inside, and they allow nothing more than that.

import { join } from 'node:path';
import { loadConfig } from '../../shared/config';
import { ACCESS_LEVELS } from '../../shared/api/types';
import { generateKey } from '../../shared/policy/keys';
import { grantFor } from '../../shared/policy/rules';
import { sessionPolicy } from '../../shared/policy/session-policy';
import { bucketCors } from '../../deploy/ram/bucket-cors';
import { allow, patternCovers, uncovered } from '../../deploy/ram/coverage';
import { deployerApis } from '../../deploy/ram/deployer-apis';
import { renderRamFile, rolePolicy, type RamFile, type RamVars } from '../../deploy/ram/render';
import { functionConfig, prefixRootOf } from '../../deploy/s-yaml/check';
import { ramVarsFromManifest } from '../../deploy/s-yaml/ram-vars';
import { loadManifest } from '../../deploy/s-yaml/render';
import { storageRulesOf } from '../../rules/load';
import { isAllowed, type RamPolicy } from '../../local/iam/evaluate';

const ACCOUNT = '1234567890123456';
const manifest = loadManifest(join(__dirname, '../../s.yaml'), {
  env: {
    OSS_BUCKET: 'acme-uploads',
    CALLBACK_MAC_KEY: Buffer.alloc(32, 9).toString('base64'),
    AUTH_JWKS_URL: 'https://id.example.com/.well-known/jwks.json',
    AUTH_ISSUER: 'https://id.example.com/',
    AUTH_AUDIENCE: 'uploads',
    CORS_ALLOWED_ORIGINS: 'https://app.example.com',
  },
  config: { AccountID: ACCOUNT },
});
const RULES = storageRulesOf({});
const vars = ramVarsFromManifest(manifest, RULES);
const tokenConfig = functionConfig(manifest.resources.token.props, RULES);
if ('message' in tokenConfig) throw new Error(tokenConfig.message);
const object = (key: string) => `acs:oss:*:*:${vars.BUCKET}/${key}`;

// Users whose ids are used as they are, and ids the code hashes (non-ASCII, wildcards, traversal).
const USERS = ['alice', 'user_42@example.com', 'Zoë', 'a*b?', '../evil'];
// The s.yaml layout, and others UPLOAD_PREFIX allows.
const TEMPLATES = ['users/${uid}/', 'uploads/${uid}/', 'tenant-a/${uid}/files/', '${uid}/'];

function rulesFor(template: string) {
  return loadConfig({ OSS_BUCKET: vars.BUCKET, OSS_REGION: 'cn-hangzhou', UPLOAD_PREFIX: template }).rules;
}
const varsFor = (template: string): RamVars => ({ ...vars, PREFIX_ROOT: prefixRootOf(loadConfig({ OSS_BUCKET: vars.BUCKET, OSS_REGION: 'cn-hangzhou', UPLOAD_PREFIX: template })) });

describe('the coverage check', () => {
  test.each([
    ['users/*', 'users/alice/*', true],
    ['users/*', 'users/alice/a.png', true],
    ['users/alice/*', 'users/*', false],
    ['users/*', 'other/alice/*', false],
    ['a?c', 'a*c', false],
    ['a*c', 'a?c', true],
    ['*', '', true],
  ])('pattern %s covers %s: %s', (outer, inner, expected) => {
    expect(patternCovers(outer, inner)).toBe(expected);
  });

  test('a condition on the role policy must be implied by the narrower policy', () => {
    const role = allow('oss:ListObjects', 'acs:oss:*:*:b', { StringLike: { 'oss:Prefix': ['users/*'] } });
    expect(uncovered(allow('oss:ListObjects', 'acs:oss:*:*:b', { StringLike: { 'oss:Prefix': ['users/alice/*'] } }), [role])).toEqual([]);
    expect(uncovered(allow('oss:ListObjects', 'acs:oss:*:*:b', { StringEquals: { 'oss:Prefix': ['users/alice/'] } }), [role])).toEqual([]);
    expect(uncovered(allow('oss:ListObjects', 'acs:oss:*:*:b'), [role])).toHaveLength(1);
    expect(uncovered(allow('oss:ListObjects', 'acs:oss:*:*:b', { StringLike: { 'oss:Prefix': ['*'] } }), [role])).toHaveLength(1);
  });

  test('actions compare without case and with wildcards; each uncovered action and resource is listed', () => {
    expect(uncovered(allow('OSS:putobject', 'acs:oss:*:*:b/k'), [allow('oss:*', 'acs:oss:*:*:b/*')])).toEqual([]);
    expect(uncovered(allow(['oss:PutObject', 'oss:DeleteObject'], ['acs:oss:*:*:b/k', 'acs:oss:*:*:c/k']), [allow('oss:PutObject', 'acs:oss:*:*:b/*')])).toEqual([
      'oss:PutObject on acs:oss:*:*:c/k',
      'oss:DeleteObject on acs:oss:*:*:b/k',
      'oss:DeleteObject on acs:oss:*:*:c/k',
    ]);
  });
});

describe('the upload role', () => {
  const upload = (template: string) => rolePolicy('upload-role', varsFor(template));

  test.each(TEMPLATES.flatMap((t) => ACCESS_LEVELS.flatMap((a) => USERS.map((u) => [t, a, u]))))(
    'with UPLOAD_PREFIX %s covers the %s session policy the token function asks for user %s',
    (template, access, uid) => {
      const session = sessionPolicy(grantFor(uid, access as (typeof ACCESS_LEVELS)[number], rulesFor(template)));
      expect(uncovered(session, [upload(template)])).toEqual([]);
    },
  );

  test.each(ACCESS_LEVELS)('the local IAM evaluator agrees on concrete %s requests under role and session policy together', (access) => {
    const grant = grantFor('alice', access, rulesFor('users/${uid}/'));
    const policies = [upload('users/${uid}/'), sessionPolicy(grant)] as unknown as RamPolicy[];
    const key = object(`${grant.prefix}photo.png`);
    // OSS sets oss:x-oss-object-acl to `default` on a write that names no ACL.
    const plain = { 'oss:x-oss-object-acl': 'default' };
    const writes = access === 'upload' || access === 'readwrite';
    expect(isAllowed(policies, 'oss:PutObject', key, plain)).toBe(writes);
    expect(isAllowed(policies, 'oss:GetObject', key)).toBe(access === 'download' || access === 'readwrite');
    expect(isAllowed(policies, 'oss:DeleteObject', key)).toBe(access === 'delete' || access === 'readwrite');
    expect(isAllowed(policies, 'oss:ListObjects', `acs:oss:*:*:${vars.BUCKET}`, { 'oss:Prefix': grant.prefix })).toBe(access === 'readwrite');
    expect(isAllowed(policies, 'oss:PutObject', object('users/bob/photo.png'), plain)).toBe(false);
    expect(isAllowed(policies, 'oss:DeleteObject', object('users/bob/photo.png'))).toBe(false);
  });

  test.each([
    ['no ACL (OSS reads default)', true, 'default'],
    ['private', true, 'private'],
    ['public-read', false, 'public-read'],
    ['public-read-write', false, 'public-read-write'],
  ])('denies, in the role policy and in every upload session policy alike, a write that asks for %s: allowed %s', (_, allowed, acl) => {
    const key = object('users/alice/photo.png');
    const ctx = { 'oss:x-oss-object-acl': acl };
    const role = upload('users/${uid}/') as unknown as RamPolicy;
    const open: RamPolicy = { Version: '1', Statement: [{ Effect: 'Allow', Action: ['oss:PutObject'], Resource: ['*'] }] };
    expect(isAllowed([role], 'oss:PutObject', key, ctx)).toBe(allowed);
    for (const access of ['upload', 'readwrite'] as const) {
      const session = sessionPolicy(grantFor('alice', access, rulesFor('users/${uid}/'))) as unknown as RamPolicy;
      expect(isAllowed([open, session], 'oss:PutObject', key, ctx)).toBe(allowed);
    }
  });

  test('rendered for another prefix root, it would not cover the sessions: the test can fail', () => {
    const session = sessionPolicy(grantFor('alice', 'readwrite', rulesFor('users/${uid}/')));
    expect(uncovered(session, [upload('elsewhere/${uid}/')])).toHaveLength(6);
  });

  test.each([
    ['oss:PutObject', object('elsewhere/x.png')],
    ['oss:GetObject', object('elsewhere/x.png')],
    ['oss:DeleteObject', object('elsewhere/x.png')],
    ['oss:PutObjectAcl', object('users/alice/x.png')],
    ['oss:PutObject', `acs:oss:*:*:other-bucket/users/alice/x.png`],
    ['oss:ListObjects', `acs:oss:*:*:${vars.BUCKET}`],
  ])('allows nothing else: not %s on %s', (action, resource) => {
    expect(uncovered(allow(action, resource), [upload('users/${uid}/')])).toHaveLength(1);
  });

  test('listing needs a prefix under the root', () => {
    const role = [upload('users/${uid}/')];
    const bucket = `acs:oss:*:*:${vars.BUCKET}`;
    expect(uncovered(allow('oss:ListObjects', bucket, { StringLike: { 'oss:Prefix': ['users/alice/*'] } }), role)).toEqual([]);
    expect(uncovered(allow('oss:ListObjects', bucket, { StringLike: { 'oss:Prefix': ['*'] } }), role)).toHaveLength(1);
  });

  test('trusts exactly the three function roles s.yaml gives the functions: token vends its credentials, sign and callback sign with them', () => {
    const trust = renderRamFile('upload-role-trust', vars) as unknown as { Statement: { Principal: { RAM: string[] } }[] };
    expect(trust.Statement.flatMap((s) => s.Principal.RAM).sort()).toEqual(['token', 'sign', 'callback'].map((f) => String(manifest.resources[f].props.role)).sort());
  });
});

describe('the function roles', () => {
  const rules = rulesFor('users/${uid}/');

  test('the token function may assume the upload role its STS_ROLE_ARN names, and nothing else', () => {
    const token = [rolePolicy('token-function', vars)];
    expect(uncovered(allow('sts:AssumeRole', tokenConfig.sts.roleArn!), token)).toEqual([]);
    expect(uncovered(allow('sts:AssumeRole', `acs:ram::${ACCOUNT}:role/${vars.TOKEN_ROLE_NAME}`), token)).toHaveLength(1);
    expect(uncovered(allow('oss:GetObject', object('users/alice/a.png')), token)).toHaveLength(1);
  });

  test('the sign function may assume the upload role, and do nothing else: it signs with the caller\'s own scope', () => {
    const sign = [rolePolicy('sign-function', vars)];
    const signConfig = functionConfig(manifest.resources.sign.props, RULES);
    if ('message' in signConfig) throw new Error(signConfig.message);
    expect(signConfig.sts.roleArn).toBe(tokenConfig.sts.roleArn);
    expect(uncovered(allow('sts:AssumeRole', signConfig.sts.roleArn!), sign)).toEqual([]);
    for (const action of ['oss:PutObject', 'oss:GetObject', 'oss:DeleteObject', 'oss:PutObjectAcl']) {
      expect(uncovered(allow(action, object('users/alice/a.png')), sign)).toHaveLength(1);
    }
    expect(uncovered(allow('sts:AssumeRole', `acs:ram::${ACCOUNT}:role/${vars.TOKEN_ROLE_NAME}`), sign)).toHaveLength(1);
  });

  test('the callback function may assume the upload role (for download URLs in its scope) and read objects under the root (HeadObject), nothing more', () => {
    const callback = [rolePolicy('callback-function', vars)];
    expect(uncovered(allow('sts:AssumeRole', tokenConfig.sts.roleArn!), callback)).toEqual([]);
    expect(uncovered(allow('oss:GetObject', object('users/alice/a.png')), callback)).toEqual([]);
    expect(uncovered(allow('oss:PutObject', object('users/alice/a.png')), callback)).toHaveLength(1);
  });

  test('the sign function can sign nothing outside the prefix root, and a delete only in the caller\'s own delete scope', () => {
    const sign = [rolePolicy('sign-function', vars)];
    expect(uncovered(allow('oss:PutObject', object('public/index.html')), sign)).toHaveLength(1);
    expect(uncovered(allow('oss:DeleteObject', object('users/alice/a.png')), sign)).toHaveLength(1);
    // What it signs comes from the upload role, narrowed by the caller's session policy.
    const signed = [rolePolicy('upload-role', vars), sessionPolicy(grantFor('alice', 'readwrite', rules))] as unknown as RamPolicy[];
    expect(isAllowed(signed, 'oss:PutObject', object('public/index.html'))).toBe(false);
    expect(isAllowed(signed, 'oss:GetObject', object('users/bob/a.png'))).toBe(false);
    const deletes = [rolePolicy('upload-role', vars), sessionPolicy(grantFor('alice', 'delete', rules))] as unknown as RamPolicy[];
    expect(isAllowed(deletes, 'oss:DeleteObject', object('users/alice/a.png'))).toBe(true);
    expect(isAllowed(deletes, 'oss:DeleteObject', object('users/bob/a.png'))).toBe(false);
    expect(isAllowed(deletes, 'oss:DeleteObject', object('public/index.html'))).toBe(false);
    expect(['oss:PutObject', 'oss:GetObject'].map((a) => isAllowed(deletes, a, object('users/alice/a.png')))).toEqual([false, false]);
  });

  test.each(USERS)('the callback function may read what user %s uploads, and delete it only when configured to', (uid) => {
    const key = object(generateKey(grantFor(uid, 'upload', rules), 'a.png'));
    expect(uncovered(allow('oss:GetObject', key), [rolePolicy('callback-function', vars)])).toEqual([]);
    expect(uncovered(allow('oss:DeleteObject', key), [rolePolicy('callback-function', vars)])).toHaveLength(1);
    expect(uncovered(allow('oss:DeleteObject', key), [rolePolicy('callback-function', vars, { callbackDeletes: true })])).toEqual([]);
  });

  test('the callback function cannot touch objects outside the prefix root, even when it may delete', () => {
    const callback = [rolePolicy('callback-function', vars, { callbackDeletes: true })];
    expect(uncovered(allow(['oss:GetObject', 'oss:DeleteObject', 'oss:PutObject'], object('public/index.html')), callback)).toHaveLength(3);
  });

  test('the three function roles are trusted by Function Compute only', () => {
    const trust = renderRamFile('fc-trust', vars) as unknown as { Statement: { Principal: Record<string, string[]> }[] };
    expect(trust.Statement.map((s) => s.Principal)).toEqual([{ Service: ['fc.aliyuncs.com'] }]);
  });

  test('the OSS trigger role may invoke the callback function s.yaml deploys, and no other', () => {
    const trigger = [rolePolicy('oss-trigger', vars)];
    const fn = (name: string) => `acs:fc:${vars.REGION}:${ACCOUNT}:functions/${name}`;
    expect(uncovered(allow('fc:InvokeFunction', fn(String(manifest.resources.callback.props.functionName))), trigger)).toEqual([]);
    expect(uncovered(allow('fc:InvokeFunction', fn(String(manifest.resources.token.props.functionName))), trigger)).toHaveLength(1);
    const trust = renderRamFile('oss-trigger-trust', vars) as unknown as { Statement: { Principal: Record<string, string[]> }[] };
    expect(trust.Statement.map((s) => s.Principal)).toEqual([{ Service: ['oss.aliyuncs.com'] }]);
  });

  test('the callback role may send to the dead-letter queue s.yaml names as the on-failure destination, and to nothing else', () => {
    const deadLetter = [renderRamFile('callback-dead-letter-policy', vars)];
    const destination = (manifest.resources.callback.props.asyncInvokeConfig as { destinationConfig: { onFailure: { destination: string } } }).destinationConfig.onFailure.destination;
    expect(uncovered(allow('mns:SendMessage', destination), deadLetter)).toEqual([]);
    expect(uncovered(allow('mns:SendMessage', destination.replace(vars.DEAD_LETTER_QUEUE!, 'other-queue')), deadLetter)).toHaveLength(1);
    expect(uncovered(allow('mns:ReceiveMessage', destination), deadLetter)).toHaveLength(1);
  });

  test('the deployer may pass exactly the roles s.yaml names to Function Compute', () => {
    const deployer = [renderRamFile('deployer-policy', vars)];
    for (const name of ['token', 'sign', 'callback']) expect(uncovered(allow('ram:PassRole', String(manifest.resources[name].props.role)), deployer)).toEqual([]);
    expect(uncovered(allow('ram:PassRole', tokenConfig.sts.roleArn!), deployer)).toHaveLength(1);
  });
});

describe('the deployer\'s custom policy (written from the sources, not verified against a live account)', () => {
  const deployer = [renderRamFile('deployer-policy', vars)];
  const apis = deployerApis(vars as Required<RamVars>);

  test('covers every API the pinned fc3 path and verify-deploy call, each with its source', () => {
    expect(apis.length).toBeGreaterThan(40);
    for (const api of apis) expect(api.source).not.toBe('');
    expect(apis.flatMap((api) => uncovered(allow(api.action, api.resource), deployer).map((gap) => `${gap} (${api.source})`))).toEqual([]);
  });

  test('grants no action the list does not name', () => {
    const listed = new Set(apis.map((api) => api.action));
    const granted = deployer.flatMap((d) => d.Statement).flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
    expect(granted.filter((action) => !listed.has(action as string))).toEqual([]);
  });

  test('reaches only this deployment\'s functions, log project and bucket', () => {
    expect(uncovered(allow('fc:DeleteFunction', `acs:fc:${vars.REGION}:${vars.ACCOUNT_ID}:functions/someone-elses`), deployer)).toHaveLength(1);
    expect(uncovered(allow('log:CreateLogStore', `acs:log:${vars.REGION}:${vars.ACCOUNT_ID}:project/other-project/logstore/x`), deployer)).toHaveLength(1);
    expect(uncovered(allow('oss:PutBucketEventNotification', 'acs:oss:*:*:another-bucket'), deployer)).toHaveLength(1);
    expect(uncovered(allow('ram:PassRole', `acs:ram::${vars.ACCOUNT_ID}:role/AliyunFCDefaultRole`), deployer)).toHaveLength(1);
  });
});

const RAM_FILES: RamFile[] = [
  'fc-trust', 'upload-role-trust', 'token-function-policy', 'upload-role-policy', 'sign-function-policy',
  'callback-function-policy', 'callback-delete-policy', 'callback-dead-letter-policy', 'oss-trigger-trust', 'oss-trigger-policy', 'deployer-policy',
];

test('every RAM file renders with the values s.yaml provides', () => {
  for (const f of RAM_FILES) expect(JSON.stringify(renderRamFile(f, vars))).not.toMatch(/\$\{/);
});

test.each(TEMPLATES)('no RAM file and no session policy (UPLOAD_PREFIX %s) grants oss:PutObjectAcl: an object\'s ACL stays as written', (template) => {
  const documents = [
    ...RAM_FILES.map((f) => renderRamFile(f, varsFor(template))),
    ...ACCESS_LEVELS.flatMap((access) => USERS.map((uid) => sessionPolicy(grantFor(uid, access, rulesFor(template))))),
  ];
  const grants = documents.flatMap((d) => d.Statement.filter((st) => st.Effect === 'Allow')).flatMap((st) => st.Action);
  expect(grants.length).toBeGreaterThan(0);
  expect(grants.filter((action) => patternCovers(action, 'oss:PutObjectAcl', true))).toEqual([]);
  // The check sees wildcards: it would catch oss:* and oss:Put*.
  expect(['oss:*', 'oss:Put*', 'OSS:putobjectacl'].map((a) => patternCovers(a, 'oss:PutObjectAcl', true))).toEqual([true, true, true]);
});

test('the bucket CORS rule lets the app\'s origins PUT and POST uploads and read the ETag', () => {
  const cors = bucketCors(tokenConfig.corsOrigins);
  expect(cors.CORSRule).toEqual([
    expect.objectContaining({
      AllowedOrigin: ['https://app.example.com'],
      AllowedMethod: expect.arrayContaining(['PUT', 'POST', 'GET']),
      ExposeHeader: expect.arrayContaining(['ETag', 'x-oss-hash-crc64ecma', 'x-oss-meta-filename']),
    }),
  ]);
  expect(() => bucketCors(['*'])).toThrow(/origins/);
});
