// `npm start` as a user runs it: its own process, nothing in its environment but a shell's and what
// a test chooses, free ports. Its log lines (JSON on stdout) are collected for the test to read.

import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

export interface NpmStart {
  appUrl: string;
  /** What it printed to stderr on start (its URLs). */
  banner: string;
  /** Its log lines so far, parsed. */
  log: Record<string, unknown>[];
  /** SIGTERM, then its exit code. */
  stop(): Promise<number | null>;
}

export function startNpmStart(dataDir: string, env: Record<string, string> = {}): Promise<NpmStart> {
  const child: ChildProcess = spawn(join(ROOT, 'node_modules', '.bin', 'tsx'), ['local/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: '0', LOCAL_OSS_PORT: '0', LOCAL_STS_PORT: '0', LOCAL_DATA_DIR: dataDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log: Record<string, unknown>[] = [];
  let partial = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop()!;
    for (const line of lines) if (line.trim()) log.push(JSON.parse(line));
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let banner = '';
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      banner += chunk.toString();
      const m = /demo page\s+(http:\/\/localhost:\d+)\//.exec(banner);
      if (m) {
        resolve({
          appUrl: m[1],
          banner,
          log,
          stop: async () => {
            if (child.exitCode === null) child.kill('SIGTERM');
            return exited;
          },
        });
      }
    });
    void exited.then((code) => reject(new Error(`npm start exited with ${code}: ${banner}`)));
  });
}
