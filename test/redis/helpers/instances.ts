// Function instances for the shared-cache tests: handler processes (handler-process.ts) running the
// bundles as deployed, against one local account, one local STS and (when configured) one Redis.
// Their log lines are collected per process and go through the log audit, as npm start's do.

import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { createLocalAccount, type LocalAccount } from '../../../local/account';
import { type LocalSts, startLocalSts } from '../../../local/sts/server';
import { buildFunctions } from '../../../scripts/build';
import type { Env } from '../../../shared/config';
import { collectJsonLog } from '../../helpers/json-log';
import { noteConfiguredEnv, recordLine, registerSecret } from '../../setup/leaks';

const ROOT = join(__dirname, '..', '..', '..');
const BUCKET = 'local-uploads';

/** The functions as `npm run build` bundles them, in a folder of their own (removed by `remove`). */
export async function buildBundles(): Promise<{ dir: string; remove(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'bundles-'));
  await buildFunctions(dir);
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface Instance {
  url: string;
  /** Its log lines so far, parsed. */
  readonly log: Record<string, unknown>[];
  /** Move its clock `offsetMs` ahead of the real one. */
  setClock(offsetMs: number): Promise<void>;
  stop(): Promise<void>;
}

function startInstance(bundles: string, env: Env, credentials: object): Promise<Instance> {
  const child: ChildProcess = fork(join(__dirname, 'handler-process.ts'), [bundles, JSON.stringify(credentials)], {
    cwd: ROOT,
    execArgv: ['--import', 'tsx'],
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const { log } = collectJsonLog(child.stdout!);
  let errors = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    recordLine(chunk.toString());
    errors += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`handler process exited (${code}) before it was ready:\n${errors}`)));
    child.once('message', (m: { ready?: string }) => {
      if (!m.ready) return reject(new Error('handler process said something other than ready'));
      resolve({
        url: m.ready,
        log,
        setClock: (offsetMs) =>
          new Promise<void>((done) => {
            child.once('message', () => done());
            child.send({ clock: offsetMs });
          }),
        stop: async () => {
          if (child.exitCode === null) child.kill('SIGTERM');
          await exited;
        },
      });
    });
  });
}

export interface Deployment {
  account: LocalAccount;
  sts: LocalSts;
  /** The STS clock's lead over the real one, in ms (moved with the instances' by `setClock`). */
  instances: Instance[];
  /** A bearer token for `user`, valid two hours. */
  login(user: string): Promise<string>;
  /** Move every instance's clock, and the local STS's, `offsetMs` ahead. */
  setClock(offsetMs: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * `count` instances of token and sign over one local account and STS, configured from `env` (plus
 * the local bucket, STS and a generated HS256 secret). `stsOptions` go to the local STS.
 */
export async function startDeployment(bundles: string, count: number, env: Env, stsOptions: { throttlePerSecond?: number } = {}): Promise<Deployment> {
  const account = createLocalAccount(BUCKET, 'users/${uid}/');
  let offsetMs = 0;
  const sts = await startLocalSts({ iam: account.iam, now: () => new Date(Date.now() + offsetMs), ...stsOptions });
  const hs256 = randomBytes(32).toString('base64url');
  const full: Env = {
    OSS_BUCKET: BUCKET,
    OSS_REGION: 'cn-hangzhou',
    OSS_ENDPOINT: 'http://127.0.0.1:9',
    OSS_PATH_STYLE: 'true',
    STS_ENDPOINT: sts.url,
    STS_ROLE_ARN: account.uploadRoleArn,
    AUTH_HS256_SECRET: hs256,
    ...env,
  };
  noteConfiguredEnv(full);
  const credentials = { token: account.credentialsFor('token'), sign: account.credentialsFor('sign') };
  for (const c of Object.values(credentials)) registerSecret(c.accessKeySecret, c.securityToken);
  const instances = await Promise.all(Array.from({ length: count }, () => startInstance(bundles, full, credentials)));
  return {
    account,
    sts,
    instances,
    login: (user) => new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(user).setExpirationTime('2h').sign(new TextEncoder().encode(hs256)),
    async setClock(ms) {
      offsetMs = ms;
      await Promise.all(instances.map((i) => i.setClock(ms)));
    },
    async stop() {
      await Promise.all(instances.map((i) => i.stop()));
      await sts.close();
    },
  };
}

export type Call = { fn: 'token'; access: 'upload' } | { fn: 'sign'; op: 'put' | 'get' };

/** What a call sends, as JSON. */
export function bodyOf(call: Call, user: string): object {
  if (call.fn === 'token') return { access: call.access };
  return call.op === 'put' ? { op: 'put', contentType: 'image/png', size: 10 } : { op: 'get', key: `users/${user}/photo.png` };
}

export interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
  ms: number;
}

/** One request to one instance. */
export async function send(instance: Instance, jwt: string, call: Call, user: string): Promise<Answer> {
  const started = performance.now();
  const res = await fetch(`${instance.url}/${call.fn}`, { method: 'POST', headers: { Authorization: `Bearer ${jwt}`, 'Content-Type': 'application/json' }, body: JSON.stringify(bodyOf(call, user)) });
  const body = (await res.json()) as Record<string, unknown>;
  return { status: res.status, body, headers: res.headers, ms: performance.now() - started };
}

/** Run `tasks` with at most `limit` in flight; the results in order. */
export async function inParallel<T>(tasks: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, tasks.length) }, async () => {
      while (next < tasks.length) {
        const i = next++;
        results[i] = await tasks[i]();
      }
    }),
  );
  return results;
}
