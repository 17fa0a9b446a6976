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

/** The full ali-oss client, bundled as our functions are (proxy-agent is optional and not installed). */
async function aliOssBundle(dir: string): Promise<string> {
  const entry = join(dir, 'entry.js');
  const outfile = join(dir, 'ali-oss.js');
  writeFileSync(entry, "module.exports = require('ali-oss');\n");
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
  await run(join(ROOT, 'node_modules', '.bin', 'tsx'), [join(ROOT, 'scripts', 'build.ts')], { cwd: ROOT });
  const dir = mkdtempSync(join(tmpdir(), 'bench-ali-oss-'));
  try {
    const aliOss = await aliOssBundle(dir);
    const runs = profile.quick ? 3 : 7;
    const names = Object.keys(BUDGETS);
    const files = names.map((name) => join(ROOT, 'dist', name, 'index.js'));
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
