// What is deployed holds none of the local runtime: no development sign-in that issues JWTs for
// any user name, no local OSS or STS, no test keys. Each function is bundled from its entry point as
// `npm run build` bundles it, and the bundle's inputs and text are checked.

import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { FUNCTION_BUNDLE, LAZY_CHUNKS, POP_CORE_SUBSTITUTES } from '../../scripts/bundle-options';

const root = join(__dirname, '..', '..');
const functions = readdirSync(join(root, 'functions'), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);

test('there are the three functions to check', () => {
  expect(functions.sort()).toEqual(['callback', 'sign', 'token']);
});

test.each(functions)('the %s bundle holds no local runtime, test or script code, and no development sign-in', async (name) => {
  const result = await build({
    ...FUNCTION_BUNDLE,
    // Unminified, so the names searched for below are still there to find.
    minify: false,
    entryPoints: [join(root, 'functions', name, 'index.ts')],
    write: false,
    metafile: true,
    absWorkingDir: root,
    logLevel: 'silent',
  });
  const inputs = Object.keys(result.metafile.inputs);
  expect(inputs.filter((file) => /^(local|test|scripts|bench|client)\//.test(file))).toEqual([]);
  const text = result.outputFiles[0].text;
  expect(text).not.toMatch(/local-dev-login|\/api\/dev\/login|startLocalRuntime|IamStore|BEGIN (RSA )?PRIVATE KEY/);
});

test.each(functions)('the %s bundle leaves the shared credential cache and its Redis client to credential-cache.js, imported only when configured', async (name) => {
  const result = await build({ ...FUNCTION_BUNDLE, minify: false, entryPoints: [join(root, 'functions', name, 'index.ts')], write: false, metafile: true, absWorkingDir: root, logLevel: 'silent' });
  const inputs = Object.keys(result.metafile.inputs);
  expect(inputs.filter((file) => /node_modules\/(ioredis|@ioredis)\/|shared\/sts\/shared-cache\//.test(file))).toEqual([]);
  // The one way in: a dynamic import of the chunk beside the bundle, never a require at load.
  expect(result.outputFiles[0].text.match(/(import|require)\("\.\/credential-cache\.js"\)/g)).toEqual(['import("./credential-cache.js")']);
});

test.each(functions)('the %s bundle carries pop-core with our substitutes for json-bigint, debug, node:assert and node:zlib, and none of those modules', async (name) => {
  const result = await build({ ...FUNCTION_BUNDLE, minify: false, entryPoints: [join(root, 'functions', name, 'index.ts')], write: false, metafile: true, absWorkingDir: root, logLevel: 'silent' });
  const inputs = Object.keys(result.metafile.inputs);
  expect(inputs.some((file) => file.endsWith('node_modules/@alicloud/pop-core/lib/rpc.js'))).toBe(true);
  expect(inputs.filter((file) => /node_modules\/(json-bigint|bignumber\.js|debug|ms|supports-color|has-flag)\//.test(file))).toEqual([]);
  expect(POP_CORE_SUBSTITUTES.map((s) => s.source).filter((source) => !inputs.includes(source))).toEqual([]);
  // node:assert and node:zlib are Node's own: what is left of them is a require() of ours, zlib's on first use only.
  const text = result.outputFiles[0].text;
  expect(text.match(/require\("(node:)?(assert|zlib)"\)/g)).toEqual(['require("node:zlib")']);
});

test('credential-cache.js is built from the shared cache with ioredis inside, and loads on its own', async () => {
  expect(LAZY_CHUNKS.map((c) => c.file)).toEqual(['credential-cache.js']);
  const dir = mkdtempSync(join(tmpdir(), 'chunk-'));
  try {
    const outfile = join(dir, LAZY_CHUNKS[0].file);
    const result = await build({ ...FUNCTION_BUNDLE, entryPoints: [join(root, LAZY_CHUNKS[0].source)], outfile, metafile: true, absWorkingDir: root, logLevel: 'silent' });
    expect(Object.keys(result.metafile.inputs).some((file) => /(^|\/)node_modules\/ioredis\//.test(file))).toBe(true);
    expect(typeof (require(outfile) as Record<string, unknown>).createSharedCache).toBe('function');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
