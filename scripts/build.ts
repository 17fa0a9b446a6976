// Bundles each function into one minified CommonJS file, dist/<name>/index.js, exporting `handler`.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { FUNCTION_BUNDLE } from './bundle-options';

const root = join(__dirname, '..');
const names = readdirSync(join(root, 'functions')).filter((n) => statSync(join(root, 'functions', n)).isDirectory());

async function main() {
  for (const name of names) {
    const result = await build({
      ...FUNCTION_BUNDLE,
      entryPoints: [join(root, 'functions', name, 'index.ts')],
      outfile: join(root, 'dist', name, 'index.js'),
      metafile: true,
      logLevel: 'warning',
    });
    const bytes = Object.values(result.metafile.outputs)[0].bytes;
    console.log(`${name.padEnd(10)} ${(bytes / 1024).toFixed(1).padStart(7)} KB  dist/${name}/index.js`);
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
