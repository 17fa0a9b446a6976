// The GitHub workflows: pull requests run the tests; main runs them, then deploys one at a time with
// credentials from secrets, and gives s.yaml every setting it cannot default.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const ROOT = join(__dirname, '../..');
type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const workflow = (name: string) => parse(readFileSync(join(ROOT, '.github/workflows', name), 'utf8')) as Doc;
const runs = (job: Doc) => (job.steps as Doc[]).map((s) => s.run).filter(Boolean).join('\n');

const ci = workflow('ci.yml');
const deploy = workflow('deploy.yml');
const deployJob = deploy.jobs.deploy as Doc;

test('pull requests run the test suite, and main reuses the same job before deploying', () => {
  expect(Object.keys(ci.on)).toEqual(expect.arrayContaining(['pull_request', 'workflow_call']));
  expect(runs(ci.jobs.test)).toMatch(/^npm test\b/m);
  expect(deploy.on.push.branches).toEqual(['main']);
  expect(deploy.jobs.test.uses).toBe('./.github/workflows/ci.yml');
  expect(deployJob.needs).toBe('test');
});

test('deploys run one at a time and are never cancelled half-way', () => {
  expect(deployJob.concurrency).toEqual({ group: 'deploy-production', 'cancel-in-progress': false });
});

test('credentials come from secrets, under the names Serverless Devs reads first', () => {
  for (const name of ['AccountID', 'AccessKeyID', 'AccessKeySecret']) expect(deployJob.env[name]).toMatch(/^\$\{\{ secrets\.[A-Z_]+ \}\}$/);
  expect(JSON.stringify(deploy)).not.toMatch(/LTAI[0-9A-Za-z]{12,}/);
});

test('the deploy job builds, checks the manifest and the fc3 release, deploys non-interactively, reads the deployment back, then smoke-tests', () => {
  const steps = runs(deployJob);
  const order = ['npm run build', 'render-s-yaml.ts', 'check-fc3-release.ts', '$S deploy -y', '$S info -o json', 'npm run verify-deploy', 'npm run smoke'].map((s) => steps.indexOf(s));
  expect(order.every((i, n) => i >= 0 && (n === 0 || i > order[n - 1]))).toBe(true);
});

test('the storage rules file a repository variable names is the one the build, the rules check and verify-deploy all read', () => {
  // A step-level STORAGE_RULES would leave the other steps on storage.rules.yaml: a deploy whose bundles
  // and RAM policy come from different rules.
  expect(deployJob.env.STORAGE_RULES).toBe('${{ vars.STORAGE_RULES }}');
  expect((deployJob.steps as Doc[]).filter((s) => s.env && 'STORAGE_RULES' in s.env)).toEqual([]);
});

test('Serverless Devs runs as the version the lockfile pins, never one fetched at deploy time', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Doc;
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as Doc;
  expect(pkg.devDependencies['@serverless-devs/s']).toBe('3.1.10');
  expect(lock.packages['node_modules/@serverless-devs/s'].version).toBe('3.1.10');
  expect(deployJob.env.S).toBe('npx --no-install s');
  expect(pkg.scripts.deploy).toBe('s deploy -y');
});

test.each(['s.yaml', 's.domain.yaml'])('every setting %s requires without a default reaches the deploy job', (file) => {
  // Commented lines (the shared credential cache's, off by default) require nothing.
  const uncommented = readFileSync(join(ROOT, file), 'utf8').split('\n').filter((line) => !/^\s*#/.test(line)).join('\n');
  const required = [...uncommented.matchAll(/\$\{[^}]*env\('([A-Za-z_]+)'\)/g)].map((m) => m[1]);
  const exported = [...runs(deployJob).matchAll(/echo "([A-Z_]+)=/g)].map((m) => m[1]);
  const provided = [...Object.keys(deployJob.env), ...exported];
  expect(required.length).toBeGreaterThan(0);
  expect(required.filter((name) => !provided.includes(name))).toEqual([]);
});
