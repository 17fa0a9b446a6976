// Child process: the local runtime (`npm start`'s gateway, OSS and STS) for the groups that upload
// through it, with everything counted where it is received. Invocations are counted at the gateway,
// requests where each server takes them (node:http's diagnostics channel), the callback function's
// connections to OSS by a proxy on its internal endpoint, and webhook deliveries by the receiver.
// Argument: JSON of settings over the runtime's own.

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { subscribe } from 'node:diagnostics_channel';
import { createServer, type IncomingMessage } from 'node:http';
import { type AddressInfo, createServer as createTcpServer } from 'node:net';
import { startLocalRuntime } from '../local/runtime';
import type { Env } from '../shared/config';
import { setLogSink } from '../shared/log';
import { answerParent } from './child';
import { Link, startLinkProxy } from './link';

export interface Counts {
  /** Function invocations at the gateway: HTTP triggers by function, and OSS trigger events. */
  invocations: { token: number; sign: number; callback: number; ossEvent: number };
  /** Requests the local OSS received, by operation. */
  oss: Record<string, number>;
  /** AssumeRole requests the local STS received. */
  sts: number;
  webhook: { deliveries: number; connections: number };
  /** Connections the callback function opened to OSS's internal endpoint. */
  callbackOssConnections: number;
}

export interface RuntimeInfo {
  appUrl: string;
  ossUrl: string;
  /** The internal endpoint the callback function uses: a counting proxy in front of the local OSS. */
  internalOssUrl: string;
}

/** What the parent may ask (see answerParent). */
export interface RuntimeCommands {
  [command: string]: (arg: never) => unknown;
  info(): RuntimeInfo;
  login(user: string): Promise<string>;
  reconfigure(changes: Env): void;
  counts(): Counts;
  /** Port of a raw TCP sink beside the local OSS: it reads until the sender half-closes, then answers `ok`. */
  sinkPort(): number;
  /** Counting starts again from zero. */
  reset(): void;
}

function zero(): Counts {
  return { invocations: { token: 0, sign: 0, callback: 0, ossEvent: 0 }, oss: {}, sts: 0, webhook: { deliveries: 0, connections: 0 }, callbackOssConnections: 0 };
}

/** The OSS operation a request asks for, as far as the counts need it. */
function operation(req: IncomingMessage): string {
  const q = new URL(req.url ?? '/', 'http://x').searchParams;
  switch (req.method) {
    case 'PUT':
      return q.has('partNumber') ? 'UploadPart' : 'PutObject';
    case 'POST':
      if (q.has('uploads')) return 'InitiateMultipartUpload';
      if (q.has('uploadId')) return 'CompleteMultipartUpload';
      return 'PostObject';
    case 'DELETE':
      return q.has('uploadId') ? 'AbortMultipartUpload' : 'DeleteObject';
    case 'HEAD':
      return 'HeadObject';
    default:
      return `${req.method} ${[...q.keys()].join('&')}`;
  }
}

async function main(): Promise<void> {
  setLogSink(() => {});
  let counts = zero();
  const webhook = createServer((req, res) => {
    counts.webhook.deliveries++;
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  });
  webhook.on('connection', () => counts.webhook.connections++);
  await new Promise<void>((r) => webhook.listen(0, '127.0.0.1', r));

  const settings = JSON.parse(process.argv[2] ?? '{}') as Env;
  // The objects uploaded here are removed with the process (the 200 MB ones add up).
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-oss-'));
  const rt = await startLocalRuntime({
    dataDir,
    env: settings,
    onInvoke: (fn, trigger) => {
      if (trigger === 'oss') counts.invocations.ossEvent++;
      else counts.invocations[fn]++;
    },
  });
  const ossPort = Number(new URL(rt.ossUrl!).port);
  const stsPort = Number(new URL(rt.stsUrl!).port);
  subscribe('http.server.request.start', (message) => {
    const req = (message as { request: IncomingMessage }).request;
    const port = req.socket.localPort;
    if (port === ossPort && req.method !== 'OPTIONS') {
      const op = operation(req);
      counts.oss[op] = (counts.oss[op] ?? 0) + 1;
    } else if (port === stsPort) counts.sts++;
  });
  const internal = await startLinkProxy(new Link(), ossPort);
  const sink = createTcpServer((socket) => {
    socket.resume();
    socket.on('end', () => socket.end('ok'));
    socket.on('error', () => socket.destroy());
  });
  await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
  let internalAtReset = 0;
  rt.reconfigure({
    OSS_INTERNAL_ENDPOINT: internal.url,
    WEBHOOK_URL: `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/hooks/uploads`,
    WEBHOOK_SECRET: `whsec_${randomBytes(24).toString('base64')}`,
    ...settings,
  });

  const commands: RuntimeCommands = {
    info: () => ({ appUrl: rt.appUrl, ossUrl: rt.ossUrl!, internalOssUrl: internal.url }),
    login: (user: string) => rt.login(user),
    reconfigure: (changes: Env) => rt.reconfigure(changes),
    counts: () => ({ ...counts, callbackOssConnections: internal.connections - internalAtReset }),
    sinkPort: () => (sink.address() as AddressInfo).port,
    reset: () => {
      counts = zero();
      internalAtReset = internal.connections;
    },
  };
  answerParent(commands, () => rmSync(dataDir, { recursive: true, force: true }));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
