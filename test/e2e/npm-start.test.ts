// `npm start` as a new user runs it: a separate process with no configuration, which prints its URLs,
// serves the whole flow to a scripted client, and stops cleanly on SIGTERM.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSmoke, targetFromBase } from '../../scripts/smoke';
import { type NpmStart, registerSecretsFromFetch, startNpmStart } from '../helpers/npm-start';
import { findLeaks, forgetSecret, registerSecret } from '../setup/leaks';

let app: NpmStart;
let dataDir: string;
let restoreFetch: () => void;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'npm-start-'));
  app = await startNpmStart(dataDir);
  // Its output is audited; the JWT and STS credentials it hands out are what the audit looks for.
  restoreFetch = registerSecretsFromFetch();
}, 60_000);

afterAll(async () => {
  restoreFetch?.();
  await app?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

test('everything it prints goes through the log audit: a value registered as a secret that it logs is reported, masked', async () => {
  // A harmless canary: a user name the token function logs, registered as if it were a secret.
  const canary = `canary-${Date.now().toString(36)}`;
  registerSecret(canary);
  try {
    const { token: jwt } = (await (await fetch(`${app.appUrl}/api/dev/login`, { method: 'POST', body: JSON.stringify({ user: canary }) })).json()) as { token: string };
    const res = await fetch(`${app.appUrl}/api/token`, { method: 'POST', headers: { Authorization: `Bearer ${jwt}` }, body: '{"access":"upload"}' });
    expect(res.status).toBe(200);
    const deadline = Date.now() + 5000;
    while (!app.log.some((l) => l.user === canary) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const leaks = findLeaks();
    expect(leaks.length).toBeGreaterThan(0);
    for (const report of leaks) {
      expect(report).toContain('a held or configured secret');
      expect(report).not.toContain(canary);
    }
  } finally {
    forgetSecret(canary);
  }
});

test('comes up with no configuration, serves sign-in → token → sign → upload → callback → download, and stops on SIGTERM', async () => {
  expect(app.banner).toMatch(/local OSS\s+http:\/\/localhost:\d+/);
  expect(app.banner).toMatch(/local STS\s+http:\/\/localhost:\d+/);

  const result = await runSmoke({ ...targetFromBase(app.appUrl), user: 'new-user', log: () => {} });
  expect(result.callback).toMatchObject({ key: result.key, size: result.bytes, user: 'new-user' });
  expect(app.log.some((l) => l.fn === 'callback' && l.status === 200)).toBe(true);

  expect(await app.stop()).toBe(0);
}, 60_000);
