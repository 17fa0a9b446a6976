// Bundles each function into one minified CommonJS file, dist/<name>/index.js, exporting `handler`.
import { build } from 'esbuild';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const names = readdirSync(join(root, 'functions')).filter((n) => statSync(join(root, 'functions', n)).isDirectory());

for (const name of names) {
  const outfile = join(root, 'dist', name, 'index.js');
  const result = await build({
    entryPoints: [join(root, 'functions', name, 'index.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
  });
  const bytes = result.metafile.outputs[Object.keys(result.metafile.outputs)[0]].bytes;
  console.log(`${name.padEnd(10)} ${(bytes / 1024).toFixed(1).padStart(7)} KB  dist/${name}/index.js`);
}
