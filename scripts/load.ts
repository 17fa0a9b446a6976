// `npm run load`: 10,000 mixed requests at 64 concurrent connections against the local runtime,
// which runs in its own process (with --expose-gc, so its heap is measured after a full GC). The mix
// is what an app's clients and the internet send: token requests (cache hits), presigned PUT, GET
// and PostObject forms, and forged callbacks (unsigned: 400; wrongly signed: 403). Every answer must
// have its kind's status; the runtime's heap must not grow; its log lines must hold no secret.
//
//   npm run load                  10,000 requests, 64 connections
//   npm run load -- 20000 128     other amounts
//
// Exit status 1 when a request failed, got an unexpected status, a log line leaked, or the heap grew
// by more than HEAP_GROWTH_LIMIT between the two halves of the run.

import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { startLocalRuntime } from '../local/runtime';
import { setLogSink } from '../shared/log';
import { findLeaks } from './log-leaks';

const OSS_KEY_URL = Buffer.from('https://gosspublic.alicdn.com/callback_pub_key_v1.pem').toString('base64');
/** After a full GC, the heap may differ by this much between the middle and the end of the run. */
export const HEAP_GROWTH_LIMIT = 4 * 1024 * 1024;

export interface Target {
  url: string;
  jwt: string;
  user: string;
}

export interface Kind {
  name: string;
  expected: number;
  method: 'POST';
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** One round of the mix; autocannon runs it in order on every connection, over and over. */
export function requestMix(t: Target): Kind[] {
  const json = { 'content-type': 'application/json', authorization: `Bearer ${t.jwt}` };
  const callbackBody = JSON.stringify({ bucket: 'local-uploads', object: `users/${t.user}/x.txt`, etag: 'E', size: 1, mimeType: 'text/plain' });
  return [
    { name: 'token (cache hit)', expected: 200, method: 'POST', path: '/api/token', headers: json, body: '{"access":"upload"}' },
    { name: 'sign put', expected: 200, method: 'POST', path: '/api/sign', headers: json, body: '{"op":"put","contentType":"text/plain","size":100}' },
    { name: 'sign get', expected: 200, method: 'POST', path: '/api/sign', headers: json, body: `{"op":"get","key":"users/${t.user}/x.txt"}` },
    { name: 'sign post', expected: 200, method: 'POST', path: '/api/sign', headers: json, body: '{"op":"post","contentType":"text/plain"}' },
    { name: 'callback, unsigned', expected: 400, method: 'POST', path: '/api/callback', headers: { 'content-type': 'application/json', 'x-oss-pub-key-url': OSS_KEY_URL }, body: callbackBody },
    {
      name: 'callback, wrongly signed',
      expected: 403,
      method: 'POST',
      path: '/api/callback',
      headers: { 'content-type': 'application/json', 'x-oss-pub-key-url': OSS_KEY_URL, authorization: randomBytes(256).toString('base64') },
      body: callbackBody,
    },
  ];
}

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; max: number };
  errors: number;
  timeouts: number;
  duration: number;
}
type Autocannon = (opts: Record<string, unknown>) => Promise<AutocannonResult>;

export interface MixResult {
  /** Answers per kind and status. */
  statuses: Record<string, Record<number, number>>;
  /** Answers whose status was not their kind's. */
  unexpected: number;
  errors: number;
  timeouts: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p99: number; max: number };
}

/** Run `amount` requests of the mix over `connections` keep-alive connections. */
export async function runMix(t: Target, amount: number, connections: number): Promise<MixResult> {
  const autocannon = require('autocannon') as Autocannon;
  const statuses: MixResult['statuses'] = {};
  let unexpected = 0;
  const requests = requestMix(t).map(({ name, expected, ...request }) => ({
    ...request,
    onResponse(status: number) {
      statuses[name] ??= {};
      statuses[name][status] = (statuses[name][status] ?? 0) + 1;
      if (status !== expected) unexpected++;
    },
  }));
  const r = await autocannon({ url: t.url, connections, amount, requests, timeout: 10 });
  return {
    statuses,
    unexpected,
    errors: r.errors,
    timeouts: r.timeouts,
    requestsPerSecond: r.requests.average,
    latencyMs: { p50: r.latency.p50, p99: r.latency.p99, max: r.latency.max },
  };
}

// ---------------------------------------------------------------------------------------------
// The runtime's process: answers `memory` (after a full GC) and `leaks` over IPC.

interface Memory {
  rss: number;
  heapUsed: number;
  external: number;
}
type Reply = { ready: Target } | { memory: Memory } | { leaks: { lines: number; leaks: string[] } };

async function serve(): Promise<void> {
  let lines = 0;
  const leaks: string[] = [];
  setLogSink((line) => {
    lines++;
    leaks.push(...findLeaks([line]));
  });
  const rt = await startLocalRuntime();
  const user = 'load-alice';
  const target = { url: rt.appUrl.replace('localhost', '127.0.0.1'), jwt: await rt.login(user), user };
  const send = (reply: Reply) => process.send?.(reply);
  process.on('message', (m) => {
    if (m === 'memory') {
      (globalThis as { gc?: () => void }).gc?.();
      const { rss, heapUsed, external } = process.memoryUsage();
      send({ memory: { rss, heapUsed, external } });
    } else if (m === 'leaks') send({ leaks: { lines, leaks } });
  });
  process.on('disconnect', () => rt.stop().then(() => process.exit(0)));
  send({ ready: target });
}

// ---------------------------------------------------------------------------------------------

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;

async function drive(amount: number, connections: number): Promise<boolean> {
  const child = fork(__filename, ['serve'], { execArgv: ['--expose-gc', '--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ask = <T>(message: string, pick: (r: Reply) => T | undefined): Promise<T> =>
    new Promise((resolve, reject) => {
      const onMessage = (r: Reply) => {
        const value = pick(r);
        if (value !== undefined) {
          child.off('message', onMessage);
          resolve(value);
        }
      };
      child.on('message', onMessage);
      child.once('exit', (code) => reject(new Error(`the runtime exited (${code})`)));
      if (message) child.send(message);
    });
  try {
    const target = await ask('', (r) => ('ready' in r ? r.ready : undefined));
    const memory = () => ask('memory', (r) => ('memory' in r ? r.memory : undefined));
    // A fresh process compiles its hot paths and fills its caches during its first requests.
    await runMix(target, 1000, connections);
    const before = await memory();
    const first = await runMix(target, amount / 2, connections);
    const middle = await memory();
    const second = await runMix(target, amount / 2, connections);
    const after = await memory();
    const audit = await ask('leaks', (r) => ('leaks' in r ? r.leaks : undefined));

    const statuses: MixResult['statuses'] = {};
    for (const half of [first, second]) {
      for (const [kind, counts] of Object.entries(half.statuses)) {
        for (const [status, n] of Object.entries(counts)) (statuses[kind] ??= {})[Number(status)] = (statuses[kind][Number(status)] ?? 0) + n;
      }
    }
    const total = Object.values(statuses).reduce((sum, counts) => sum + Object.values(counts).reduce((a, b) => a + b, 0), 0);
    const failures = first.unexpected + second.unexpected + first.errors + second.errors + first.timeouts + second.timeouts;
    const growth = after.heapUsed - middle.heapUsed;
    console.log(`${total} requests (after 1000 to warm up), ${connections} connections`);
    for (const [kind, counts] of Object.entries(statuses)) console.log(`  ${kind.padEnd(26)} ${Object.entries(counts).map(([s, n]) => `${s}: ${n}`).join(', ')}`);
    console.log(`unexpected statuses: ${first.unexpected + second.unexpected}, errors: ${first.errors + second.errors}, timeouts: ${first.timeouts + second.timeouts}`);
    console.log(`throughput: ${Math.round((first.requestsPerSecond + second.requestsPerSecond) / 2)} req/s; latency p50 ${first.latencyMs.p50}/${second.latencyMs.p50} ms, p99 ${first.latencyMs.p99}/${second.latencyMs.p99} ms (first/second half)`);
    console.log(`runtime memory after a full GC: before ${mb(before.heapUsed)} heap / ${mb(before.rss)} RSS; middle ${mb(middle.heapUsed)} / ${mb(middle.rss)}; end ${mb(after.heapUsed)} / ${mb(after.rss)}`);
    console.log(`heap growth over the second half: ${mb(growth)} (limit ${mb(HEAP_GROWTH_LIMIT)}); over the run: ${mb(after.heapUsed - before.heapUsed)}`);
    console.log(`log lines: ${audit.lines}, lines holding a secret: ${audit.leaks.length}`);
    for (const leak of audit.leaks.slice(0, 5)) console.log(leak);
    return failures === 0 && growth < HEAP_GROWTH_LIMIT && audit.leaks.length === 0;
  } finally {
    child.disconnect();
  }
}

if (require.main === module) {
  if (process.argv[2] === 'serve') {
    serve().catch((err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    });
  } else {
    const amount = Number(process.argv[2] ?? 10_000);
    const connections = Number(process.argv[3] ?? 64);
    drive(amount, connections).then(
      (ok) => process.exit(ok ? 0 : 1),
      (err: unknown) => {
        console.error(err instanceof Error ? err.message : err);
        process.exit(1);
      },
    );
  }
}
