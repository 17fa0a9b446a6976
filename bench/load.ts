// The local runtime under load: autocannon against /api/sign (a presigned PUT per request, JWT
// verified) beside a bare Node HTTP server answering a fixed body, each in its own process so the
// load generator does not share their event loop.

import { fork } from 'node:child_process';
import { join } from 'node:path';
import { UPLOAD_REQUEST } from './fixtures';
import type { Ready } from './load-server';
import { judge, type Row } from './report';
import type { Profile } from './timing';

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  errors: number;
  timeouts: number;
  non2xx: number;
}
type Autocannon = (opts: Record<string, unknown>) => Promise<AutocannonResult>;

const CONNECTIONS = 64;

async function underLoad(mode: 'runtime' | 'bare', seconds: number, quick: boolean): Promise<AutocannonResult> {
  const child = fork(join(__dirname, 'load-server.ts'), [mode], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  try {
    const ready = await new Promise<Ready>((resolve, reject) => {
      child.once('message', (m) => resolve(m as Ready));
      child.once('exit', (code) => reject(new Error(`the ${mode} server exited (${code}) before it was ready`)));
    });
    const autocannon = require('autocannon') as Autocannon;
    const run = (duration: number) =>
      autocannon({
        url: ready.url,
        method: 'POST',
        connections: CONNECTIONS,
        duration,
        headers: { 'content-type': 'application/json', ...(ready.token ? { authorization: `Bearer ${ready.token}` } : {}) },
        body: JSON.stringify({ op: 'put', ...UPLOAD_REQUEST }),
      });
    // A fresh process compiles its hot paths during the first requests; that second is not reported
    // (skipped in a quick run, which only checks that the harness works).
    if (!quick) await run(1);
    return await run(seconds);
  } finally {
    child.disconnect();
  }
}

export async function loadBench(profile: Profile): Promise<Row[]> {
  const seconds = profile.quick ? 2 : 10;
  const ours = await underLoad('runtime', seconds, profile.quick);
  const bare = await underLoad('bare', seconds, profile.quick);
  const label = `/api/sign, ${CONNECTIONS} connections, ${seconds} s`;
  const failures = ours.errors + ours.timeouts + ours.non2xx;
  return [
    judge({
      group: 'load',
      name: `${label}: requests per second`,
      value: ours.requests.average,
      unit: 'req/s',
      higherIsBetter: true,
      comparison: { name: 'bare Node HTTP server', value: bare.requests.average },
    }),
    judge({ group: 'load', name: `${label}: p50 latency`, value: ours.latency.p50, unit: 'ms', comparison: { name: 'bare Node HTTP server', value: bare.latency.p50 } }),
    judge({ group: 'load', name: `${label}: p99 latency`, value: ours.latency.p99, unit: 'ms', comparison: { name: 'bare Node HTTP server', value: bare.latency.p99 } }),
    judge({
      group: 'load',
      name: `${label}: errors, timeouts and non-2xx of ${ours.requests.total.toLocaleString('en-US')}`,
      value: failures,
      unit: 'requests',
      budget: { max: 0, text: '0' },
    }),
  ];
}
