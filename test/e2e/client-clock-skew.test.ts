// The client library in Node on a machine whose clock is 20 minutes off (a process of its own with
// Date skewed), against the local runtime, whose OSS refuses requests dated more than 15 minutes
// from its own clock as OSS does: every path succeeds, dated on the server's clock; and where the
// server's clock cannot be read, the refusal is reported as a clock problem with the offset.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalRuntime } from '../../local/runtime';
import { runSkewedClient } from '../helpers/client-process/run';
import { startTestRuntime } from '../helpers/runtime';

const MINUTE = 60_000;
let runtime: LocalRuntime;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'client-skew-'));
  runtime = await startTestRuntime({ dataDir });
});

afterAll(async () => {
  await runtime?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const task = async (user: string, method: string, size: number, more: Record<string, unknown> = {}) => ({
  baseUrl: `${runtime.appUrl}/api/`,
  jwt: await runtime.login(user),
  method,
  size,
  ...more,
});

for (const skew of [20 * MINUTE, -20 * MINUTE]) {
  for (const [method, size] of [['post', 200 * 1024], ['put', 200 * 1024], ['multipart', 3 * 1024 * 1024]] as const) {
    test(`${method} with the clock ${skew / MINUTE} minutes off: uploaded, listed and downloaded intact`, async () => {
      const outcome = await runSkewedClient(await task(`skew${skew < 0 ? 'm' : 'p'}-${method}`, method, size), skew);
      expect(outcome).toEqual({ ok: true, listed: true, intact: true });
    });
  }
}

test("with the API's Date header stripped, a multipart upload 20 minutes ahead is refused as ClockSkewed, with the offset measured from OSS's clock", async () => {
  const outcome = await runSkewedClient(await task('skew-nodate', 'multipart', 3 * 1024 * 1024, { stripDate: true }), 20 * MINUTE);
  expect(outcome).toMatchObject({ ok: false, code: 'ClockSkewed' });
  expect(outcome.message).toBe("This device's clock is wrong; set it right and try again (it is 20 minutes ahead of the server's clock)");
  expect(Math.abs(outcome.clockOffsetMs! + 20 * MINUTE)).toBeLessThan(2000);
});
