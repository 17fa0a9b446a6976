// `npm start` as a user runs it: its own process, nothing in its environment but a shell's and what
// a test chooses, free ports. Its log lines (JSON on stdout) are collected for the test to read, and
// everything it prints, stdout and stderr, goes through the log audit. Its secrets live in its own
// process, so tests register those they are handed (registerAnswerSecrets) for the audit to look for.

import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { recordLine, registerSecret } from '../setup/leaks';
import { collectJsonLog } from './json-log';

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
  const { log, flush } = collectJsonLog(child.stdout!);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  void exited.then(flush);
  let banner = '';
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) if (line.trim()) recordLine(line);
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

/** Fields of the runtime's answers (sign-in, /token) that are secrets. */
const SECRET_FIELDS = ['token', 'AccessKeySecret', 'SecurityToken'];

/**
 * Register with the log audit the secrets in an answer of the `npm start` child (its sign-in JWT,
 * the STS credentials /token hands out), so that any line it printed with them fails the test.
 */
export function registerAnswerSecrets(answer: unknown): void {
  if (typeof answer !== 'object' || answer === null) return;
  for (const field of SECRET_FIELDS) {
    const value = (answer as Record<string, unknown>)[field];
    if (typeof value === 'string') registerSecret(value);
  }
}

/** Whether a URL is one of the runtime's answers that carry secrets. */
export function answersWithSecrets(url: string): boolean {
  return /\/api\/(token|dev\/login)$/.test(new URL(url).pathname);
}

/**
 * Route this process's fetch through a spy that registers the secrets of every sign-in and /token
 * answer it receives; returns the restore function.
 */
export function registerSecretsFromFetch(): () => void {
  const realFetch = globalThis.fetch;
  const spy = jest.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    const res = await realFetch(input, init);
    const url = input instanceof Request ? input.url : String(input);
    if (answersWithSecrets(url)) registerAnswerSecrets(await res.clone().json().catch(() => undefined));
    return res;
  });
  return () => spy.mockRestore();
}
