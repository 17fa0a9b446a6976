// Multipart part size and parallelism, chosen by measurement: multipart uploads through the client
// library (ali-oss) at 0, 20 and 50 ms added round-trip time and 100, 50 and 10 Mbit/s, at 50 ms
// without a cap, and on bare loopback, for a set of (part size × parts in flight), the client's default for the file's size
// among them. Each is set beside the old default (1 MiB parts, ali-oss's 5 in flight) in the same
// run. What an interrupted upload loses is what was in flight: part size × parallel.
//
// The local OSS computes CRC-64 in JavaScript, on each part and again over the whole object at
// CompleteMultipartUpload, so every multipart upload here pays a fixed cost OSS does not; it weighs
// the same on every configuration, so the comparison between them holds.

import { multipartPlan } from '../client/multipart';
import { judge, type Row } from './report';
import { file, type Rig, startRig, uploadOk } from './rig';
import { median, type Profile } from './timing';

const MiB = 1024 * 1024;

interface Config {
  partSize: number;
  parallel: number;
}

interface Condition {
  /** Undefined: straight to the local OSS, no link. */
  link?: { rttMs: number; mbps: number };
  /** Bytes of the file, so one upload takes a few seconds at the cap. */
  size: number;
}

const OLD_DEFAULT: Config = { partSize: MiB, parallel: 5 };
const CANDIDATES: Config[] = [
  { partSize: 2 * MiB, parallel: 4 },
  { partSize: 4 * MiB, parallel: 4 },
  { partSize: 8 * MiB, parallel: 2 },
  { partSize: 8 * MiB, parallel: 4 },
  { partSize: 8 * MiB, parallel: 6 },
];

const describe = (c: Config) => `${c.partSize / MiB} MiB × ${c.parallel}`;
const same = (a: Config, b: Config) => a.partSize === b.partSize && a.parallel === b.parallel;

function conditions(quick: boolean): Condition[] {
  if (quick) return [{ link: { rttMs: 50, mbps: 100 }, size: 12 * MiB }];
  const sizeAt: Record<number, number> = { 100: 32 * MiB, 50: 16 * MiB, 10: 12 * MiB };
  return [
    { size: 64 * MiB },
    // Latency without a cap: what part sizes look like when bandwidth is taken to be infinite.
    { link: { rttMs: 50, mbps: 0 }, size: 64 * MiB },
    ...[0, 20, 50].flatMap((rttMs) => [100, 50, 10].map((mbps) => ({ link: { rttMs, mbps }, size: sizeAt[mbps] }))),
  ];
}

/** Mbit/s of each configuration uploading one file, the configurations taking turns `runs` times; medians. */
async function sweep(rig: Rig, size: number, configs: Config[], runs: number): Promise<number[]> {
  const session = await rig.session('parts');
  const f = file(size, 'parts.pdf', 'application/pdf');
  const mbps: number[][] = configs.map(() => []);
  for (let r = 0; r < runs; r++) {
    for (let i = 0; i < configs.length; i++) {
      const started = performance.now();
      await uploadOk(session, f, { method: 'multipart', ...configs[i] });
      mbps[i].push((size * 8) / ((performance.now() - started) * 1000));
    }
  }
  return mbps.map(median);
}

export async function partsBench(profile: Profile): Promise<Row[]> {
  const rig = await startRig({ UPLOAD_MAX_SIZE: String(128 * MiB) });
  try {
    const { ossUrl } = await rig.runtime.call('info');
    const [, linkOss] = await rig.link.call('urls');
    const rows: Row[] = [];
    for (const c of conditions(profile.quick)) {
      await rig.runtime.call('reconfigure', { OSS_ENDPOINT: c.link ? linkOss : ossUrl });
      if (c.link) await rig.setLink(c.link);
      const chosen = multipartPlan(c.size);
      // At 10 Mbit/s every configuration runs at the cap; the old default, the choice and the largest suffice there.
      const candidates = profile.quick || c.link?.mbps === 10 ? [{ partSize: 8 * MiB, parallel: 4 }] : CANDIDATES;
      const configs = [OLD_DEFAULT, chosen, ...candidates.filter((x) => !same(x, chosen))];
      const results = await sweep(rig, c.size, configs, profile.quick ? 1 : 2);
      const at = c.link ? `+${c.link.rttMs} ms, ${c.link.mbps ? `${c.link.mbps} Mbit/s` : 'no cap'}` : 'loopback, no link';
      configs.slice(1).forEach((config, i) => {
        rows.push(
          judge({
            group: 'parts',
            name: `${at}, ${c.size / MiB} MiB file: ${describe(config)}${i === 0 ? ' (the default for this size)' : ''}, ${(config.partSize * config.parallel) / MiB} MiB in flight`,
            value: results[i + 1],
            unit: 'Mbit/s',
            higherIsBetter: true,
            comparison: { name: `old default ${describe(OLD_DEFAULT)}`, value: results[0] },
          }),
        );
      });
    }
    return rows;
  } finally {
    rig.stop();
  }
}
