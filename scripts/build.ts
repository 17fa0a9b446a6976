// Bundles each function into one minified CommonJS file, dist/<name>/index.js, exporting `handler`,
// with the lazy chunks it loads only when their feature is configured beside it (LAZY_CHUNKS).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { FUNCTION_BUNDLE, LAZY_CHUNKS } from './bundle-options';

const root = join(__dirname, '..');
const names = readdirSync(join(root, 'functions')).filter((n) => statSync(join(root, 'functions', n)).isDirectory());

async function bundle(entry: string, outfile: string): Promise<number> {
  const result = await build({ ...FUNCTION_BUNDLE, entryPoints: [entry], outfile, metafile: true, logLevel: 'warning' });
  return Object.values(result.metafile.outputs)[0].bytes;
}

async function main() {
  for (const name of names) {
    const bytes = await bundle(join(root, 'functions', name, 'index.ts'), join(root, 'dist', name, 'index.js'));
    console.log(`${name.padEnd(10)} ${(bytes / 1024).toFixed(1).padStart(7)} KB  dist/${name}/index.js`);
    for (const chunk of LAZY_CHUNKS) {
      const chunkBytes = await bundle(join(root, chunk.source), join(root, 'dist', name, chunk.file));
      console.log(`${''.padEnd(10)} ${(chunkBytes / 1024).toFixed(1).padStart(7)} KB  dist/${name}/${chunk.file} (loaded only when configured)`);
    }
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
