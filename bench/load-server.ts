// Child process for the load group: `runtime` starts the local runtime (`npm start`'s servers) and
// reports its URL and a user's JWT; `bare` is a plain Node HTTP server answering a fixed JSON body,
// the ceiling this machine and client reach. Runs until its parent disconnects.

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startLocalRuntime } from '../local/runtime';
import { setLogSink } from '../shared/log';

export interface Ready {
  url: string;
  token?: string;
}

async function start(mode: string | undefined): Promise<Ready> {
  if (mode === 'runtime') {
    // The request log lines are built as usual, then dropped: the bench measures the handlers, not a terminal.
    setLogSink(() => {});
    const runtime = await startLocalRuntime();
    // The runtime listens on 127.0.0.1; `localhost` may resolve to ::1 first.
    return { url: `${runtime.appUrl.replace('localhost', '127.0.0.1')}/api/sign`, token: await runtime.login('alice') };
  }
  if (mode === 'bare') {
    const body = JSON.stringify({ method: 'PUT', url: 'http://localhost/bucket/key', headers: {}, key: 'key', expiresAt: new Date().toISOString() });
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) }).end(body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/sign` };
  }
  throw new Error(`usage: load-server.ts runtime|bare (got ${mode})`);
}

start(process.argv[2]).then(
  (ready) => {
    process.send?.(ready);
    process.on('disconnect', () => process.exit(0));
  },
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
