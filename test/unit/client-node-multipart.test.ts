// The client library in Node: a multipart upload through ali-oss's Node build against the local
// runtime (loopback OSS, STS and functions), and the user's listing and download afterwards.

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryCheckpoints, UploadSession } from '../../client';
import type { LocalRuntime } from '../../local/runtime';
import { startTestRuntime } from '../helpers/runtime';

let runtime: LocalRuntime;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'client-node-'));
  runtime = await startTestRuntime({ dataDir });
});

afterAll(async () => {
  await runtime?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

test('a multipart upload from Node completes with the callback answer and downloads intact', async () => {
  const jwt = await runtime.login('carol');
  const session = new UploadSession({ baseUrl: `${runtime.appUrl}/api`, authToken: () => jwt, checkpoints: memoryCheckpoints() });
  const bytes = randomBytes(700 * 1024);
  const fractions: number[] = [];

  const result = await session.upload(new Blob([bytes], { type: 'image/png' }), {
    method: 'multipart',
    partSize: 200 * 1024,
    onProgress: (p) => fractions.push(p.fraction),
  });

  expect(result.key).toMatch(/^users\/carol\//);
  expect(JSON.stringify(result.callback)).toContain(result.key);
  expect(fractions.at(-1)).toBe(1);
  expect(fractions.filter((f) => f > 0 && f < 1).length).toBeGreaterThanOrEqual(3); // one per part of four
  expect((await session.list()).map((o) => o.key)).toContain(result.key);
  const { url } = await session.downloadUrl(result.key);
  const downloaded = Buffer.from(await (await fetch(url)).arrayBuffer());
  expect(downloaded.equals(bytes)).toBe(true);
});

test('without a part size, a 9 MiB file goes in the parts the client picks for its size: five of 2 MiB', async () => {
  const jwt = await runtime.login('dave');
  const session = new UploadSession({ baseUrl: `${runtime.appUrl}/api`, authToken: () => jwt, checkpoints: memoryCheckpoints() });
  const fractions: number[] = [];
  const result = await session.upload(new Blob([randomBytes(9 * 1024 * 1024)], { type: 'application/pdf' }), {
    method: 'multipart',
    onProgress: (p) => fractions.push(p.fraction),
  });
  expect(result.key).toMatch(/^users\/dave\//);
  // ali-oss reports after each part: done / (parts + 1).
  expect(new Set(fractions.filter((f) => f > 0 && f < 0.999)).size).toBe(5);
});
