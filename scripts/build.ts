// Bundles each function into one minified CommonJS file, dist/<name>/index.js, exporting `handler`,
// with the lazy chunks it loads only when their feature is configured beside it (LAZY_CHUNKS).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { FUNCTION_BUNDLE, LAZY_CHUNKS } from './bundle-options';

const root = join(__dirname, '..');

async function bundle(entry: string, outfile: string): Promise<number> {
  const result = await build({ ...FUNCTION_BUNDLE, entryPoints: [entry], outfile, metafile: true, logLevel: 'warning' });
  return Object.values(result.metafile.outputs)[0].bytes;
}

/** Every function as deployed, into `<outDir>/<name>/`: each file written and its size in bytes. */
export async function buildFunctions(outDir: string): Promise<{ file: string; bytes: number }[]> {
  const names = readdirSync(join(root, 'functions')).filter((n) => statSync(join(root, 'functions', n)).isDirectory());
  const written: { file: string; bytes: number }[] = [];
  for (const name of names) {
    const file = join(outDir, name, 'index.js');
    written.push({ file, bytes: await bundle(join(root, 'functions', name, 'index.ts'), file) });
    for (const chunk of LAZY_CHUNKS) {
      const chunkFile = join(outDir, name, chunk.file);
      written.push({ file: chunkFile, bytes: await bundle(join(root, chunk.source), chunkFile) });
    }
  }
  return written;
}

if (require.main === module) {
  buildFunctions(join(root, 'dist')).then(
    (written) => {
      for (const { file, bytes } of written) {
        const lazy = LAZY_CHUNKS.some((c) => file.endsWith(`/${c.file}`)) ? '  (loaded only when configured)' : '';
        console.log(`${(bytes / 1024).toFixed(1).padStart(7)} KB  ${file.slice(root.length + 1)}${lazy}`);
      }
    },
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
