// `npm run test:interop`: the Go interoperability suite (test/interop/*_test.go) against `npm start`
// run as a user runs it, in its own process on free ports. Builds in GOPATH mode against Debian's
// Go OSS SDK (golang-github-aliyun-aliyun-oss-go-sdk-dev), downloads nothing, and ends with one line
// CI reads: `interop: N passed, M failed`. With `--outputFile=<path>` it also writes the counts there
// as jest's --json does (numPassedTests, numFailedTests), for .ci/run's closing line.

import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { startNpmStart } from '../helpers/npm-start';

const ROOT = join(__dirname, '..', '..');
const DEBIAN_GOPATH = '/usr/share/gocode';

interface GoTestEvent {
  Action: 'run' | 'pause' | 'cont' | 'pass' | 'fail' | 'skip' | 'output' | 'bench';
  Test?: string;
  Output?: string;
}

/** `go test -json` over the suite; the events it printed, and its exit code. */
function goTest(appUrl: string): Promise<{ events: GoTestEvent[]; stderr: string; code: number | null }> {
  const gopath = [process.env.GOPATH, DEBIAN_GOPATH].filter(Boolean).join(':');
  const child = spawn('go', ['test', '-json', '-count=1', './test/interop'], {
    cwd: ROOT,
    env: { ...process.env, GO111MODULE: 'off', GOPATH: gopath, GOFLAGS: '', GOPROXY: 'off', INTEROP_APP_URL: appUrl },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => {
    child.once('error', (err) => resolve({ events: [], stderr: `could not run go: ${err.message}`, code: null }));
    child.once('close', (code) => {
      const events = stdout
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as GoTestEvent);
      resolve({ events, stderr, code });
    });
  });
}

/** Leaf tests (a test with subtests counts through them) and how each ended, with its output. */
function results(events: GoTestEvent[]): { name: string; outcome: string; output: string }[] {
  const names = new Set(events.filter((e) => e.Test).map((e) => e.Test as string));
  const leaves = [...names].filter((n) => ![...names].some((m) => m.startsWith(`${n}/`)));
  return leaves.map((name) => {
    const own = events.filter((e) => e.Test === name);
    const end = own.find((e) => e.Action === 'pass' || e.Action === 'fail' || e.Action === 'skip');
    const output = own
      .filter((e) => e.Action === 'output' && !/^\s*(=== |--- )/.test(e.Output ?? ''))
      .map((e) => e.Output)
      .join('');
    return { name, outcome: end?.Action ?? 'fail', output };
  });
}

/** Runs the suite against the app, prints each test's outcome; the counts. */
async function runSuite(appUrl: string): Promise<{ passed: number; failed: number }> {
  const run = await goTest(appUrl);
  const tests = results(run.events);
  for (const t of tests) {
    const mark = t.outcome === 'pass' ? 'ok  ' : t.outcome === 'skip' ? 'skip' : 'FAIL';
    process.stdout.write(`${mark} ${t.name.replace(/_/g, ' ')}\n`);
    if (t.outcome === 'fail') process.stdout.write(`${t.output.trimEnd().replace(/^/gm, '       ')}\n`);
  }
  const passed = tests.filter((t) => t.outcome === 'pass').length;
  const failed = tests.filter((t) => t.outcome === 'fail').length;
  if (run.code !== 0 && failed === 0) {
    // Nothing ran (Go or the SDK missing, a build error): the suite counts as one failure.
    const output = run.events.filter((e) => e.Action === 'output' && !e.Test).map((e) => e.Output);
    const why = `${output.join('')}${run.stderr}`.trimEnd();
    process.stdout.write(`FAIL the suite did not run (go test exited ${run.code}; it needs golang-go and golang-github-aliyun-aliyun-oss-go-sdk-dev):\n${why}\n`);
    return { passed, failed: 1 };
  }
  return { passed, failed };
}

async function main(): Promise<number> {
  const dataDir = mkdtempSync(join(tmpdir(), 'interop-'));
  const app = await startNpmStart(dataDir);
  let counts: { passed: number; failed: number };
  try {
    counts = await runSuite(app.appUrl);
  } finally {
    await app.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  report(counts.passed, counts.failed);
  return counts.failed === 0 ? 0 : 1;
}

function report(passed: number, failed: number): void {
  const outputFile = process.argv.find((a) => a.startsWith('--outputFile='))?.slice('--outputFile='.length);
  if (outputFile) {
    mkdirSync(dirname(outputFile), { recursive: true });
    writeFileSync(outputFile, JSON.stringify({ numPassedTests: passed, numFailedTests: failed }) + '\n');
  }
  process.stdout.write(`interop: ${passed} passed, ${failed} failed\n`);
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stdout.write(`FAIL ${err instanceof Error ? err.message : String(err)}\n`);
    report(0, 1);
    process.exit(1);
  },
);
