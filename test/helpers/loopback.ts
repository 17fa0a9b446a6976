// A loopback HTTP server that plays /api and OSS for the client's tests: routes by `METHOD path`,
// records every request that arrived, answers 404 NotFound for anything else.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

export type Route = (req: Received, res: ServerResponse, base: string) => void;

export interface Loopback {
  base: string;
  received: Received[];
  close: () => Promise<void>;
}

export async function loopback(routes: Record<string, Route>): Promise<Loopback> {
  const received: Received[] = [];
  let base = '';
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: Received = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) };
      received.push(r);
      const route = routes[`${r.method} ${r.url.split('?')[0]}`];
      if (route) route(r, res, base);
      else reply(res, 404, { error: { code: 'NotFound', message: 'no route' } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    received,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function reply(res: ServerResponse, status: number, body: unknown, type = 'application/json'): void {
  res.writeHead(status, { 'Content-Type': type });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

export function ossError(code: string, message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error>\n  <Code>${code}</Code>\n  <Message>${message}</Message>\n  <RequestId>oss-req-1</RequestId>\n</Error>`;
}

