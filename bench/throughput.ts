// Large files on loopback, with no link in the way: 200 MB through the client library by presigned
// PUT and by multipart (the client's default parts for the size), each with its signing request and
// upload callback, beside raw TCP to a sink in the local OSS's process (the most this machine moves
// between the two processes). The three take turns; medians of three.

import { connect } from 'node:net';
import { multipartPlan } from '../client/multipart';
import { judge, type Row } from './report';
import { file, startRig, uploadOk } from './rig';
import { median, type Profile } from './timing';

const MB = 1_000_000;
const MiB = 1024 * 1024;

/** ms to send `bytes` over one new TCP connection to `port` and hear back that all arrived. */
function rawTcp(port: number, bytes: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = connect(port, '127.0.0.1');
    const chunk = Buffer.alloc(MiB, 7);
    let sent = 0;
    const pump = () => {
      while (sent < bytes) {
        const n = Math.min(chunk.length, bytes - sent);
        sent += n;
        if (!socket.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return socket.once('drain', pump);
      }
      socket.end();
    };
    socket.on('connect', pump);
    socket.on('data', () => {});
    socket.on('end', () => resolve(performance.now() - started));
    socket.on('error', reject);
  });
}

export async function throughputBench(profile: Profile): Promise<Row[]> {
  const size = profile.quick ? 32 * MiB : 200 * MB;
  const runs = profile.quick ? 1 : 3;
  const rig = await startRig({ UPLOAD_MAX_SIZE: String(256 * MiB) });
  try {
    const { ossUrl } = await rig.runtime.call('info');
    await rig.runtime.call('reconfigure', { OSS_ENDPOINT: ossUrl });
    const sink = await rig.runtime.call('sinkPort');
    const session = await rig.session('throughput');
    const f = file(size, 'large.pdf', 'application/pdf');
    const timed = async (work: () => Promise<unknown>) => {
      const started = performance.now();
      await work();
      return performance.now() - started;
    };
    const times = { tcp: [] as number[], put: [] as number[], multipart: [] as number[] };
    for (let r = 0; r < runs; r++) {
      times.tcp.push(await rawTcp(sink, size));
      times.put.push(await timed(() => uploadOk(session, f, { method: 'put' })));
      times.multipart.push(await timed(() => uploadOk(session, f, { method: 'multipart' })));
    }
    const rate = (ms: number) => size / MB / (ms / 1000);
    const [tcp, put, multipart] = [median(times.tcp), median(times.put), median(times.multipart)];
    const plan = multipartPlan(size);
    const label = `${Math.round(size / MB)} MB`;
    return [
      judge({
        group: 'throughput',
        name: `${label} by presigned PUT through the client (sign, PUT, callback; median of ${runs})`,
        value: rate(put),
        unit: 'MB/s',
        higherIsBetter: true,
        comparison: { name: 'raw loopback TCP', value: rate(tcp) },
      }),
      judge({
        group: 'throughput',
        name: `${label} by multipart through the client (${plan.partSize / MiB} MiB × ${plan.parallel}, the default; median of ${runs})`,
        value: rate(multipart),
        unit: 'MB/s',
        higherIsBetter: true,
        comparison: { name: 'one presigned PUT of the same bytes', value: rate(put) },
        budget: { minRatio: 0.9, text: '≥ 0.9× one PUT' },
      }),
    ];
  } finally {
    rig.stop();
  }
}
