// One function instance, as its own Node process: the token and sign handlers exactly as deployed
// (the bundles `npm run build` writes, with their lazy credential-cache.js beside them), configured
// from this process's environment, behind a small HTTP gateway on a free loopback port. The parent
// talks to it over IPC: it answers `ready` with its URL, and moves its clock on `{clock: offsetMs}`
// (every Date in the process, the bundles' included), so a test can cross a credential's expiry.
// Log lines go to stdout as the bundles write them.

import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { toFcEvent, writeFcResponse } from '../../../local/fc-event';
import type { FcCredentials } from '../../../shared/http/event';
import type { FcHandler } from '../../../shared/http/handler';

const RealDate = Date;
let offsetMs = 0;
class ShiftedDate extends RealDate {
  constructor(...args: unknown[]) {
    if (args.length === 0) super(RealDate.now() + offsetMs);
    else super(...(args as [number]));
  }
  static override now(): number {
    return RealDate.now() + offsetMs;
  }
}
globalThis.Date = ShiftedDate as DateConstructor;

const bundles = process.argv[2];
const credentials = JSON.parse(process.argv[3]) as Record<'token' | 'sign', FcCredentials>;
const handlers: Record<'token' | 'sign', FcHandler> = {
  token: (require(join(bundles, 'token', 'index.js')) as { handler: FcHandler }).handler,
  sign: (require(join(bundles, 'sign', 'index.js')) as { handler: FcHandler }).handler,
};

function body(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

const server = createServer(async (req, res) => {
  const fn = /^\/(token|sign)$/.exec(req.url ?? '')?.[1] as 'token' | 'sign' | undefined;
  if (!fn) {
    res.writeHead(404).end();
    return;
  }
  const requestId = randomUUID();
  const event = toFcEvent(req, await body(req), requestId);
  writeFcResponse(res, await handlers[fn](event, { requestId, credentials: credentials[fn], function: { name: fn }, region: 'cn-hangzhou' }));
});

server.listen(0, '127.0.0.1', () => {
  process.send!({ ready: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
});

process.on('message', (message: { clock?: number }) => {
  if (typeof message.clock === 'number') {
    offsetMs = message.clock;
    process.send!({ clock: offsetMs });
  }
});
process.on('disconnect', () => process.exit(0));
