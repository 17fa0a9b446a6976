// A 200 MB object goes to disk and back as a stream: the process's memory stays flat while it
// uploads and downloads. Memory is sampled every 200 ms right after a full GC: "live" is the JS heap
// plus every Buffer still referenced (a body held in memory would show there), not garbage waiting
// for collection. RSS and V8's external figure (which includes native memory freed lazily after a
// GC) are reported beside it.

import { createHash } from 'node:crypto';
import { get, request } from 'node:http';
import { Readable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { objectUrl } from '../../shared/signer/url';
import { authorizeV4, presignV4 } from '../../shared/signer/v4';
import { BUCKET, REGION, startTestOss, type TestOss } from './local-oss-setup';

const SIZE = 200 * 1024 * 1024;
const MB = 1024 * 1024;
/** A server that held the body would grow by SIZE; streaming keeps a few chunks alive at a time. */
const LIVE_LIMIT = 16 * MB;
/** RSS also carries garbage and allocator slack, so its bound is looser, still far under SIZE. */
const RSS_LIMIT = 96 * MB;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

let t: TestOss;
beforeAll(async () => {
  t = await startTestOss();
});
afterAll(() => t.close());

function patterned(size: number, tap: (c: Buffer) => void): Readable {
  const chunk = Buffer.alloc(MB);
  for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 7 + 3) & 0xff;
  let left = size;
  return new Readable({
    read() {
      if (left === 0) return this.push(null);
      const c = chunk.subarray(0, Math.min(left, MB));
      left -= c.length;
      tap(c);
      this.push(c);
    },
  });
}

interface Peak {
  rss: number;
  /** Heap plus Buffer memory alive after a full GC. */
  live: number;
  external: number;
}

/** Memory after a full GC, and again once the native memory it released has been freed. */
async function measure(): Promise<Peak> {
  gc();
  await new Promise((r) => setImmediate(r));
  gc();
  const m = process.memoryUsage();
  return { rss: m.rss, live: m.heapUsed + m.arrayBuffers, external: m.external };
}

/** Sample memory while `work` runs; returns its result, the starting point and the peaks. */
async function sampled<T>(work: () => Promise<T>): Promise<{ result: T; base: Peak; peak: Peak; samples: number }> {
  const base = await measure();
  const peak = { ...base };
  let samples = 0;
  let running = true;
  const sampler = (async () => {
    while (running) {
      const m = await measure();
      peak.rss = Math.max(peak.rss, m.rss);
      peak.live = Math.max(peak.live, m.live);
      peak.external = Math.max(peak.external, m.external);
      samples++;
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  try {
    const result = await work();
    running = false;
    await sampler;
    return { result, base, peak, samples };
  } finally {
    running = false;
  }
}

function put(key: string, body: Readable): Promise<number> {
  const auth = authorizeV4({ method: 'PUT', bucket: BUCKET, key, query: [], headers: { 'content-type': 'application/octet-stream' } }, t.alice, REGION, new Date());
  const url = objectUrl({ endpoint: t.oss.url, pathStyle: true }, BUCKET, key);
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'PUT', headers: { 'content-type': 'application/octet-stream', 'content-length': SIZE, ...auth.headers } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    body.pipe(req);
  });
}

const mb = (n: number) => `${(n / MB).toFixed(1)} MB`;

it('uploads and downloads 200 MB with flat memory', async () => {
  const key = 'users/alice/200mb.bin';
  const sent = createHash('md5');
  const up = await sampled(() => put(key, patterned(SIZE, (c) => sent.update(c))));
  expect(up.result).toBe(200);

  const received = createHash('md5');
  const signed = presignV4({ method: 'GET', bucket: BUCKET, key, query: [], headers: {} }, t.alice, REGION, new Date(), 60);
  const down = await sampled(
    () =>
      new Promise<number>((resolve, reject) => {
        let bytes = 0;
        get(objectUrl({ endpoint: t.oss.url, pathStyle: true }, BUCKET, key, signed.query), (res) => {
          res.on('data', (c: Buffer) => {
            bytes += c.length;
            received.update(c);
          });
          res.on('end', () => resolve(bytes));
        }).on('error', reject);
      }),
  );
  expect(down.result).toBe(SIZE);
  expect(received.digest('hex')).toBe(sent.digest('hex'));

  const report = (name: string, s: { base: Peak; peak: Peak }) =>
    [
      `${name}: live ${mb(s.base.live)} → peak ${mb(s.peak.live)} (+${mb(s.peak.live - s.base.live)})`,
      `rss ${mb(s.base.rss)} → peak ${mb(s.peak.rss)} (+${mb(s.peak.rss - s.base.rss)})`,
      `external ${mb(s.base.external)} → peak ${mb(s.peak.external)} (+${mb(s.peak.external - s.base.external)})`,
    ].join('; ');
  console.log(`local OSS, ${mb(SIZE)} object (${up.samples} and ${down.samples} samples)\n${report('upload', up)}\n${report('download', down)}`);

  for (const s of [up, down]) {
    expect(s.samples).toBeGreaterThanOrEqual(3);
    expect(s.peak.live - s.base.live).toBeLessThan(LIVE_LIMIT);
    expect(s.peak.rss - s.base.rss).toBeLessThan(RSS_LIMIT);
  }
}, 60_000);
