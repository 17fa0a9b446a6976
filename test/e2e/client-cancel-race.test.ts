// Cancelling a multipart upload while its last part is in flight (parallel 1), against the local
// runtime: upload() rejects with Cancelled, the upload is never completed (no object, no accepted
// upload event) and OSS holds no upload in progress for the key. ali-oss 6.23's own multipartUpload
// completed such an upload with the last part missing (issue 16); run 10 times.

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UploadSession, type UploadError } from '../../client';
import type { LocalRuntime } from '../../local/runtime';
import { setLogSink } from '../../shared/log';
import { startTestRuntime } from '../helpers/runtime';

const OSS = require('ali-oss') as new (options: Record<string, unknown>) => {
  listUploads(query: Record<string, string>): Promise<{ uploads?: { name: string; uploadId: string }[] }>;
  head(name: string): Promise<unknown>;
};

const KiB = 1024;
const PART = 100 * KiB;
const PARTS = 4;

let runtime: LocalRuntime;
let dataDir: string;
let proxy: Server;
let proxyUrl: string;
/** Called when UploadPart `partNumber` arrives at the proxy; the part is forwarded once it resolves. */
let onPart: (partNumber: number) => Promise<void> = async () => {};

// Between the client and the local OSS: holds each UploadPart until the test has seen it.
async function startOssProxy(target: string): Promise<void> {
  proxy = createServer((req, res) => {
    const part = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('partNumber') ?? 0);
    void (part ? onPart(part) : Promise.resolve()).then(() => {
      const upstream = request(new URL(req.url ?? '/', target), { method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', () => res.writeHead(502).end());
      req.pipe(upstream);
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'client-cancel-'));
  runtime = await startTestRuntime({ dataDir });
  await startOssProxy(runtime.ossUrl!);
});

afterAll(async () => {
  proxy?.closeAllConnections();
  await new Promise((resolve) => proxy?.close(resolve));
  await runtime?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** A session whose STS credentials send OSS requests through the proxy. */
async function sessionThroughProxy(user: string): Promise<UploadSession> {
  const jwt = await runtime.login(user);
  const viaProxy: typeof fetch = async (input, init) => {
    const res = await fetch(input, init);
    if (!String(input).endsWith('/token')) return res;
    const body = (await res.json()) as { endpoint: string };
    return new Response(JSON.stringify({ ...body, endpoint: proxyUrl }), { status: res.status, headers: res.headers });
  };
  return new UploadSession({ baseUrl: `${runtime.appUrl}/api`, authToken: () => jwt, fetch: viaProxy });
}

function adminClient() {
  const key = runtime.iam!.addKey({
    accessKeyId: 'cancel-race-admin',
    accessKeySecret: 'cancel-race-admin-secret-0123456789',
    name: 'cancel-race-admin',
    policies: [{ Version: '1', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }],
  });
  return new OSS({ endpoint: runtime.ossUrl, bucket: 'local-uploads', region: 'oss-cn-hangzhou', sldEnable: true, authorizationV4: true, accessKeyId: key.accessKeyId, accessKeySecret: key.accessKeySecret });
}

test('cancelling during the last part (parallel 1), 10 times: Cancelled every time, never completed, the upload aborted', async () => {
  const admin = adminClient();
  const lines: string[] = [];
  const restore = setLogSink((line) => lines.push(line));
  const outcomes: { code?: string; key?: string; lastPartSeen: boolean }[] = [];
  try {
    for (let run = 0; run < 10; run++) {
      const session = await sessionThroughProxy(`racer${run}`);
      const controller = new AbortController();
      let lastPartSeen = false;
      onPart = async (n) => {
        if (n !== PARTS) return;
        lastPartSeen = true;
        controller.abort(); // the user cancels while the last part is on its way
        await new Promise((resolve) => setTimeout(resolve, 50));
      };
      const file = new File([randomBytes(PART * (PARTS - 1) + 10 * KiB)], `race-${run}.pdf`, { type: 'application/pdf' });
      const err = (await session.upload(file, { method: 'multipart', partSize: PART, parallel: 1, signal: controller.signal }).catch((e: unknown) => e)) as UploadError;
      outcomes.push({ code: err.code, lastPartSeen });
    }
    // Let any late part and the OSS events that would follow a completion arrive.
    await new Promise((resolve) => setTimeout(resolve, 300));
  } finally {
    setLogSink(restore);
    onPart = async () => {};
  }

  expect(outcomes).toEqual(Array.from({ length: 10 }, () => ({ code: 'Cancelled', lastPartSeen: true })));
  const events = lines.map((l) => JSON.parse(l) as { msg?: string; upload?: { object?: string } }).filter((l) => l.msg === 'upload event');
  expect(events.filter((e) => /race-\d\.pdf$/.test(e.upload?.object ?? ''))).toEqual([]);
  const inProgress = await admin.listUploads({ prefix: 'users/racer', 'max-uploads': '1000' });
  expect(inProgress.uploads ?? []).toEqual([]);
  const listed = await (await sessionThroughProxy('racer0')).list();
  expect(listed).toEqual([]);
});
