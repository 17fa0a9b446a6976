// The smoke script (npm run smoke) against the local runtime that `npm start` runs: the deploy
// workflow runs the same function against the deployed functions.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalRuntime } from '../../local/runtime';
import { startTestRuntime } from '../helpers/runtime';
import { setLogSink } from '../../shared/log';
import { runSmoke, SmokeFailure, targetFromBase, targetFromClientConfig, targetFromSInfo } from '../../scripts/smoke';

let runtime: LocalRuntime;
let dataDir: string;
let restoreLog: ReturnType<typeof setLogSink>;

beforeAll(async () => {
  // The functions' request log lines are not what these tests are about.
  restoreLog = setLogSink(() => {});
  dataDir = mkdtempSync(join(tmpdir(), 'smoke-'));
  runtime = await startTestRuntime({ port: 0, ossPort: 0, stsPort: 0, dataDir });
});

afterAll(async () => {
  await runtime?.stop();
  rmSync(dataDir, { recursive: true, force: true });
  setLogSink(restoreLog);
});

test('signs in, gets credentials and a signed PUT, uploads with the callback answering, and downloads the same bytes', async () => {
  const lines: string[] = [];
  const result = await runSmoke({ ...targetFromBase(runtime.appUrl), user: 'smoke-alice', log: (l) => lines.push(l) });
  expect(result.prefix).toBe('users/smoke-alice/');
  expect(result.key.startsWith(result.prefix)).toBe(true);
  expect(result.callback).toMatchObject({ key: result.key, size: result.bytes, user: 'smoke-alice' });
  expect(lines.map((l) => l.split(/\s+/)[0])).toEqual(['sign-in', 'token', 'sign', 'upload', 'download']);
});

test('uses a supplied JWT instead of signing in', async () => {
  const jwt = await runtime.login('smoke-bob');
  const { loginUrl: _none, ...target } = targetFromBase(runtime.appUrl);
  await expect(runSmoke({ ...target, jwt })).resolves.toMatchObject({ prefix: 'users/smoke-bob/' });
});

test('fails at the token step, naming the error, when the JWT is not accepted', async () => {
  const forged = `${(await runtime.login('smoke-carol')).slice(0, -4)}AAAA`;
  const run = runSmoke({ ...targetFromBase(runtime.appUrl), jwt: forged });
  await expect(run).rejects.toThrow(SmokeFailure);
  await expect(run).rejects.toThrow(/^token: .*answered 401/);
});

test('never puts a credential, the JWT or a signed URL in what it prints', async () => {
  const lines: string[] = [];
  const jwt = await runtime.login('smoke-dave');
  await runSmoke({ ...targetFromBase(runtime.appUrl), jwt, log: (l) => lines.push(l) });
  const printed = lines.join('\n');
  expect(printed).not.toContain(jwt);
  expect(printed).not.toMatch(/x-oss-signature|Signature=|security-token|STS\./i);
});

test('refuses to run against a deployment without a JWT, which has no development sign-in', async () => {
  await expect(runSmoke({ tokenUrl: `${runtime.appUrl}/api/token`, signUrl: `${runtime.appUrl}/api/sign` })).rejects.toThrow(/^sign-in: give a JWT/);
});

test('reads the trigger URLs from `s info -o json` output, warning line and all', () => {
  const info = `[WARN] running as root is not recommended\n${JSON.stringify({
    callback: { url: { system_url: 'https://cb.example.fcapp.run' } },
    token: { region: 'cn-hangzhou', url: { system_url: 'https://tk.example.fcapp.run', system_intranet_url: 'x' } },
    sign: { url: { system_url: 'https://sg.example.fcapp.run' } },
  })}`;
  expect(targetFromSInfo(info)).toEqual({ tokenUrl: 'https://tk.example.fcapp.run/token', signUrl: 'https://sg.example.fcapp.run/sign' });
});

describe('against functions on their own origins, as a default deployment serves them', () => {
  let split: LocalRuntime;
  let splitDir: string;

  beforeAll(async () => {
    splitDir = mkdtempSync(join(tmpdir(), 'smoke-split-'));
    split = await startTestRuntime({ port: 0, ossPort: 0, stsPort: 0, dataDir: splitDir, functionPorts: { token: 0, sign: 0, callback: 0 } });
  });

  afterAll(async () => {
    await split?.stop();
    rmSync(splitDir, { recursive: true, force: true });
  });

  test('each function answers on an origin of its own, and the app no longer serves /api/<name>', async () => {
    const origins = [split.appUrl, split.functionUrls.token, split.functionUrls.sign, split.functionUrls.callback].map((u) => new URL(u).origin);
    expect(new Set(origins).size).toBe(4);
    expect(split.clientConfig).toEqual({ endpoints: { token: split.functionUrls.token, sign: split.functionUrls.sign } });
    expect((await fetch(`${split.appUrl}/api/token`, { method: 'POST' })).status).toBe(404);
  });

  test('the smoke passes with the client configuration, the callback reached at its own URL', async () => {
    const target = { ...targetFromClientConfig(split.clientConfig), loginUrl: `${split.appUrl}/api/dev/login` };
    const result = await runSmoke({ ...target, user: 'smoke-split' });
    expect(result.callback).toMatchObject({ key: result.key, size: result.bytes, user: 'smoke-split' });
    expect(split.config().rules.callbackUrl).toBe(split.functionUrls.callback);
  });
});
