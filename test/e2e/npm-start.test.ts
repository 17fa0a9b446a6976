// `npm start` as a new user runs it: a separate process with no configuration, which prints its URLs,
// serves the whole flow to a scripted client, and stops cleanly on SIGTERM.

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSmoke, targetFromBase } from '../../scripts/smoke';

const ROOT = join(__dirname, '..', '..');
let child: ChildProcess;
let dataDir: string;
let stderr = '';

/** The demo page URL the runtime prints, once it is listening. */
function started(proc: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    proc.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const m = /demo page\s+(http:\/\/localhost:\d+)\//.exec(stderr);
      if (m) resolve(m[1]);
    });
    proc.once('exit', (code) => reject(new Error(`npm start exited with ${code}: ${stderr}`)));
  });
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'npm-start-'));
  // Only what a shell would have, plus free ports: none of the project's settings.
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, PORT: '0', LOCAL_OSS_PORT: '0', LOCAL_STS_PORT: '0', LOCAL_DATA_DIR: dataDir };
  child = spawn(join(ROOT, 'node_modules', '.bin', 'tsx'), ['local/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
}, 60_000);

afterAll(() => {
  if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

test('comes up with no configuration, serves sign-in → token → sign → upload → callback → download, and stops on SIGTERM', async () => {
  const appUrl = await started(child);
  expect(stderr).toMatch(/local OSS\s+http:\/\/localhost:\d+/);
  expect(stderr).toMatch(/local STS\s+http:\/\/localhost:\d+/);

  const result = await runSmoke({ ...targetFromBase(appUrl), user: 'new-user', log: () => {} });
  expect(result.callback).toMatchObject({ key: result.key, size: result.bytes, user: 'new-user' });

  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  expect(await exited).toBe(0);
}, 60_000);
