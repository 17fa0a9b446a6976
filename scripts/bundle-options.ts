import type { BuildOptions } from 'esbuild';

/** How a function is bundled for Function Compute: one minified CommonJS file for nodejs20 exporting `handler`. */
export const FUNCTION_BUNDLE: BuildOptions = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: true,
  legalComments: 'none',
};
