// The local runtime's token and sign routes, each on an origin of its own, as a default `s deploy`
// gives each function its own *.fcapp.run host: a loopback reverse proxy per function that forwards
// every request (any path, OPTIONS included) to the runtime's /api/<function>, headers untouched
// except Host, and records what it forwarded.

import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FunctionHosts {
  /** `http://127.0.0.1:<port>/` per function: the shape `npm run client-config` writes. */
  endpoints: { token: string; sign: string };
  /** `METHOD path` of each request each host forwarded, in order. */
  forwarded: { token: string[]; sign: string[] };
  close(): Promise<void>;
}

function host(target: string, seen: string[]): Promise<Server> {
  const server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const url = new URL(target);
    const headers = { ...req.headers, host: url.host };
    const upstream = request(url, { method: req.method, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => {
      res.writeHead(502).end();
    });
    req.pipe(upstream);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** Front `appUrl`'s /api/token and /api/sign with one loopback origin each. */
export async function startFunctionHosts(appUrl: string): Promise<FunctionHosts> {
  const forwarded = { token: [] as string[], sign: [] as string[] };
  const token = await host(`${appUrl}/api/token`, forwarded.token);
  const sign = await host(`${appUrl}/api/sign`, forwarded.sign);
  const origin = (s: Server) => `http://127.0.0.1:${(s.address() as AddressInfo).port}/`;
  const stop = (s: Server) =>
    new Promise<void>((resolve) => {
      s.closeAllConnections();
      s.close(() => resolve());
    });
  return {
    endpoints: { token: origin(token), sign: origin(sign) },
    forwarded,
    close: async () => {
      await Promise.all([stop(token), stop(sign)]);
    },
  };
}
