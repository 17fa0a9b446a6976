// What a cold start costs the user: the time from starting a fresh `node` process to the function's
// first response, so Node's boot, require() of the bundle and the first invocation's lazy work
// (jose's key import, the first connection to OSS or STS, the token function's AssumeRole to the
// local STS) all count. Beside it, in the same run: an empty handler bundled the same way (the floor
// of any function) and the same function bundled with the full ali-oss client (what a function built
// on the SDK would load); and, since every function calls out before it answers (AssumeRole for the
// caller's scope, the callback's HeadObject), an empty handler that makes one request. Beside the
// times, the CPU each process used to its first response (user + system, every thread): on a machine
// other work shares, waiting for a core inflates the times, not the CPU. The local OSS and STS the
// functions reach run in this process, idle while a child runs. Eleven runs, the bundles taking
// turns; the figure is the median.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { httpEvent } from '../local/fc-event';
import type { FcContext } from '../shared/http/event';
import { bundleSource, buildFunctions } from './bundles';
import { callbackBody, OSS_PUB_KEY_URL_HEADER, signCallback, UPLOAD_REQUEST } from './fixtures';
import { judge, type Row } from './report';
import { type BenchServices, startBenchServices } from './services';
import { median, type Profile } from './timing';

const FUNCTIONS = ['token', 'sign', 'callback'] as const;
const BUDGET_RATIO = 1.35;
const ROOT = join(__dirname, '..');

/**
 * The floor of a function that must call out before it answers (the callback's HeadObject, the
 * AssumeRole of the token and sign functions): an empty handler making one request with node:http,
 * a new connection and a DNS lookup of the endpoint's name included.
 */
const ONE_REQUEST_HANDLER = `
const http = require('node:http');
const agent = new http.Agent({ keepAlive: true });
exports.handler = () => new Promise((resolve, reject) => {
  const req = http.request(process.env.OSS_INTERNAL_ENDPOINT + '/', { method: 'HEAD', agent }, (res) => {
    res.resume();
    res.on('end', () => resolve({ statusCode: 200, headers: { 'Content-Type': 'application/json' }, body: '{}' }));
  });
  req.on('error', reject);
  req.end();
});
`;

interface Invocation {
  event: Buffer;
  context: FcContext;
}

// Run in the child: require the bundle, invoke it once, report the status and the process's CPU so
// far (ms) on stderr (stdout carries the handler's log line).
const CHILD = `
const input = JSON.parse(require('fs').readFileSync(process.argv[2], 'utf8'));
const { handler } = require(process.argv[1]);
Promise.resolve(handler(Buffer.from(input.event, 'base64'), input.context)).then(
  (r) => {
    const cpu = process.cpuUsage();
    process.stderr.write('\\n@@' + JSON.stringify({ status: r.statusCode, cpuMs: (cpu.user + cpu.system) / 1000 }) + '\\n', () => process.exit(0));
  },
  (e) => process.stderr.write('\\n@@' + JSON.stringify({ error: String(e) }) + '\\n', () => process.exit(1)),
);
`;

/** ms from spawning `node` to the first response of `bundle`, and the CPU ms the process used to it; throws unless it answered 200. */
function firstResponse(bundle: string, inputFile: string, env: Record<string, string>): Promise<{ ms: number; cpuMs: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['-e', CHILD, bundle, inputFile], { cwd: tmpdir(), env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
      const m = /\n@@(.*)\n/.exec(err);
      if (!m) return;
      const ms = performance.now() - started;
      const result = JSON.parse(m[1]) as { status?: number; cpuMs?: number; error?: string };
      if (result.status === 200) resolve({ ms, cpuMs: result.cpuMs ?? NaN });
      else reject(new Error(`${bundle} answered ${result.status ?? result.error}`));
    });
    child.on('exit', (code) => {
      if (!/\n@@/.test(err)) reject(new Error(`${bundle} exited (${code}) without answering: ${err.slice(0, 300)}`));
    });
  });
}

/** A first event each function answers 200: a token and a PUT URL for a user, a callback for a stored object. */
async function invocations(services: BenchServices): Promise<Record<(typeof FUNCTIONS)[number], Invocation>> {
  const jwt = await services.jwt('alice');
  const key = 'users/alice/bench/cold-start.jpg';
  const bytes = Buffer.alloc(2048, 3);
  const etag = await services.putObject(key, bytes, 'image/jpeg');
  const body = callbackBody({ key, etag, size: bytes.length, mimeType: 'image/jpeg' });
  return {
    token: { event: httpEvent({ path: '/token', headers: { Authorization: `Bearer ${jwt}` }, body: { access: 'upload' } }), context: services.context('token') },
    sign: { event: httpEvent({ path: '/sign', headers: { Authorization: `Bearer ${jwt}` }, body: { op: 'put', ...UPLOAD_REQUEST } }), context: services.context('sign') },
    callback: {
      event: httpEvent({
        path: '/callback',
        headers: { Authorization: signCallback(services.callbackKey, '/callback', body), 'x-oss-pub-key-url': OSS_PUB_KEY_URL_HEADER, 'Content-Type': 'application/json' },
        body,
      }),
      context: services.context('callback'),
    },
  };
}

export async function firstResponseBench(profile: Profile): Promise<Row[]> {
  const built = await buildFunctions();
  const dir = mkdtempSync(join(tmpdir(), 'bench-first-response-'));
  const services = await startBenchServices();
  try {
    const empty = await bundleSource(dir, 'empty', "exports.handler = async () => ({ statusCode: 200, headers: { 'Content-Type': 'application/json' }, body: '{}' });\n");
    const emptyWithRequest = await bundleSource(dir, 'empty-with-request', ONE_REQUEST_HANDLER);
    const withAliOss: Record<string, string> = {};
    for (const fn of FUNCTIONS) {
      withAliOss[fn] = await bundleSource(dir, `${fn}-ali-oss`, `require('ali-oss');\nmodule.exports = require(${JSON.stringify(join(ROOT, 'functions', fn, 'index.ts'))});\n`);
    }
    const inputs = await invocations(services);
    const inputFile = (fn: (typeof FUNCTIONS)[number]) => {
      const path = join(dir, `${fn}.input.json`);
      writeFileSync(path, JSON.stringify({ event: inputs[fn].event.toString('base64'), context: inputs[fn].context }));
      return path;
    };
    const files = Object.fromEntries(FUNCTIONS.map((fn) => [fn, inputFile(fn)]));
    const runs = profile.quick ? 3 : 11;
    const times: Record<string, number[]> = {};
    const cpu: Record<string, number[]> = {};
    const note = (name: string, run: { ms: number; cpuMs: number }) => {
      (times[name] ??= []).push(run.ms);
      (cpu[name] ??= []).push(run.cpuMs);
    };
    for (let r = 0; r < runs; r++) {
      note('empty', await firstResponse(empty, files.sign, services.env));
      note('empty-with-request', await firstResponse(emptyWithRequest, files.sign, services.env));
      for (const fn of FUNCTIONS) {
        // Each process starts with an empty credential cache: the token function calls STS every run.
        note(fn, await firstResponse(built[fn], files[fn], services.env));
        note(`${fn}-ali-oss`, await firstResponse(withAliOss[fn], files[fn], services.env));
      }
    }
    const emptyMs = median(times.empty);
    const oneRequestMs = median(times['empty-with-request']);
    const emptyCpuMs = median(cpu.empty);
    const cpuRow = (name: string, of: string) =>
      judge({ group: 'first response', name, value: median(cpu[of]), unit: 'ms', comparison: { name: 'an empty handler', value: emptyCpuMs } });
    const rows = FUNCTIONS.flatMap((fn) => [
      judge({
        group: 'first response',
        name: `${fn}: fresh node process to first response (median of ${runs})`,
        value: median(times[fn]),
        unit: 'ms',
        comparison: { name: 'an empty handler', value: emptyMs },
        budget: { minRatio: 1 / BUDGET_RATIO, text: `≤ ${BUDGET_RATIO}× the empty handler's` },
      }),
      judge({
        group: 'first response',
        name: `${fn}: the same, beside the same handler bundled with the full ali-oss`,
        value: median(times[fn]),
        unit: 'ms',
        comparison: { name: `${fn} with ali-oss`, value: median(times[`${fn}-ali-oss`]) },
      }),
      judge({
        group: 'first response',
        name: `${fn}: the same, beside an empty handler that makes one request (a HEAD to the local OSS with node:http)`,
        value: median(times[fn]),
        unit: 'ms',
        comparison: { name: 'empty handler + one request', value: oneRequestMs },
      }),
      cpuRow(`${fn}: CPU of that process to its first response (user + system, median of ${runs})`, fn),
    ]);
    return [...rows, cpuRow(`empty handler that makes one request: CPU of its process to its first response (median of ${runs})`, 'empty-with-request')];
  } finally {
    await services.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
