import { join, resolve, sep } from 'node:path';
import type { BuildOptions, Plugin } from 'esbuild';

const ROOT = join(__dirname, '..');

/**
 * Code only an optional feature needs, loaded by a dynamic import() only when that feature is
 * configured: bundled apart, as `file` beside each function's index.js, so the default cold start
 * neither downloads nor requires it. The shared credential cache brings ioredis (~190 KB, ~50 ms).
 */
export const LAZY_CHUNKS = [{ source: 'shared/sts/shared-cache/index.ts', file: 'credential-cache.js' }] as const;

/** Leaves each dynamic import() of a lazy chunk's source as a require() of its file beside the bundle. */
const lazyChunks: Plugin = {
  name: 'lazy-chunks',
  setup(build) {
    build.onResolve({ filter: /^\./ }, (args) => {
      if (args.kind !== 'dynamic-import') return undefined;
      const target = resolve(args.resolveDir, args.path);
      const chunk = LAZY_CHUNKS.find((c) => {
        const source = join(ROOT, c.source);
        return target === source || target === source.replace(/(\/index)?\.ts$/, '');
      });
      return chunk ? { path: `./${chunk.file}`, external: true } : undefined;
    });
  },
};

/**
 * Modules that pop-core's RPC client (AssumeRole) loads and a function does not need, each bundled as
 * a small module of ours in its place, only where that importer asks for it: json-bigint with
 * bignumber.js (24 KB, for integers beyond 2^53 that an AssumeRole answer never has), httpx's debug
 * (10 KB with ms and supports-color, and it would log the credentials), and the node:assert and
 * node:zlib that pop-core and httpx load at require() for checks and for compressed answers (zlib
 * then loads on first use). Outside a bundle (tests, the local runtime) pop-core loads them all.
 */
export const POP_CORE_SUBSTITUTES = [
  { module: 'json-bigint', importer: 'node_modules/@alicloud/pop-core/lib/rpc.js', source: 'shared/sts/pop-core/json-bigint.ts' },
  { module: 'assert', importer: 'node_modules/@alicloud/pop-core/lib/rpc.js', source: 'shared/sts/pop-core/assert.ts' },
  { module: 'debug', importer: 'node_modules/httpx/lib/index.js', source: 'shared/sts/pop-core/debug.ts' },
  { module: 'zlib', importer: 'node_modules/httpx/lib/index.js', source: 'shared/sts/pop-core/zlib.ts' },
] as const;

const popCoreSubstitutes: Plugin = {
  name: 'pop-core-substitutes',
  setup(build) {
    const names = new Set<string>(POP_CORE_SUBSTITUTES.map((s) => s.module));
    build.onResolve({ filter: /^[a-z-]+$/ }, (args) => {
      if (!names.has(args.path)) return undefined;
      const importer = args.importer.split(sep).join('/');
      const substitute = POP_CORE_SUBSTITUTES.find((s) => s.module === args.path && importer.endsWith(`/${s.importer}`));
      return substitute ? { path: join(ROOT, substitute.source) } : undefined;
    });
  },
};

/** How a function is bundled for Function Compute: one minified CommonJS file for nodejs20 exporting `handler`, and its lazy chunks. */
export const FUNCTION_BUNDLE: BuildOptions = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: true,
  legalComments: 'none',
  plugins: [lazyChunks, popCoreSubstitutes],
};
