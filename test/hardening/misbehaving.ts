// A loopback server that misbehaves on cue, standing in for STS, OSS's key host, OSS itself or the
// app's webhook; and an address where nothing listens.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Behaviour = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;

export interface Misbehaving {
  url: string;
  /** Requests received since the last `act`. */
  hits: { method: string; url: string }[];
  /** What to do from now on. */
  act(behaviour: Behaviour): void;
  close(): Promise<void>;
}

/** Take the request and never answer. */
export const hang: Behaviour = () => {};

export const answer =
  (status: number, body: string | object, headers: Record<string, string> = {}): Behaviour =>
  (_req, res) => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': typeof body === 'string' ? 'text/html' : 'application/json', ...headers });
    res.end(text);
  };

/** Answer as `behaviour` would, `ms` later. */
export const after =
  (ms: number, behaviour: Behaviour): Behaviour =>
  (req, res, body) => {
    const timer = setTimeout(() => behaviour(req, res, body), ms);
    res.on('close', () => clearTimeout(timer));
  };

/** Behave differently on each request, the last behaviour repeating. */
export function inTurn(...behaviours: Behaviour[]): Behaviour {
  let n = 0;
  return (req, res, body) => behaviours[Math.min(n++, behaviours.length - 1)](req, res, body);
}

export async function misbehaving(): Promise<Misbehaving> {
  let behaviour: Behaviour = answer(200, {});
  const hits: Misbehaving['hits'] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      hits.push({ method: req.method ?? '', url: req.url ?? '' });
      behaviour(req, res, Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://localhost:${(server.address() as AddressInfo).port}`,
    hits,
    act(next) {
      behaviour = next;
      hits.splice(0);
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** A loopback URL that refuses connections: a port that was free a moment ago. */
export async function nothingListening(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://localhost:${port}`;
}
