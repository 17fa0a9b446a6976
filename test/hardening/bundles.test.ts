// What is deployed holds none of the local runtime: no development sign-in that issues JWTs for
// any user name, no local OSS or STS, no test keys. Each function is bundled from its entry point as
// `npm run build` bundles it, and the bundle's inputs and text are checked.

import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { FUNCTION_BUNDLE } from '../../scripts/bundle-options';

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
