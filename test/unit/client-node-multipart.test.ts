// The client library in Node: multipart uploads through ali-oss's Node build against the local
// runtime (loopback OSS, STS and functions), from memory and from a file on disk, and the user's
// listing and download afterwards.

import { randomBytes } from 'node:crypto';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { mkdtempSync, openAsBlob, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryCheckpoints, UploadSession, type CheckpointStore } from '../../client';
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

test('a multipart upload of a file on disk that stopped after two parts resumes with only the missing parts, and OSS holds the file', async () => {
  const jwt = await runtime.login('erin');
  const dir = mkdtempSync(join(tmpdir(), 'client-node-file-'));
  const path = join(dir, 'report.pdf');
  const bytes = randomBytes(5 * 200 * 1024 + 1234); // six parts of 200 KiB, the last short
  writeFileSync(path, bytes);
  const file = await openAsBlob(path, { type: 'application/pdf' });
  const saved = memoryCheckpoints();
  // The first attempt dies as its third part is recorded (as a process would, killed between two
  // parts): the store keeps what it had, two parts.
  const dying: CheckpointStore = {
    get: (id) => saved.get(id),
    delete: (id) => saved.delete(id),
    set(id, checkpoint) {
      if (checkpoint.doneParts.length > 2) throw new Error('the process stopped');
      saved.set(id, checkpoint);
    },
  };
  const options = { method: 'multipart', partSize: 200 * 1024, parallel: 1 } as const;
  const session = (checkpoints: CheckpointStore) => new UploadSession({ baseUrl: `${runtime.appUrl}/api`, authToken: () => jwt, checkpoints });
  await expect(session(dying).upload(file, options)).rejects.toBeDefined();

  const partsSent: number[] = [];
  const onRequest = (message: unknown) => {
    const url = new URL((message as { request: IncomingMessage }).request.url ?? '', 'http://oss');
    if (url.searchParams.has('uploadId') && url.searchParams.has('partNumber')) partsSent.push(Number(url.searchParams.get('partNumber')));
  };
  subscribe('http.server.request.start', onRequest);
  const resumed: [number, number][] = [];
  try {
    const result = await session(saved).upload(file, { ...options, onResume: (done, total) => resumed.push([done, total]) });
    expect(resumed).toEqual([[2, 6]]);
    expect(result.resumedParts).toBe(2);
    expect(partsSent).toEqual([3, 4, 5, 6]);
    const { url } = await session(saved).downloadUrl(result.key);
    expect(Buffer.from(await (await fetch(url)).arrayBuffer()).equals(bytes)).toBe(true);
  } finally {
    unsubscribe('http.server.request.start', onRequest);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a file on disk changed after it was chosen is FileUnreadable, not uploaded from its new bytes', async () => {
  const jwt = await runtime.login('frank');
  const dir = mkdtempSync(join(tmpdir(), 'client-node-file-'));
  const path = join(dir, 'notes.pdf');
  writeFileSync(path, randomBytes(300 * 1024));
  const file = await openAsBlob(path, { type: 'application/pdf' });
  writeFileSync(path, randomBytes(300 * 1024)); // same size, other bytes, a later modification time
  const session = new UploadSession({ baseUrl: `${runtime.appUrl}/api`, authToken: () => jwt, checkpoints: memoryCheckpoints() });
  try {
    await expect(session.upload(file, { method: 'multipart', partSize: 200 * 1024 })).rejects.toMatchObject({ code: 'FileUnreadable' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
