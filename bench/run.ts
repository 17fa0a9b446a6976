// `npm run bench [-- --quick] [-- --only=signing,bundles] [-- --markdown]`: runs each group, prints one
// table and writes bench/results.json. Exits 0 when a budget falls short (CI checks that the harness
// works, not the speed of its machine) but not when a group fails to run.

import { join } from 'node:path';
import { setLogSink } from '../shared/log';
import { bundlesBench } from './bundles';
import { callbackBench } from './callback';
import { connectionsBench } from './connections';
import { firstResponseBench } from './first-response';
import { flowBench } from './flow';
import { handlersBench } from './handlers';
import { latencyBench } from './latency';
import { loadBench } from './load';
import { partsBench } from './parts';
import { commit, machine, markdownTable, type Results, type Row, summary, textTable, writeResults } from './report';
import { scopedBench } from './scoped';
import { signingBench } from './signing';
import { stsQuotaBench } from './sts-quota';
import type { Profile } from './timing';
import { throughputBench } from './throughput';
import { tokenBench } from './token';

const GROUPS: Record<string, (profile: Profile) => Promise<Row[]>> = {
  signing: signingBench,
  callback: callbackBench,
  connections: connectionsBench,
  flow: flowBench,
  latency: latencyBench,
  handlers: handlersBench,
  scoped: scopedBench,
  token: tokenBench,
  bundles: bundlesBench,
  'first-response': firstResponseBench,
  load: loadBench,
  parts: partsBench,
  throughput: throughputBench,
  'sts-quota': stsQuotaBench,
};

function parseArgs(argv: string[]) {
  const only = argv.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',');
  const unknown = only?.filter((g) => !(g in GROUPS)) ?? [];
  if (unknown.length) throw new Error(`unknown group(s) ${unknown.join(', ')}; groups: ${Object.keys(GROUPS).join(', ')}`);
  return { quick: argv.includes('--quick'), markdown: argv.includes('--markdown'), groups: only ?? Object.keys(GROUPS) };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const profile: Profile = { quick: args.quick };
  // Handlers write one log line per request; the line is still built, only not written to stdout.
  setLogSink(() => {});
  const results: Results = { date: new Date().toISOString(), quick: args.quick, commit: commit(), machine: machine(), rows: [], skipped: [] };
  let failed = false;
  for (const group of args.groups) {
    const started = Date.now();
    process.stderr.write(`bench: ${group}…`);
    try {
      results.rows.push(...(await GROUPS[group](profile)));
      process.stderr.write(` ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    } catch (err) {
      failed = true;
      const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
      results.skipped.push({ group, reason });
      process.stderr.write(` failed: ${reason}\n`);
    }
  }
  const m = results.machine;
  console.log(`\n${args.quick ? 'QUICK RUN, not for judging. ' : ''}${m.cpu}, ${m.cores} cores, Node ${m.node}, load ${m.loadAverage.toFixed(2)} at start\n`);
  console.log(args.markdown ? markdownTable(results.rows) : textTable(results.rows));
  console.log(`\n${summary(results)}`);
  writeResults(join(__dirname, 'results.json'), results);
  if (failed) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
