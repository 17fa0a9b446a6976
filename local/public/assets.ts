// The demo page's files, built once when the local runtime starts: app.ts (with the client library
// and ali-oss's browser build) bundled by esbuild, plus the HTML and CSS as they are.

import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

export interface DemoAsset {
  type: string;
  body: Buffer;
}

export async function buildDemoAssets(): Promise<Map<string, DemoAsset>> {
  const [bundle, html, css] = await Promise.all([
    build({
      entryPoints: [path.join(__dirname, 'app.ts')],
      bundle: true,
      write: false,
      format: 'iife',
      platform: 'browser',
      target: 'es2022',
      minify: true,
      legalComments: 'eof',
      logLevel: 'silent',
    }),
    readFile(path.join(__dirname, 'index.html')),
    readFile(path.join(__dirname, 'app.css')),
  ]);
  const page: DemoAsset = { type: 'text/html; charset=utf-8', body: html };
  return new Map([
    ['/', page],
    ['/index.html', page],
    ['/app.js', { type: 'text/javascript; charset=utf-8', body: Buffer.from(bundle.outputFiles[0].contents) }],
    ['/app.css', { type: 'text/css; charset=utf-8', body: css }],
  ]);
}
