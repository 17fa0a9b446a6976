// What a cold start pays: each function's minified bundle (as `npm run build` makes it) and the time
// to require it in a fresh Node process, beside a bundle of the full ali-oss client built the same way.

import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { FUNCTION_BUNDLE } from '../scripts/bundle-options';
import { judge, type Row } from './report';
import { median, type Profile } from './timing';

const run = promisify(execFile);
const ROOT = join(__dirname, '..');

// The design's budgets: sign and callback carry pop-core for scoped signing (decisions, "Bundles").
const BUDGETS: Record<string, { kb: number; ms: number }> = {
  sign: { kb: 100, ms: 35 },
  callback: { kb: 100, ms: 35 },
  token: { kb: 250, ms: 70 },
};

/** `npm run build`: dist/<fn>/index.js for each function; returns the paths by function. */
export async function buildFunctions(): Promise<Record<string, string>> {
  await run(join(ROOT, 'node_modules', '.bin', 'tsx'), [join(ROOT, 'scripts', 'build.ts')], { cwd: ROOT });
  return Object.fromEntries(Object.keys(BUDGETS).map((name) => [name, join(ROOT, 'dist', name, 'index.js')]));
}

/** `source` (CommonJS) bundled in `dir` as our functions are (ali-oss's optional proxy-agent is not installed). */
export async function bundleSource(dir: string, name: string, source: string): Promise<string> {
  const entry = join(dir, `${name}.entry.js`);
  const outfile = join(dir, `${name}.js`);
  writeFileSync(entry, source);
  await build({
    ...FUNCTION_BUNDLE,
    entryPoints: [entry],
    outfile,
    external: ['proxy-agent'],
    nodePaths: [join(ROOT, 'node_modules')],
    logLevel: 'error',
  });
  return outfile;
}

/** The full ali-oss client, bundled as our functions are. */
const aliOssBundle = (dir: string) => bundleSource(dir, 'ali-oss', "module.exports = require('ali-oss');\n");

/**
 * Milliseconds spent in require() alone, each time in a fresh process: the median of `runs` per
 * file, the files taking turns so a passing load weighs on each alike.
 */
export async function coldRequireMs(files: string[], runs: number): Promise<number[]> {
  const times: number[][] = files.map(() => []);
  for (let r = 0; r < runs; r++) {
    for (let i = 0; i < files.length; i++) {
      const script = `const t=process.hrtime.bigint();require(${JSON.stringify(files[i])});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
      const { stdout } = await run(process.execPath, ['-e', script], { cwd: tmpdir() });
      times[i].push(Number(stdout));
    }
  }
  return times.map(median);
}

export async function bundlesBench(profile: Profile): Promise<Row[]> {
  const built = await buildFunctions();
  const dir = mkdtempSync(join(tmpdir(), 'bench-ali-oss-'));
  try {
    const aliOss = await aliOssBundle(dir);
    const runs = profile.quick ? 3 : 7;
    const names = Object.keys(BUDGETS);
    const files = names.map((name) => built[name]);
    const ms = await coldRequireMs([...files, aliOss], runs);
    const aliOssKb = statSync(aliOss).size / 1024;
    const aliOssMs = ms[files.length];
    const rows: Row[] = [];
    names.forEach((name, i) => {
      const budget = BUDGETS[name];
      rows.push(
        judge({
          group: 'bundles',
          name: `${name} bundle (minified)`,
          value: statSync(files[i]).size / 1024,
          unit: 'KB',
          comparison: { name: 'full ali-oss bundle', value: aliOssKb },
          budget: { max: budget.kb, text: `≤ ${budget.kb} KB` },
        }),
        judge({
          group: 'bundles',
          name: `${name} cold require (median of ${runs})`,
          value: ms[i],
          unit: 'ms',
          comparison: { name: 'full ali-oss bundle', value: aliOssMs },
          budget: { max: budget.ms, text: `≤ ${budget.ms} ms` },
        }),
      );
    });
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
