// Builds the client package (client/package.json) into client/dist: ESM (index.mjs, with the code
// only multipart and listing need, and ali-oss behind it, in chunks loaded by dynamic import), CommonJS
// (index.cjs), and one rolled-up declaration file (index.d.mts / index.d.cts) that holds the wire
// types of shared/api itself instead of pointing into ../shared. ali-oss and hash-wasm stay the
// package's dependencies, not bundled.

import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, type BuildOptions } from 'esbuild';
import { generateDtsBundle } from 'dts-bundle-generator';

const root = join(__dirname, '..');
const client = join(root, 'client');
export const CLIENT_DIST = join(client, 'dist');

const common: BuildOptions = {
  entryPoints: [join(client, 'index.ts')],
  bundle: true,
  platform: 'neutral',
  target: 'es2022',
  external: ['ali-oss', 'hash-wasm'],
  legalComments: 'eof',
  logLevel: 'warning',
};

/** Writes client/dist afresh; returns the files written (relative to client/). */
export async function buildClient(): Promise<string[]> {
  rmSync(CLIENT_DIST, { recursive: true, force: true });
  mkdirSync(CLIENT_DIST, { recursive: true });
  const esm = await build({ ...common, format: 'esm', splitting: true, outdir: CLIENT_DIST, outExtension: { '.js': '.mjs' }, chunkNames: 'chunks/[name]-[hash]', metafile: true });
  const cjs = await build({ ...common, format: 'cjs', outfile: join(CLIENT_DIST, 'index.cjs'), metafile: true });
  const [dts] = generateDtsBundle([{ filePath: join(client, 'index.ts'), output: { noBanner: true, exportReferencedTypes: false } }], {
    preferredConfigPath: join(root, 'tsconfig.json'),
  });
  for (const name of ['index.d.mts', 'index.d.cts']) writeFileSync(join(CLIENT_DIST, name), dts);
  const outputs = [...Object.keys(esm.metafile.outputs), ...Object.keys(cjs.metafile.outputs)];
  return [...outputs.map((o) => o.replace(/^client\//, '')), 'dist/index.d.mts', 'dist/index.d.cts'];
}

if (require.main === module) {
  buildClient().then(
    (files) => files.forEach((f) => console.log(f)),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
