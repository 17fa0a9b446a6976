// What an app ships for the client package (client/dist, as `npm run build:client` makes it): two
// apps bundled by esbuild for browsers with code splitting, one uploading by form or PUT only, one by
// multipart. Sizes are min+gzip per file, summed over what each app loads: the entry and its static
// imports, plus the CRC-64 chunk every upload loads; multipart adds ali-oss's browser build behind
// a dynamic import.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';
import { buildClient, CLIENT_DIST } from '../scripts/build-client';
import { judge, type Row } from './report';

const ROOT = join(__dirname, '..');

/** Every output the entry loads before it runs, following static imports. */
function staticClosure(meta: Metafile, start: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const i of meta.outputs[file].imports) if (i.kind === 'import-statement' && !i.external) visit(i.path);
  };
  visit(start);
  return seen;
}

/** Output paths as esbuild's metafile gives them (relative to the working directory). */
const gzipKb = (files: Iterable<string>) => [...files].reduce((sum, f) => sum + gzipSync(readFileSync(f), { level: 9 }).length, 0) / 1024;

async function appBundle(dir: string, name: string, source: string): Promise<{ meta: Metafile; entry: string }> {
  const entryFile = join(dir, `${name}.js`);
  writeFileSync(entryFile, source);
  const out = join(dir, `${name}-out`);
  const { metafile } = await build({
    entryPoints: [entryFile],
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    outdir: out,
    metafile: true,
    nodePaths: [join(ROOT, 'node_modules')],
    logLevel: 'error',
  });
  const entry = Object.keys(metafile.outputs).find((o) => metafile.outputs[o].entryPoint?.endsWith(`${name}.js`))!;
  return { meta: metafile, entry };
}

export async function clientBundleBench(): Promise<Row[]> {
  await buildClient();
  const dir = mkdtempSync(join(tmpdir(), 'client-bundle-'));
  try {
    const pkg = JSON.stringify(join(CLIENT_DIST, 'index.mjs'));
    const app = (method: string) =>
      `import { UploadSession } from ${pkg};\nconst s = new UploadSession({ baseUrl: '/api/', authToken: () => '' });\nexport const upload = (file) => s.upload(file, { method: '${method}' });\n`;
    const form = await appBundle(dir, 'form-put', app('put'));
    const crcChunk = Object.keys(form.meta.outputs).find((o) => form.meta.outputs[o].entryPoint?.includes('chunks/crc64'));
    if (!crcChunk) throw new Error('the CRC-64 chunk is missing from the form/PUT app');
    const formFiles = new Set([...staticClosure(form.meta, form.entry), ...staticClosure(form.meta, crcChunk)]);
    const multipart = await appBundle(dir, 'multipart', app('multipart'));
    const allMultipart = Object.keys(multipart.meta.outputs).filter((o) => o.endsWith('.js'));
    return [
      judge({
        group: 'client-bundle',
        name: 'form/PUT-only app: client as loaded (min+gzip)',
        value: gzipKb(formFiles),
        unit: 'KB',
        comparison: { name: 'with multipart', value: gzipKb(allMultipart), ratio: false },
        budget: { max: 12, text: '≤ 12 KB' },
      }),
      judge({
        group: 'client-bundle',
        name: 'multipart app: client with ali-oss (min+gzip)',
        value: gzipKb(allMultipart),
        unit: 'KB',
        budget: { max: 200, text: '≤ 200 KB' },
      }),
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
