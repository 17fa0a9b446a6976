// The client as an app developer gets it: `npm pack` of client/, installed offline into a fresh app
// in a temporary directory outside the repository, type-checked there (ESM and CommonJS consumers,
// strict, the package's own declarations checked too), bundled by esbuild, and run against the local
// runtime: every upload path completes.

import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import type { LocalRuntime } from '../../local/runtime';
import { buildClient } from '../../scripts/build-client';
import { offlineLockfile } from '../helpers/offline-lockfile';
import { startTestRuntime } from '../helpers/runtime';

jest.setTimeout(240_000);
const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'client', 'package.json'), 'utf8')) as { name: string; version: string; dependencies: Record<string, string> };

const APP = `import { UploadError, UploadSession, type UploadMethod, type UploadResult } from '${pkg.name}';

declare const process: { env: Record<string, string | undefined>; stdout: { write(text: string): boolean } };

const session = new UploadSession({ baseUrl: process.env.BASE_URL!, authToken: () => process.env.JWT });
const outcome: Record<string, { key: string; size: number } | string> = {};
for (const method of ['post', 'put', 'multipart'] satisfies UploadMethod[]) {
  const bytes = new Uint8Array(method === 'multipart' ? 3 * 1024 * 1024 : 100 * 1024).map((_, i) => (i * 31) & 0xff);
  try {
    const result: UploadResult = await session.upload(new File([bytes], 'fresh ' + method + '.pdf', { type: 'application/pdf' }), { method, partSize: 1024 * 1024 });
    outcome[method] = { key: result.key, size: result.size };
  } catch (err) {
    outcome[method] = err instanceof UploadError ? err.code + ': ' + err.message : 'not an UploadError';
  }
}
process.stdout.write(JSON.stringify(outcome));
`;

// A CommonJS consumer: resolved through the package's "require" condition and its own declarations.
const CJS_APP = `import { UploadSession, parseClientConfig, type ClientConfig } from '${pkg.name}';
const config: ClientConfig = parseClientConfig({ endpoints: { token: 'https://token.example/', sign: 'https://sign.example/' } });
export const session = new UploadSession({ ...config, authToken: () => 'jwt' });
`;

const TSCONFIG = {
  compilerOptions: { strict: true, target: 'es2022', module: 'nodenext', moduleResolution: 'nodenext', lib: ['es2022', 'dom'], types: [], noEmit: true, skipLibCheck: false },
  files: ['app.ts', 'app-cjs.cts'],
};

let runtime: LocalRuntime;
let work: string;
let app: string;
let dataDir: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'client-package-'));
  app = join(work, 'fresh-app');
  dataDir = join(work, 'oss');
  await buildClient();
  await run('npm', ['pack', '--ignore-scripts', '--pack-destination', work], { cwd: join(ROOT, 'client') });
  const tarball = join(work, readdirSync(work).find((f) => f.endsWith('.tgz'))!);
  await run('mkdir', ['-p', app, dataDir]);
  const spec = `file:../${basename(tarball)}`;
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'fresh-app', private: true, type: 'module', dependencies: { [pkg.name]: spec } }, null, 2));
  const lock = offlineLockfile(ROOT, 'fresh-app', tarball, spec, pkg);
  writeFileSync(join(app, 'package-lock.json'), JSON.stringify({ name: 'fresh-app', requires: true, ...lock }, null, 2));
  writeFileSync(join(app, 'app.ts'), APP);
  writeFileSync(join(app, 'app-cjs.cts'), CJS_APP);
  writeFileSync(join(app, 'tsconfig.json'), JSON.stringify(TSCONFIG, null, 2));
  await run('npm', ['ci', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: app, env: { PATH: process.env.PATH, HOME: process.env.HOME } });
  runtime = await startTestRuntime({ dataDir });
});

afterAll(async () => {
  await runtime?.stop();
  rmSync(work, { recursive: true, force: true });
});

test('the app lies outside the repository and the package installed there holds only its build, its README and package.json', () => {
  expect(app.startsWith(ROOT)).toBe(false);
  const installed = join(app, 'node_modules', pkg.name);
  expect(readdirSync(installed).sort()).toEqual(['README.md', 'dist', 'package.json']);
  const types = readFileSync(join(installed, 'dist', 'index.d.mts'), 'utf8');
  expect(types).not.toMatch(/from ['"]\.\.?\//); // rolled up: nothing points into ../shared or elsewhere
  expect(types).toMatch(/export interface TokenResponse/); // the wire types travel with it
});

test('the app type-checks against the installed package, as ESM and as CommonJS, declarations included', async () => {
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  await expect(run(process.execPath, [tsc, '-p', app], { cwd: app })).resolves.toBeDefined();
});

test('CommonJS loads the package with require(), and ali-oss only once multipart needs it', async () => {
  const script = `const c = require('${pkg.name}'); process.stdout.write(JSON.stringify([typeof c.UploadSession, Object.keys(require.cache).some((f) => f.includes('/ali-oss/'))]))`;
  const { stdout } = await run(process.execPath, ['-e', script], { cwd: app });
  expect(JSON.parse(stdout)).toEqual(['function', false]);
});

test('bundled by esbuild, the app uploads by post, put and multipart against the local runtime', async () => {
  const outfile = join(app, 'app.bundle.mjs');
  await build({
    absWorkingDir: app,
    entryPoints: [join(app, 'app.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    // ali-oss's Node build requires Node's own modules; an ESM bundle gives it a require().
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
    external: ['proxy-agent'],
    logLevel: 'error',
  });
  const jwt = await runtime.login('freshapp');
  const { stdout } = await run(process.execPath, [outfile], { cwd: app, env: { PATH: process.env.PATH, BASE_URL: `${runtime.appUrl}/api/`, JWT: jwt } });
  const outcome = JSON.parse(stdout) as Record<string, unknown>;
  const uploaded = (method: string, size: number) => ({ key: expect.stringMatching(new RegExp(`^users/freshapp/[^/]+/fresh ${method}\\.pdf$`)) as string, size });
  expect(outcome).toEqual({ post: uploaded('post', 100 * 1024), put: uploaded('put', 100 * 1024), multipart: uploaded('multipart', 3 * 1024 * 1024) });
});
