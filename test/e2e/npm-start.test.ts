// `npm start` as a new user runs it: a separate process with no configuration, which prints its URLs,
// serves the whole flow to a scripted client, and stops cleanly on SIGTERM.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSmoke, targetFromBase } from '../../scripts/smoke';
import { type NpmStart, startNpmStart } from '../helpers/npm-start';

let app: NpmStart;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'npm-start-'));
  app = await startNpmStart(dataDir);
}, 60_000);

afterAll(async () => {
  await app?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

test('comes up with no configuration, serves sign-in → token → sign → upload → callback → download, and stops on SIGTERM', async () => {
  expect(app.banner).toMatch(/local OSS\s+http:\/\/localhost:\d+/);
  expect(app.banner).toMatch(/local STS\s+http:\/\/localhost:\d+/);

  const result = await runSmoke({ ...targetFromBase(app.appUrl), user: 'new-user', log: () => {} });
  expect(result.callback).toMatchObject({ key: result.key, size: result.bytes, user: 'new-user' });
  expect(app.log.some((l) => l.fn === 'callback' && l.status === 200)).toBe(true);

  expect(await app.stop()).toBe(0);
}, 60_000);
