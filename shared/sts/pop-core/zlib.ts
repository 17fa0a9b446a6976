// Bundled in place of node:zlib for httpx, pop-core's HTTP client (scripts/bundle-options.ts), which
// requires it at load only to decompress an answer sent gzip or deflate. pop-core never asks for
// compression and STS answers without it, so node:zlib is loaded only if an answer comes compressed
// all the same, not at every cold start.

import type * as Zlib from 'node:zlib';

const zlib = (): typeof Zlib => require('node:zlib');

/** node:zlib's createGunzip, loading the module on first use. */
export const createGunzip = (options?: Zlib.ZlibOptions) => zlib().createGunzip(options);

/** node:zlib's createInflate, loading the module on first use. */
export const createInflate = (options?: Zlib.ZlibOptions) => zlib().createInflate(options);
