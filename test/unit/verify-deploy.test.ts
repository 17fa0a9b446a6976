// npm run verify-deploy against a loopback Function Compute and OSS (test/helpers/fake-cloud.ts) that
// answers with the FC SDK's own models and checks every request's signature. Each check passes on a
// faithful deployment of s.yaml and fails when exactly one thing about it is wrong.

import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type * as fc from '@alicloud/fc20230330';
import { loadManifest, readManifestDoc, renderManifest } from '../../deploy/s-yaml/render';
import { expectedDeployment } from '../../deploy/verify/expected';
import type { Finding } from '../../deploy/verify/fc';
import { type Endpoints, verifyDeployment } from '../../deploy/verify/run';
import { verifyAcs3 } from '../helpers/acs3';
import { faithfulState, type FakeCloud, type FakeState, startFakeCloud } from '../helpers/fake-cloud';
import { registerSecret } from '../setup/leaks';
import { storageRulesOf } from '../../rules/load';

const ROOT = join(__dirname, '../..');
const ACCOUNT = '1234567890123456';
const ENV = {
  OSS_BUCKET: 'acme-uploads',
  CALLBACK_MAC_KEY: Buffer.alloc(32, 9).toString('base64'),
  AUTH_JWKS_URL: 'https://id.example.com/.well-known/jwks.json',
  AUTH_ISSUER: 'https://id.example.com/',
  AUTH_AUDIENCE: 'uploads',
  CORS_ALLOWED_ORIGINS: 'https://app.example.com',
};
const DEPLOYER = { accessKeyId: 'LTAIdeployerkey0001', accessKeySecret: 'deployer-secret-not-real-0001' };
registerSecret(DEPLOYER.accessKeySecret);

const manifest = loadManifest(join(ROOT, 's.yaml'), { env: ENV, config: { AccountID: ACCOUNT } });
const RULES = storageRulesOf({});
const expected = expectedDeployment(manifest, ACCOUNT, RULES);
const fnName = (resource: string) => expected.functions.find((f) => f.resource === resource)!.functionName;

let state: FakeState;
let cloud: FakeCloud;
let endpoints: Endpoints;

beforeAll(async () => {
  cloud = await startFakeCloud(manifest, ACCOUNT, DEPLOYER, () => state, RULES);
  endpoints = { fc: cloud.fcEndpoint, fcInvoke: cloud.fcEndpoint, protocol: 'http', oss: { endpoint: cloud.ossEndpoint, pathStyle: true } };
});
beforeEach(() => {
  state = faithfulState(expected);
});
afterAll(() => cloud.close());

const failed = (findings: Finding[]) => findings.filter((f) => !f.ok).map((f) => `${f.subject}: ${f.check}`);
const trigger = (s: FakeState, fn: string, name: string) => s.triggers.get(fnName(fn))!.find((t) => t.triggerName === name)!;
const setTriggerConfig = (t: fc.Trigger, change: (cfg: Record<string, unknown>) => void) => {
  const cfg = JSON.parse(t.triggerConfig!) as Record<string, unknown>;
  change(cfg);
  t.triggerConfig = JSON.stringify(cfg);
};

test('a faithful deployment passes every check, over requests whose signatures all verified', async () => {
  cloud.requests.length = 0;
  const findings = await verifyDeployment(expected, DEPLOYER, endpoints);
  expect(failed(findings)).toEqual([]);
  const checks = findings.map((f) => `${f.subject}: ${f.check}`);
  for (const fn of ['token', 'sign', 'callback']) {
    for (const check of ['runtime', 'role', 'timeout', 'environment keys', 'log config', 'trigger http auth type', 'trigger http methods']) {
      expect(checks).toContain(`${fnName(fn)}: ${check}`);
    }
  }
  for (const check of ['trigger object-created events', 'trigger object-created filter', 'async retries', 'async on-failure destination', 'event path answers not found']) {
    expect(checks).toContain(`${fnName('callback')}: ${check}`);
  }
  for (const check of ['region', 'CORS for https://app.example.com: exposed headers', 'lifecycle aborts incomplete multipart uploads', 'storage class is OSS_STORAGE_CLASS']) {
    expect(checks).toContain(`bucket acme-uploads: ${check}`);
  }
  const fcRequests = cloud.requests.filter((r) => r.service === 'fc');
  expect(fcRequests.length).toBeGreaterThanOrEqual(3 * 2 + 2);
  expect(fcRequests.every((r) => r.signature === 'verified')).toBe(true);
  // The callback's own HeadObject of the missing key came back signed with its role's credentials.
  expect(cloud.requests.filter((r) => r.service === 'oss' && r.method === 'HEAD')).toHaveLength(1);
  expect(cloud.requests.filter((r) => r.service === 'oss').every((r) => r.signature === 'verified')).toBe(true);
});

test.each<[string, (s: FakeState) => void, string[]]>([
  ['a missing environment key', (s) => delete s.functions.get(fnName('token'))!.environmentVariables!.OSS_BUCKET, ['token: environment keys']],
  ['a wrong trigger auth type', (s) => setTriggerConfig(trigger(s, 'callback', 'http'), (c) => (c.authType = 'function')), ['callback: trigger http auth type']],
  ['logging off', (s) => (s.functions.get(fnName('sign'))!.logConfig = undefined), ['sign: log config']],
  ['OSS trigger events back to *', (s) => setTriggerConfig(trigger(s, 'callback', 'object-created'), (c) => (c.events = ['oss:ObjectCreated:*'])), ['callback: trigger object-created events']],
  ['no lifecycle rule', (s) => (s.bucket.lifecycleXml = undefined), ['bucket: lifecycle aborts incomplete multipart uploads']],
  ['a lifecycle rule that only expires objects', (s) => (s.bucket.lifecycleXml = s.bucket.lifecycleXml!.replace(/<AbortMultipartUpload>.*<\/AbortMultipartUpload>/, '<Expiration><Days>30</Days></Expiration>')), ['bucket: lifecycle aborts incomplete multipart uploads']],
  ['CORS that does not expose the CRC-64 header', (s) => (s.bucket.corsXml = s.bucket.corsXml!.replace('<ExposeHeader>x-oss-hash-crc64ecma</ExposeHeader>', '')), ['bucket: CORS for https://app.example.com: exposed headers']],
  ['no CORS rules', (s) => (s.bucket.corsXml = undefined), ['bucket: CORS']],
  ['the bucket in another region', (s) => (s.bucket.location = 'oss-cn-beijing'), ['bucket: region']],
  ['a bucket of another storage class than OSS_STORAGE_CLASS', (s) => (s.bucket.storageClass = 'IA'), ['bucket: storage class is OSS_STORAGE_CLASS']],
  ['a callback role that cannot read the bucket', (s) => (s.callbackCanRead = false), ['callback: event path answers not found']],
  ['no on-failure destination', (s) => (s.asyncConfigs.get(fnName('callback'))!.destinationConfig = undefined), ['callback: async on-failure destination']],
  ['no async config at all', (s) => s.asyncConfigs.delete(fnName('callback')), ['callback: async invocation']],
  ['a function on another runtime', (s) => (s.functions.get(fnName('sign'))!.runtime = 'nodejs18'), ['sign: runtime']],
  ['a function with the wrong role', (s) => (s.functions.get(fnName('token'))!.role = 'acs:ram::1234567890123456:role/aliyunfcdefaultrole'), ['token: role']],
  ['an OSS trigger on another prefix', (s) => setTriggerConfig(trigger(s, 'callback', 'object-created'), (c) => (c.filter = { key: { prefix: '', suffix: '' } })), ['callback: trigger object-created filter']],
  ['GET allowed on the token trigger', (s) => setTriggerConfig(trigger(s, 'token', 'http'), (c) => (c.methods = ['GET', 'POST', 'OPTIONS'])), ['token: trigger http methods']],
  ['a function that was never deployed', (s) => s.functions.delete(fnName('sign')), ['sign: deployed']],
])('%s fails exactly its check', async (_, mutate, expectedFailures) => {
  mutate(state);
  const findings = await verifyDeployment(expected, DEPLOYER, endpoints);
  const named = expectedFailures.map((f) => {
    const i = f.indexOf(': ');
    const [who, check] = [f.slice(0, i), f.slice(i + 2)];
    return `${who === 'bucket' ? 'bucket acme-uploads' : fnName(who)}: ${check}`;
  });
  expect(failed(findings)).toEqual(named);
});

test('verify-deploy signed with the wrong secret is refused by the fake: its signature check is real', async () => {
  cloud.requests.length = 0;
  const wrong = { ...DEPLOYER, accessKeySecret: 'not-the-deployer-secret-0002' };
  registerSecret(wrong.accessKeySecret);
  await expect(verifyDeployment(expected, wrong, endpoints)).rejects.toMatchObject({ code: 'SignatureDoesNotMatch' });
  expect(cloud.requests[0]).toMatchObject({ service: 'fc', signature: 'SignatureDoesNotMatch' });
});

test('the ACS3 check refuses a recorded SDK request once anything signed changes, and a replayed nonce', async () => {
  cloud.requests.length = 0;
  await verifyDeployment(expected, DEPLOYER, endpoints);
  const invoke = cloud.requests.find((r) => r.service === 'fc' && r.path.endsWith('/invocations') && r.raw);
  const raw = invoke!.raw!;
  const now = new Date();
  expect(verifyAcs3(raw, [DEPLOYER], now, new Set())).toBeUndefined();
  const variants: [string, typeof raw, string][] = [
    ['body', { ...raw, body: Buffer.concat([raw.body, Buffer.from(' ')]) }, 'ContentSha256Mismatch'],
    ['path', { ...raw, url: raw.url.replace('/invocations', '/invocation') }, 'SignatureDoesNotMatch'],
    ['query', { ...raw, url: `${raw.url}${raw.url.includes('?') ? '&' : '?'}qualifier=1` }, 'SignatureDoesNotMatch'],
    ['an x-acs header', { ...raw, headers: { ...raw.headers, 'x-acs-action': 'DeleteFunction' } }, 'SignatureDoesNotMatch'],
    ['an unsigned x-acs header', { ...raw, headers: { ...raw.headers, 'x-acs-extra': '1' } }, 'IncompleteSignature'],
    ['the date', { ...raw, headers: { ...raw.headers, 'x-acs-date': '2020-01-01T00:00:00Z' } }, 'InvalidTimeStamp.Expired'],
  ];
  for (const [, variant, code] of variants) expect(verifyAcs3(variant, [DEPLOYER], now, new Set())?.code).toBe(code);
  const seen = new Set<string>();
  expect(verifyAcs3(raw, [DEPLOYER], now, seen)).toBeUndefined();
  expect(verifyAcs3(raw, [DEPLOYER], now, seen)?.code).toBe('SignatureNonceUsed');
});

describe("a deployment of the photo app's rules, which span the bucket", () => {
  const photoRules = storageRulesOf({ STORAGE_RULES: 'examples/photo-app.rules.yaml' });
  // s.yaml as README "Deploying another rules file" has it changed: no UPLOAD_PREFIX, the OSS trigger on
  // the folder every rule lies under ('' for the photo app).
  const doc = structuredClone(readManifestDoc(join(ROOT, 's.yaml'))) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  for (const block of [...Object.values(doc.template ?? {}), ...Object.values(doc.resources).map((r) => (r as { props: unknown }).props)] as { environmentVariables?: Record<string, unknown> }[]) {
    delete block.environmentVariables?.UPLOAD_PREFIX;
  }
  doc.resources.callback.props.triggers.find((t: { triggerType: string }) => t.triggerType === 'oss').triggerConfig.filter.key.prefix = '';
  const photoManifest = renderManifest(doc, { env: ENV, config: { AccountID: ACCOUNT }, baseDir: ROOT });
  const photoExpected = expectedDeployment(photoManifest, ACCOUNT, photoRules);
  let photoState: FakeState;
  let photoCloud: FakeCloud;
  let photoEndpoints: Endpoints;
  beforeAll(async () => {
    photoCloud = await startFakeCloud(photoManifest, ACCOUNT, DEPLOYER, () => photoState, photoRules);
    photoEndpoints = { fc: photoCloud.fcEndpoint, fcInvoke: photoCloud.fcEndpoint, protocol: 'http', oss: { endpoint: photoCloud.ossEndpoint, pathStyle: true } };
  });
  beforeEach(() => {
    photoState = faithfulState(photoExpected);
  });
  afterAll(() => photoCloud.close());

  test('expects the OSS trigger and the lifecycle rule on the whole bucket', () => {
    expect(photoExpected.bucket.prefixRoot).toBe('');
  });

  test('a faithful deployment passes every check', async () => {
    expect(failed(await verifyDeployment(photoExpected, DEPLOYER, photoEndpoints))).toEqual([]);
  });

  test('an OSS trigger left on users/ fails its filter check: uploads to avatars/ and teams/ would go unchecked', async () => {
    const objectCreated = photoState.triggers.get(fnName('callback'))!.find((t) => t.triggerName === 'object-created')!;
    setTriggerConfig(objectCreated, (c) => (c.filter = { key: { prefix: 'users/', suffix: '' } }));
    expect(failed(await verifyDeployment(photoExpected, DEPLOYER, photoEndpoints))).toEqual([`${fnName('callback')}: trigger object-created filter`]);
  });
});

const run = promisify(execFile);
const script = () =>
  run(
    process.execPath,
    [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), join(ROOT, 'scripts/verify-deploy.ts'), '--fc-endpoint', cloud.fcEndpoint, '--oss-endpoint', cloud.ossEndpoint, '--http', '--path-style'],
    { cwd: ROOT, env: { PATH: process.env.PATH, ...ENV, AccountID: ACCOUNT, AccessKeyID: DEPLOYER.accessKeyId, AccessKeySecret: DEPLOYER.accessKeySecret } },
  );

test('npm run verify-deploy prints each check and exits 0 on a faithful deployment, 1 when one is wrong, never printing the secret', async () => {
  const ok = await script();
  expect(ok.stdout).toMatch(/^verify-deploy: \d+ passed, 0 failed$/m);
  expect(ok.stdout).not.toContain(DEPLOYER.accessKeySecret);
  state.functions.get(fnName('token'))!.logConfig = undefined;
  const bad = await script().catch((err: { code: number; stdout: string }) => err);
  expect(bad).toMatchObject({ code: 1, stdout: expect.stringMatching(/^FAIL oss-upload-token: log config: logging is off/m) });
});
