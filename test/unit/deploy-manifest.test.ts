// s.yaml, rendered offline as Serverless Devs renders it, checked against our schema and what the
// functions need. Each mutation below is a mistake the suite must catch: the checker reporting it is
// what fails `npm test` (the first test asserts the real s.yaml has no problems at all).

import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkManifest, type Problem } from '../../deploy/s-yaml/check';
import { readManifestDoc, renderManifest } from '../../deploy/s-yaml/render';
import { storageRulesOf } from '../../rules/load';
import type { StorageRules } from '../../shared/policy/storage-rules';

const ROOT = join(__dirname, '../..');
const ACCOUNT = '1234567890123456';
const ENV: Record<string, string | undefined> = {
  OSS_BUCKET: 'acme-uploads',
  CALLBACK_MAC_KEY: Buffer.alloc(32, 9).toString('base64'),
  AUTH_JWKS_URL: 'https://id.example.com/.well-known/jwks.json',
  AUTH_ISSUER: 'https://id.example.com/',
  AUTH_AUDIENCE: 'uploads',
  CORS_ALLOWED_ORIGINS: 'https://app.example.com',
};

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

// The rules the build bundles by default (storage.rules.yaml), and the photo app's, which span the bucket.
const DEFAULT_RULES = storageRulesOf({});
const PHOTO_RULES = storageRulesOf({ STORAGE_RULES: 'examples/photo-app.rules.yaml' });

function problems(mutate: (doc: Doc) => void = () => {}, env = ENV, file = 's.yaml', storage: StorageRules = DEFAULT_RULES): Problem[] {
  const doc = structuredClone(readManifestDoc(join(ROOT, file))) as Doc;
  mutate(doc);
  return checkManifest(renderManifest(doc, { env, config: { AccountID: ACCOUNT }, baseDir: ROOT }), storage);
}

/** Every place a prop is written for the functions: the shared template and each resource's own props. */
function propBlocks(doc: Doc): Doc[] {
  return [...Object.values(doc.template ?? {}), ...Object.values(doc.resources).map((r) => (r as Doc).props)] as Doc[];
}

const httpTrigger = (doc: Doc, fn: string) => doc.resources[fn].props.triggers.find((t: Doc) => t.triggerType === 'http');
const ossTrigger = (doc: Doc) => doc.resources.callback.props.triggers.find((t: Doc) => t.triggerType === 'oss');
const at = (list: Problem[], resource: string | undefined, path: string) => list.filter((p) => p.resource === resource && p.path === path);

test('the s.yaml in the repository renders and passes every check', () => {
  expect(problems()).toEqual([]);
});

test('s.yaml deploys exactly the functions npm run build bundles, one per folder of functions/', () => {
  const folders = readdirSync(join(ROOT, 'functions')).filter((n) => statSync(join(ROOT, 'functions', n)).isDirectory());
  const doc = readManifestDoc(join(ROOT, 's.yaml')) as Doc;
  expect(Object.keys(doc.resources).sort()).toEqual(folders.sort());
});

test('the custom-domain manifest renders over s.yaml and passes, with the callback URL on the domain', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cert-'));
  writeFileSync(join(dir, 'cert.pem'), '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
  writeFileSync(join(dir, 'key.pem'), '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n');
  const env = { ...ENV, CUSTOM_DOMAIN: 'uploads.example.com', TLS_CERT_FILE: join(dir, 'cert.pem'), TLS_KEY_FILE: join(dir, 'key.pem') };
  expect(problems(undefined, env, 's.domain.yaml')).toEqual([]);

  const plainHttp = problems((doc) => (doc.resources.token.props.customDomain.protocol = 'HTTP'), env, 's.domain.yaml');
  expect(at(plainHttp, 'token', 'props.customDomain.protocol')[0].message).toMatch(/HTTPS/);
  const noCert = problems((doc) => delete doc.resources.sign.props.customDomain.certConfig, env, 's.domain.yaml');
  expect(at(noCert, 'sign', 'props.customDomain.certConfig')).toHaveLength(1);
  const elsewhere = problems((doc) => (doc.resources.sign.props.environmentVariables.CALLBACK_URL = 'https://other.example.com/api/callback'), env, 's.domain.yaml');
  expect(at(elsewhere, 'sign', 'props.environmentVariables.CALLBACK_URL')[0].message).toMatch(/uploads\.example\.com\/api\/callback/);
});

test('npm test fails when a function loses its explicit timeout', () => {
  const found = problems((doc) => propBlocks(doc).forEach((p) => delete p.timeout));
  for (const fn of ['token', 'sign', 'callback']) {
    expect(at(found, fn, 'props.timeout')).toEqual([expect.objectContaining({ message: expect.stringMatching(/explicitly.*3 s/) })]);
  }
});

test.each(['function', 'jwt'])('npm test fails when the callback trigger uses %s auth instead of anonymous', (authType) => {
  const found = problems((doc) => (httpTrigger(doc, 'callback').triggerConfig.authType = authType));
  expect(at(found, 'callback', 'props.triggers.http.authType')[0].message).toMatch(/must be anonymous.*Authorization header/);
});

test('npm test fails when a function names a runtime Function Compute does not have', () => {
  const found = problems((doc) => (doc.template.function.runtime = 'nodejs22'));
  expect(at(found, 'token', 'props.runtime')[0].message).toMatch(/"nodejs22" is not a runtime Function Compute offers/);
});

test('an older Node.js runtime FC does have is still refused: the bundles target node20', () => {
  const found = problems((doc) => (doc.resources.sign.props.runtime = 'nodejs18'));
  expect(at(found, 'sign', 'props.runtime')[0].message).toMatch(/must be nodejs20/);
});

test('token and sign triggers refuse function auth, which browsers and mobile apps cannot sign', () => {
  const found = problems((doc) => (httpTrigger(doc, 'token').triggerConfig.authType = 'function'));
  expect(at(found, 'token', 'props.triggers.http.authType')[0].message).toMatch(/ACS3-HMAC-SHA256/);
});

test('the token trigger takes POST and OPTIONS (CORS preflight) and refuses GET, which cannot carry a bearer token', () => {
  const found = problems((doc) => (httpTrigger(doc, 'token').triggerConfig.methods = ['GET']));
  expect(at(found, 'token', 'props.triggers.http.methods').map((p) => p.message)).toEqual([
    'must include POST',
    'must include OPTIONS for CORS preflight',
    expect.stringMatching(/^must not include GET: .*cannot authenticate/),
  ]);
});

test('an authType FC does not know is a schema error', () => {
  const found = problems((doc) => (httpTrigger(doc, 'sign').triggerConfig.authType = 'none'));
  expect(at(found, 'sign', 'props.triggers.0.triggerConfig.authType')[0].message).toBe('must be one of anonymous, function, jwt');
});

test('a CPU-to-memory ratio outside 1:1 to 1:4 is reported', () => {
  const tooMuchCpu = problems((doc) => (doc.resources.token.props.cpu = 2));
  expect(at(tooMuchCpu, 'token', 'props.cpu')[0].message).toMatch(/between 1:1 and 1:4/);
  const tooLittleCpu = problems((doc) => (doc.template.function.cpu = 0.1));
  expect(at(tooLittleCpu, 'callback', 'props.cpu')[0].message).toMatch(/1:5/);
});

test.each([
  ['ALIBABA_CLOUD_ACCESS_KEY_ID', 'LTAI5tQx7Examp1eKeyId9'],
  ['OSS_ACCESS_KEY_SECRET', 'not-a-real-secret-but-named-like-one'],
  ['SOME_SETTING', 'LTAI5tQx7Examp1eKeyId9'],
])('an AccessKey-looking environment variable (%s) is reported', (name, value) => {
  const found = problems((doc) => (doc.template.function.environmentVariables[name] = value));
  expect(at(found, 'sign', `props.environmentVariables.${name}`)[0].message).toMatch(/context\.credentials/);
});

test('a prop outside our schema is reported, though fc3 itself would only log it', () => {
  const found = problems((doc) => (doc.resources.callback.props.instanceConcurrency = 10));
  expect(at(found, 'callback', 'props.instanceConcurrency')[0].message).toMatch(/not a prop our schema allows/);
});

test('an fc3 component that is not pinned to a version is reported', () => {
  const found = problems((doc) => (doc.resources.sign.component = 'fc3'));
  expect(at(found, 'sign', 'component')[0].message).toMatch(/must pin the fc3 component to a released version, e\.g\. fc3@0\.1\.22/);
});

test.each(['fc3@0.1.25', 'fc3@1.0.0', 'fc3@0.1.3'])('an fc3 pin on a release nobody has seen (%s) is reported: s deploy would stop at once', (component) => {
  const found = problems((doc) => (doc.vars.fc3 = component));
  for (const fn of ['token', 'sign', 'callback']) expect(at(found, fn, 'component')[0].message).toMatch(/is not a release anyone has seen \(newest seen: 0\.1\.22/);
});

test('functions pinned to different fc3 releases are reported', () => {
  const found = problems((doc) => (doc.resources.token.component = 'fc3@0.1.21'));
  expect(at(found, undefined, 'resources')[0].message).toMatch(/same fc3 release/);
});

test('a templated access line is reported: Serverless Devs 3.1.10 would look for an alias with that literal name', () => {
  const found = problems((doc) => (doc.access = "${env('S_ACCESS', 'default')}"));
  expect(at(found, undefined, 'access')[0].message).toMatch(/reads access before rendering/);
  expect(problems((doc) => (doc.access = 'ci'))).toEqual([]);
});

test('a function whose logging is dropped is reported, since fc3 then switches logging off on every deploy', () => {
  const found = problems((doc) => delete doc.template.function.logConfig);
  for (const fn of ['token', 'sign', 'callback']) expect(at(found, fn, 'props.logConfig')[0].message).toMatch(/logging off on every deploy/);
  const named = problems((doc) => (doc.resources.sign.props.logConfig = { project: 'acme-logs', logstore: 'uploads' }));
  expect(named).toEqual([]);
  const blank = problems((doc) => (doc.resources.sign.props.logConfig = { project: '', logstore: 'uploads' }));
  expect(at(blank, 'sign', 'props.logConfig')).not.toHaveLength(0);
});

test('the OSS trigger back on oss:ObjectCreated:* is reported: it fires once per multipart part', () => {
  const found = problems((doc) => (ossTrigger(doc).triggerConfig.events = ['oss:ObjectCreated:*']));
  const messages = at(found, 'callback', 'props.triggers.oss.events').map((p) => p.message);
  expect(messages[0]).toMatch(/wildcard includes the per-part multipart events/);
});

test.each(['oss:ObjectCreated:UploadPart', 'oss:ObjectCreated:InitiateMultipartUpload', 'oss:ObjectCreated:UploadPartCopy'])(
  'a per-part event (%s) on the OSS trigger is reported',
  (event) => {
    const found = problems((doc) => ossTrigger(doc).triggerConfig.events.push(event));
    expect(at(found, 'callback', 'props.triggers.oss.events')[0].message).toMatch(/fire once per part/);
  },
);

test('an OSS trigger that misses a way of creating an object (CopyObject) is reported', () => {
  const found = problems((doc) => (ossTrigger(doc).triggerConfig.events = ossTrigger(doc).triggerConfig.events.filter((e: string) => !e.endsWith('CopyObject'))));
  expect(at(found, 'callback', 'props.triggers.oss.events')[0].message).toBe('must include oss:ObjectCreated:CopyObject: each creates or replaces an object the callback must check');
});

test('the OSS-trigger path without retries or an on-failure queue is reported: a failed event would be dropped', () => {
  const none = problems((doc) => delete doc.resources.callback.props.asyncInvokeConfig);
  expect(at(none, 'callback', 'props.asyncInvokeConfig')[0].message).toMatch(/dropped/);
  const noRetry = problems((doc) => (doc.resources.callback.props.asyncInvokeConfig.maxAsyncRetryAttempts = 0));
  expect(at(noRetry, 'callback', 'props.asyncInvokeConfig.maxAsyncRetryAttempts')).toHaveLength(1);
  const noDestination = problems((doc) => delete doc.resources.callback.props.asyncInvokeConfig.destinationConfig);
  expect(at(noDestination, 'callback', 'props.asyncInvokeConfig.destinationConfig.onFailure.destination')[0].message).toMatch(/MNS queue/);
  const elsewhere = problems((doc) => (doc.resources.callback.props.asyncInvokeConfig.destinationConfig.onFailure.destination = `acs:mns:cn-beijing:${ACCOUNT}:/queues/q/messages`));
  expect(at(elsewhere, 'callback', 'props.asyncInvokeConfig.destinationConfig.onFailure.destination')[0].message).toMatch(/cn-hangzhou/);
});

test('the OSS trigger must watch the upload prefix root of the bucket the functions use', () => {
  const wrongPrefix = problems((doc) => (ossTrigger(doc).triggerConfig.filter.key.prefix = 'uploads/'));
  expect(at(wrongPrefix, 'callback', 'props.triggers.oss.filter.key.prefix')[0].message).toMatch(/"users\/"/);
  const otherBucket = problems((doc) => (ossTrigger(doc).sourceArn = `acs:oss:cn-hangzhou:${ACCOUNT}:some-other-bucket`));
  expect(at(otherBucket, 'callback', 'props.triggers.oss.sourceArn')[0].message).toMatch(/acme-uploads/);
  const noTrigger = problems((doc) => (doc.resources.callback.props.triggers = [httpTrigger(doc, 'callback')]));
  expect(at(noTrigger, 'callback', 'props.triggers')[0].message).toMatch(/OSS trigger/);
});

/** s.yaml deployed with the photo app's rules, as README "Deploying another rules file" says: no UPLOAD_PREFIX, the trigger on `prefix`. */
function photoApp(prefix: string) {
  return (doc: Doc) => {
    for (const block of propBlocks(doc)) delete block?.environmentVariables?.UPLOAD_PREFIX;
    ossTrigger(doc).triggerConfig.filter.key.prefix = prefix;
  };
}

test("the photo app's rules, which span the bucket, pass with the OSS trigger on the whole bucket", () => {
  expect(problems(photoApp(''), ENV, 's.yaml', PHOTO_RULES)).toEqual([]);
});

test("with the photo app's rules, an OSS trigger on one folder misses uploads elsewhere and is reported", () => {
  const wrongPrefix = problems(photoApp('users/'), ENV, 's.yaml', PHOTO_RULES);
  expect(at(wrongPrefix, 'callback', 'props.triggers.oss.filter.key.prefix')[0].message).toMatch(/must be "", the folder every storage rule lies under, is "users\/"/);
});

test("with the photo app's rules, an UPLOAD_PREFIX left in s.yaml is reported as the functions would refuse it", () => {
  const kept = problems((doc) => (ossTrigger(doc).triggerConfig.filter.key.prefix = ''), ENV, 's.yaml', PHOTO_RULES);
  expect(at(kept, 'token', 'props.environmentVariables.UPLOAD_PREFIX')[0].message).toMatch(/remove it/);
});

test('functions sharing one role, or vending their own role, are reported', () => {
  const shared = problems((doc) => (doc.resources.sign.props.role = doc.resources.callback.props.role));
  expect(at(shared, undefined, 'resources')[0].message).toMatch(/its own role/);
  const selfVending = problems((doc) => (doc.resources.token.props.environmentVariables.STS_ROLE_ARN = doc.resources.token.props.role));
  expect(at(selfVending, 'token', 'props.environmentVariables.STS_ROLE_ARN')[0].message).toMatch(/upload role/);
});

test('sign or callback signing with another role than the upload role, or a callback not accepting the MAC key sign uses, is reported', () => {
  const otherRole = `acs:ram::${ACCOUNT}:role/elsewhere`;
  const sign = problems((doc) => (doc.resources.sign.props.environmentVariables.STS_ROLE_ARN = otherRole));
  expect(at(sign, 'sign', 'props.environmentVariables.STS_ROLE_ARN')[0].message).toMatch(/upload role/);
  const callback = problems((doc) => (doc.resources.callback.props.environmentVariables.STS_ROLE_ARN = otherRole));
  expect(at(callback, 'callback', 'props.environmentVariables.STS_ROLE_ARN')[0].message).toMatch(/upload role/);
  const otherKey = Buffer.alloc(32, 7).toString('base64');
  const mac = problems((doc) => (doc.resources.callback.props.environmentVariables.CALLBACK_MAC_KEY = otherKey));
  expect(at(mac, 'callback', 'props.environmentVariables.CALLBACK_MAC_KEY')[0].message).toMatch(/CALLBACK_MAC_KEY/);
  // During a rotation the callback may hold the sign function's new key as its previous one.
  const rotating = problems((doc) => {
    const env = doc.resources.callback.props.environmentVariables;
    env.CALLBACK_MAC_KEY_PREVIOUS = doc.resources.sign.props.environmentVariables.CALLBACK_MAC_KEY;
    env.CALLBACK_MAC_KEY = otherKey;
  });
  expect(at(rotating, 'callback', 'props.environmentVariables.CALLBACK_MAC_KEY')).toHaveLength(0);
});

test('upload rules that differ between functions are reported', () => {
  const found = problems((doc) => (doc.resources.sign.props.environmentVariables.UPLOAD_MAX_SIZE = '1000'));
  expect(at(found, 'sign', 'props.environmentVariables')[0].message).toMatch(/upload rules differ/);
});

test('configuration the functions would refuse at start-up is reported with the variable it names', () => {
  const found = problems(() => {}, { ...ENV, UPLOAD_MAX_SIZE: 'lots' });
  expect(at(found, 'token', 'props.environmentVariables.UPLOAD_MAX_SIZE')[0].message).toMatch(/integer/);
});

test('a build step missing from pre-deploy is reported', () => {
  const found = problems((doc) => (doc.actions = {}));
  expect(at(found, undefined, 'actions.pre-deploy')).toHaveLength(1);
});

test('a required setting missing from the environment stops rendering and names the variable', () => {
  expect(() => problems(undefined, { ...ENV, OSS_BUCKET: undefined })).toThrow(/env\('OSS_BUCKET'\) is not set/);
});

test('s.yaml with the shared credential cache turned on (its commented vpcConfig and CREDENTIAL_CACHE_* lines) renders and passes', () => {
  const text = readFileSync(join(ROOT, 's.yaml'), 'utf8');
  const commented = /^(\s*)# ((?:vpcConfig:|\s+vpcId:|\s+vSwitchIds:|\s+- \$\{env\('VSWITCH_ID'\)\}|\s+securityGroupId:|CREDENTIAL_CACHE_\w+:).*)$/gm;
  const on = text.replace(commented, '$1$2');
  expect(on.match(/^\s*(vpcConfig|CREDENTIAL_CACHE_\w+):/gm)).toHaveLength(4);
  const dir = mkdtempSync(join(tmpdir(), 's-yaml-cache-'));
  writeFileSync(join(dir, 's.yaml'), on);
  const env = {
    ...ENV,
    VPC_ID: 'vpc-bp1abc',
    VSWITCH_ID: 'vsw-bp1def',
    SECURITY_GROUP_ID: 'sg-bp1ghi',
    CREDENTIAL_CACHE_URL: 'rediss://fn-cache:secret@r-bp1xyz.redis.rds.aliyuncs.com:6379',
    CREDENTIAL_CACHE_KEY: Buffer.alloc(32, 4).toString('base64'),
    CREDENTIAL_CACHE_TLS_CA: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----',
  };
  const rendered = renderManifest(readManifestDoc(join(dir, 's.yaml')), { env, config: { AccountID: ACCOUNT }, baseDir: ROOT });
  expect(checkManifest(rendered, DEFAULT_RULES)).toEqual([]);
  for (const fn of ['token', 'sign', 'callback']) {
    const props = rendered.resources[fn].props as Doc;
    expect(props.vpcConfig).toEqual({ vpcId: 'vpc-bp1abc', vSwitchIds: ['vsw-bp1def'], securityGroupId: 'sg-bp1ghi' });
    expect(props.environmentVariables.CREDENTIAL_CACHE_URL).toBe(env.CREDENTIAL_CACHE_URL);
  }
  // A bad setting is caught as the functions would catch it.
  writeFileSync(join(dir, 's.yaml'), on);
  const bad = checkManifest(renderManifest(readManifestDoc(join(dir, 's.yaml')), { env: { ...env, CREDENTIAL_CACHE_KEY: 'short' }, config: { AccountID: ACCOUNT }, baseDir: ROOT }), DEFAULT_RULES);
  expect(bad.map((p) => p.path)).toContain('props.environmentVariables.CREDENTIAL_CACHE_KEY');
});
