// What one upload costs, counted where it is received: for each upload path of the client library
// (a PostObject form, a presigned PUT, multipart), one file and a batch of 50 (6 at a time, as a
// browser's connection limit per host allows), the requests the client sends (to the gateway and to
// OSS), the function invocations (at the local gateway, the OSS event included), the requests the
// functions make (HeadObject, webhook, AssumeRole) and the connections opened for them.

import type { UploadMethod } from '../client';
import { judge, type Row } from './report';
import { file, pool, type Rig, startRig, uploadOk } from './rig';
import type { Counts } from './runtime-child';
import type { Profile } from './timing';

const SMALL = 256 * 1024;
/** Just over the client's multipart threshold (8 MiB). */
const MULTIPART = 9 * 1024 * 1024;
const PARALLEL = 6;

interface Measured {
  counts: Counts;
  /** Connections the link accepted: [gateway, OSS]. */
  connections: number[];
}

async function measure(rig: Rig, method: UploadMethod, files: number): Promise<Measured> {
  const session = await rig.session(`flow-${method}-${files}`);
  await rig.runtime.call('reset');
  const before = await rig.link.call('connections');
  const size = method === 'multipart' ? MULTIPART : SMALL;
  const type = method === 'multipart' ? 'application/pdf' : 'image/jpeg';
  await pool(
    Array.from({ length: files }, (_, i) => () => uploadOk(session, file(size, `f-${i}.${method === 'multipart' ? 'pdf' : 'jpg'}`, type), { method })),
    PARALLEL,
  );
  const counts = await rig.countsAfter(files);
  if (counts.invocations.ossEvent !== files || counts.invocations.callback !== files) {
    throw new Error(`${files} ${method} uploads: ${counts.invocations.callback} callbacks and ${counts.invocations.ossEvent} OSS events`);
  }
  const after = await rig.link.call('connections');
  return { counts, connections: after.map((n, i) => n - before[i]) };
}

const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);
const perFile = (n: number, files: number) => Math.round((n / files) * 100) / 100;
/** `name n` pairs, per file, for the figure's name. */
function breakdown(parts: Record<string, number>, files: number): string {
  return Object.entries(parts)
    .filter(([, n]) => n > 0)
    .map(([name, n]) => `${name} ${perFile(n, files)}`)
    .join(', ');
}

function rows(method: UploadMethod, files: number, m: Measured): Row[] {
  const { counts } = m;
  const label = `${method}${method === 'multipart' ? ' (9 MiB)' : ' (256 KiB)'}, ${files === 1 ? '1 file' : `${files} files, ${PARALLEL} at a time`}`;
  const client = { token: counts.invocations.token, sign: counts.invocations.sign, ...Object.fromEntries(Object.entries(counts.oss).filter(([op]) => op !== 'HeadObject' && op !== 'DeleteObject')) };
  const invocations = { token: counts.invocations.token, sign: counts.invocations.sign, callback: counts.invocations.callback, 'OSS event': counts.invocations.ossEvent };
  const fromFunctions = { HeadObject: counts.oss.HeadObject ?? 0, DeleteObject: counts.oss.DeleteObject ?? 0, webhook: counts.webhook.deliveries, AssumeRole: counts.sts };
  const out = [
    judge({
      group: 'flow',
      name: `${label}: client requests per file (${breakdown(client, files)})`,
      value: perFile(sum(client), files),
      unit: 'requests',
      comparison: { name: 'a bare presigned PUT', value: 1 },
    }),
    judge({ group: 'flow', name: `${label}: invocations per file (${breakdown(invocations, files)})`, value: perFile(sum(invocations), files), unit: 'invocations' }),
    judge({ group: 'flow', name: `${label}: the functions' own requests per file (${breakdown(fromFunctions, files)})`, value: perFile(sum(fromFunctions), files), unit: 'requests' }),
  ];
  if (files > 1) {
    const [gateway, oss] = m.connections;
    out.push(
      judge({
        group: 'flow',
        name: `${label}: connections opened (client to gateway ${gateway}, to OSS ${oss}; callback function to OSS ${counts.callbackOssConnections}, to webhook ${counts.webhook.connections})`,
        value: gateway + oss + counts.callbackOssConnections + counts.webhook.connections,
        unit: 'connections',
      }),
    );
  }
  return out;
}

export async function flowBench(profile: Profile): Promise<Row[]> {
  const batch = profile.quick ? 5 : 50;
  const rig = await startRig({ UPLOAD_MAX_SIZE: String(64 * 1024 * 1024) });
  try {
    const out: Row[] = [];
    let putBatch: Measured | undefined;
    for (const method of ['post', 'put', 'multipart'] as const) {
      for (const files of [1, batch]) {
        const m = await measure(rig, method, files);
        if (method === 'put' && files === batch) putBatch = m;
        out.push(...rows(method, files, m));
      }
    }
    // The same batch with the second webhook delivery skipped by id (one runtime: every report of an
    // upload reaches the same instance, the best case for a per-instance memory).
    await rig.runtime.call('reconfigure', { WEBHOOK_SKIP_DUPLICATES: 'true' });
    const skipped = await measure(rig, 'put', batch);
    out.push(
      judge({
        group: 'flow',
        name: `put (256 KiB), ${batch} files: webhook deliveries per file with WEBHOOK_SKIP_DUPLICATES=true (HeadObject per file still ${perFile(skipped.counts.oss.HeadObject ?? 0, batch)})`,
        value: perFile(skipped.counts.webhook.deliveries, batch),
        unit: 'deliveries',
        comparison: { name: 'the default', value: perFile(putBatch!.counts.webhook.deliveries, batch) },
      }),
    );
    return out;
  } finally {
    rig.stop();
  }
}
