// The functions' one outbound HTTP client (shared/outbound): connections are kept and reused across
// requests, a time limit and a body bound hold whatever the server does, redirects are answers, and
// a connection the server dropped while it sat idle costs the caller nothing.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { jwksFetch, OutboundError, request } from '../../shared/outbound';
import { watchOutbound } from '../helpers/outbound';

interface TestServer {
  url: string;
  /** TCP connections accepted so far. */
  connections: number;
  requests: number;
  close(): Promise<void>;
}

const servers = new Set<Server>();

function stop(server: Server): Promise<void> {
  servers.delete(server);
  server.closeAllConnections();
  return new Promise((r) => server.close(() => r()));
}

async function serve(handle: (req: IncomingMessage, res: ServerResponse, nthOnSocket: number) => void): Promise<TestServer> {
  const perSocket = new WeakMap<Socket, number>();
  const state = { url: '', connections: 0, requests: 0, close: async () => {} };
  const server = createServer((req, res) => {
    state.requests++;
    const n = (perSocket.get(req.socket) ?? 0) + 1;
    perSocket.set(req.socket, n);
    req.resume();
    req.on('end', () => handle(req, res, n));
  });
  server.on('connection', () => state.connections++);
  servers.add(server);
  state.close = () => stop(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}

// Each test has servers of its own, on ports of their own: the pool never offers one test's connections to another.
afterEach(() => Promise.all([...servers].map(stop)));

async function failure(p: Promise<unknown>): Promise<OutboundError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  if (!(err instanceof OutboundError)) throw new Error(`expected an OutboundError, got ${String(err)}`);
  return err;
}

test('100 sequential HEADs to one server use one connection', async () => {
  const s = await serve((_, res) => res.writeHead(200, { ETag: '"A"', 'Content-Length': '5' }).end());
  for (let i = 0; i < 100; i++) {
    const res = await request({ method: 'HEAD', url: `${s.url}/bucket/key`, timeoutMs: 1000, maxBodyBytes: 0 });
    expect([res.status, res.headers.etag, res.headers['content-length']]).toEqual([200, '"A"', '5']);
  }
  expect([s.requests, s.connections]).toEqual([100, 1]);
});

test('DELETEs, GETs and POSTs with bodies share the same connection', async () => {
  const s = await serve((req, res) => res.end(req.method === 'GET' ? 'key' : ''));
  for (const method of ['DELETE', 'GET', 'POST', 'GET'] as const) {
    const res = await request({ method, url: s.url, body: method === 'POST' ? '{"a":1}' : undefined, timeoutMs: 1000, maxBodyBytes: 1024 });
    expect(res.status).toBe(200);
  }
  expect([s.requests, s.connections]).toEqual([4, 1]);
});

test('a redirect is returned as the answer, and its Location is not asked', async () => {
  const elsewhere = await serve((_, res) => res.end('moved here'));
  const s = await serve((_, res) => res.writeHead(302, { Location: `${elsewhere.url}/key.pem` }).end());
  const res = await request({ method: 'GET', url: s.url, timeoutMs: 1000, maxBodyBytes: 1024 });
  expect(res.status).toBe(302);
  expect(elsewhere.requests).toBe(0);
});

test('a server that never answers fails the request as a timeout, at the time limit', async () => {
  const s = await serve(() => {});
  const started = performance.now();
  expect((await failure(request({ method: 'HEAD', url: s.url, timeoutMs: 200, maxBodyBytes: 0 }))).reason).toBe('timeout');
  expect(performance.now() - started).toBeLessThan(700);
});

test('a body that never ends fails the request as a timeout', async () => {
  const s = await serve((_, res) => res.writeHead(200, { 'Content-Length': '100' }).write('partial'));
  expect((await failure(request({ method: 'GET', url: s.url, timeoutMs: 200, maxBodyBytes: 1024 }))).reason).toBe('timeout');
});

test('a body over the bound fails the request, whether its length is declared or not', async () => {
  const declared = await serve((_, res) => res.end('x'.repeat(2000)));
  const chunked = await serve((_, res) => {
    res.write('x'.repeat(1000));
    res.end('x'.repeat(1000));
  });
  for (const s of [declared, chunked]) {
    expect((await failure(request({ method: 'GET', url: s.url, timeoutMs: 1000, maxBodyBytes: 1024 }))).reason).toBe('too-large');
  }
  const fits = await request({ method: 'GET', url: declared.url, timeoutMs: 1000, maxBodyBytes: 2000 });
  expect(fits.body.length).toBe(2000);
});

test('with maxBodyBytes 0 the answer comes with the headers, and a body that then ends keeps the connection', async () => {
  let finish = () => {};
  const s = await serve((_, res, n) => {
    res.writeHead(202);
    if (n > 1) return res.end();
    res.write('accepted, ');
    finish = () => res.end('and done');
  });
  const first = await request({ method: 'POST', url: s.url, body: 'event', timeoutMs: 1000, maxBodyBytes: 0 });
  expect(first.status).toBe(202);
  finish();
  await new Promise((r) => setTimeout(r, 20));
  await request({ method: 'POST', url: s.url, body: 'event', timeoutMs: 1000, maxBodyBytes: 0 });
  expect([s.requests, s.connections]).toEqual([2, 1]);
});

test('a pooled connection the server reset is replaced: the request is sent again on a new one and answered', async () => {
  const s = await serve((req, res, n) => (n === 1 ? res.end('fresh') : req.socket.resetAndDestroy()));
  await request({ method: 'GET', url: s.url, timeoutMs: 1000, maxBodyBytes: 64 });
  const res = await request({ method: 'GET', url: s.url, timeoutMs: 1000, maxBodyBytes: 64 });
  expect([res.status, res.body.toString()]).toEqual([200, 'fresh']);
  expect([s.requests, s.connections]).toEqual([3, 2]);
});

test('a reset on a new connection is not retried: the request fails as unreachable', async () => {
  const s = await serve((req) => req.socket.resetAndDestroy());
  expect((await failure(request({ method: 'GET', url: s.url, timeoutMs: 1000, maxBodyBytes: 64 }))).reason).toBe('unreachable');
  expect(s.requests).toBe(1);
});

test('a refused connection fails the request as unreachable', async () => {
  const s = await serve(() => {});
  await s.close();
  expect((await failure(request({ method: 'GET', url: s.url, timeoutMs: 1000, maxBodyBytes: 64 }))).reason).toBe('unreachable');
});

test('a URL that is neither http nor https is refused without a request', async () => {
  expect((await failure(request({ method: 'GET', url: 'ftp://127.0.0.1/key', timeoutMs: 1000, maxBodyBytes: 64 }))).reason).toBe('unreachable');
});

test("an aborted signal ends the request as a timeout (jose's JWKS time limit)", async () => {
  const s = await serve(() => {});
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 100);
  expect((await failure(request({ method: 'GET', url: s.url, timeoutMs: 5000, maxBodyBytes: 64, signal: controller.signal }))).reason).toBe('timeout');
});

test('the JWKS fetch for jose answers with the status and the body, over the pooled connection', async () => {
  const jwks = JSON.stringify({ keys: [{ kty: 'oct', k: 'AAAA' }] });
  const s = await serve((req, res) => res.writeHead(200, { 'Content-Type': 'application/json', 'X-Accept': req.headers.accept ?? '' }).end(jwks));
  const get = jwksFetch(1000, 1024);
  for (let i = 0; i < 3; i++) {
    const res = await get(`${s.url}/jwks.json`, { headers: new Headers({ accept: 'application/json' }), signal: AbortSignal.timeout(1000) });
    expect([res.status, await res.json()]).toEqual([200, JSON.parse(jwks)]);
  }
  expect(s.connections).toBe(1);
});

test('the tests\' outbound watch sees requests made through this client and through fetch', async () => {
  const s = await serve((_, res) => res.end());
  const watch = watchOutbound();
  try {
    await request({ method: 'HEAD', url: `${s.url}/a`, timeoutMs: 1000, maxBodyBytes: 0 });
    await (await fetch(`${s.url}/b`)).text();
  } finally {
    watch.restore();
  }
  expect(watch.urls).toEqual([`${s.url}/a`, `${s.url}/b`]);
});
