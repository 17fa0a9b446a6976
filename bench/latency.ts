// What a user waits for: the time to upload 1 file and 50 files (6 at a time, a browser's connection
// limit per host) through the client library, across an emulated link with 0, 20 and 50 ms added
// round-trip time and a 100, 50 or 10 Mbit/s cap, beside bare presigned PUTs of the same files at the
// same parallelism over the same link (no signing request, no callback). Connections are warm: one
// upload of each kind goes first, untimed, at each setting. The budget (50 files at 50 ms within
// 1.3× the bare PUTs) is judged at 100 Mbit/s.

import { median } from './timing';
import { judge, type Row } from './report';
import { file, pool, putBare, type Rig, startRig, uploadOk } from './rig';
import type { Profile } from './timing';
import type { UploadMethod } from '../client';

const SIZE = 256 * 1024;
const PARALLEL = 6;
const BUDGET_RATIO = 1.3;

interface Setting {
  rttMs: number;
  mbps: number;
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

/** ms for our path and for bare PUTs of `files` files, the two taking turns `runs` times; medians. */
async function race(rig: Rig, method: UploadMethod | 'auto', files: number, runs: number, user: string): Promise<{ ours: number; bare: number }> {
  const session = await rig.session(user);
  const f = (i: number) => file(SIZE, `l-${i}.jpg`);
  const ours = (n: number) => pool(Array.from({ length: n }, (_, i) => () => uploadOk(session, f(i), { method })), PARALLEL);
  const bare = async (n: number) => {
    const urls = await rig.bareUrls(session, n, 'image/jpeg');
    return timed(() => pool(urls.map((url, i) => () => putBare(url, f(i))), PARALLEL));
  };
  // One of each first: the connections (and the user's credentials) are warm when timing starts.
  await ours(1);
  await bare(1);
  const o: number[] = [];
  const b: number[] = [];
  for (let r = 0; r < runs; r++) {
    o.push(await timed(() => ours(files)));
    b.push(await bare(files));
  }
  return { ours: median(o), bare: median(b) };
}

export async function latencyBench(profile: Profile): Promise<Row[]> {
  const settings: Setting[] = profile.quick
    ? [{ rttMs: 50, mbps: 100 }]
    : [0, 20, 50].flatMap((rttMs) => [100, 50, 10].map((mbps) => ({ rttMs, mbps })));
  const batch = profile.quick ? 10 : 50;
  const rig = await startRig();
  try {
    const rows: Row[] = [];
    for (const s of settings) {
      await rig.setLink(s);
      const at = `+${s.rttMs} ms, ${s.mbps} Mbit/s`;
      // The budget is judged at 100 Mbit/s, where round trips weigh most against the transfer; at 50
      // and 10 Mbit/s the transfer dominates both sides.
      const budgeted = s.rttMs === 50 && s.mbps === 100;
      // The client's default path for a small file is a PostObject form; a presigned PUT is shown
      // too where the budget applies, being the closest to the bare PUT it is set beside.
      const paths: (UploadMethod | 'auto')[] = s.rttMs === 50 ? ['auto', 'put'] : ['auto'];
      for (const method of paths) {
        const name = method === 'auto' ? 'form (the default)' : 'presigned PUT';
        const one = await race(rig, method, 1, profile.quick ? 2 : 5, `lat-${method}-${s.rttMs}-${s.mbps}`);
        rows.push(judge({ group: 'latency', name: `${at}: 1 file of 256 KiB, ${name} (median of ${profile.quick ? 2 : 5})`, value: one.ours, unit: 'ms', comparison: { name: 'a bare presigned PUT', value: one.bare } }));
        // Three batches where they take a second or two; at 10 Mbit/s one batch takes 10 s and varies little.
        const batchRuns = profile.quick || s.mbps === 10 ? 1 : 3;
        const many = await race(rig, method, batch, batchRuns, `lat-${method}-${s.rttMs}-${s.mbps}-batch`);
        rows.push(
          judge({
            group: 'latency',
            name: `${at}: ${batch} files of 256 KiB, ${PARALLEL} at a time, ${name}${batchRuns > 1 ? ` (median of ${batchRuns})` : ''}`,
            value: many.ours,
            unit: 'ms',
            comparison: { name: `${batch} bare presigned PUTs, ${PARALLEL} at a time`, value: many.bare },
            budget: budgeted ? { minRatio: 1 / BUDGET_RATIO, text: `≤ ${BUDGET_RATIO}× the bare PUTs' time (ratio ≥ ${(1 / BUDGET_RATIO).toFixed(2)})` } : undefined,
          }),
        );
      }
    }
    return rows;
  } finally {
    rig.stop();
  }
}
