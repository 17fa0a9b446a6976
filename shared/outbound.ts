// Every HTTP request a function makes itself (HeadObject and DeleteObject, webhook deliveries, the
// callback public key, the JWKS, AssumeRole through pop-core) goes through one keep-alive pool per
// scheme, shared by the whole instance: an upload's callback and its OSS event reuse one connection
// to OSS instead of a TCP (and, in the cloud, TLS) handshake each.
//
// Not Node's fetch: Node 20's fetch never reuses a connection after a HEAD (300 HeadObjects opened
// 300 connections, BENCHMARKS.md), and its first call loads undici, ~80–100 ms of a cold start.
// Redirects are never followed (node:http does not): a 3xx is an answer like any other.

import type { Agent, ClientRequest, IncomingHttpHeaders, RequestOptions } from 'node:http';

/**
 * How long a connection may sit unused in the pool, in ms. A server that announces a shorter
 * `Keep-Alive: timeout=` is believed (Node closes 1 s before it); Node's own servers announce 5 s.
 */
const IDLE_MS = 15_000;

interface Pool {
  agent: Agent;
  request(url: URL, options: RequestOptions): ClientRequest;
}

// Loaded on first use, not at require(): node:http and node:https cost a cold start about 5 ms,
// and a function configured never to call out (the sign function with an HS256 secret) never pays
// it. A plain require, not import(): the first import() starts Node's ESM loader, another 2 ms.
const pools: { http?: Pool; https?: Pool } = {};

function poolFor(url: string | URL): Pool {
  if (String(url).startsWith('https:')) {
    if (!pools.https) {
      const https: typeof import('node:https') = require('node:https');
      pools.https = { agent: new https.Agent({ keepAlive: true, timeout: IDLE_MS }), request: https.request };
    }
    return pools.https;
  }
  if (!pools.http) {
    const http: typeof import('node:http') = require('node:http');
    pools.http = { agent: new http.Agent({ keepAlive: true, timeout: IDLE_MS }), request: http.request };
  }
  return pools.http;
}

/** The instance's keep-alive pool for an endpoint's scheme (`https:` or anything else); pop-core is handed it for AssumeRole. */
export function agentFor(url: string | URL): Agent {
  return poolFor(url).agent;
}

// A body that is not waited for is still read to its end so the connection can be reused, up to
// this much; past it the connection is closed instead.
const DRAIN_MAX_BYTES = 64 * 1024;

export interface OutboundRequest {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';
  url: string | URL;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** The whole exchange, from asking for a connection to the last byte kept, in ms. */
  timeoutMs: number;
  /**
   * Most bytes of the answer's body kept; a longer body (declared or sent) fails the request with
   * `too-large`. 0: the answer is returned once its status and headers arrive, and its body is
   * drained in the background (within `timeoutMs`) so the connection goes back to the pool.
   */
  maxBodyBytes: number;
  /** Aborting it fails the request as a timeout (jose hands one over for the JWKS). */
  signal?: AbortSignal;
}

export interface OutboundResponse {
  status: number;
  /** Names in lower case, as node:http gives them. */
  headers: IncomingHttpHeaders;
  /** Empty for HEAD and when `maxBodyBytes` is 0. */
  body: Buffer;
}

export type OutboundFailure = 'timeout' | 'unreachable' | 'too-large';

/** A request that got no usable answer: no connection, a reset, the time limit, or a body over the bound. */
export class OutboundError extends Error {
  override name = 'OutboundError';
  constructor(readonly reason: OutboundFailure) {
    super(`outbound request failed: ${reason}`);
  }
}

/**
 * One request through the instance's keep-alive pool. Resolves with any status (3xx included,
 * never followed); rejects with OutboundError only. A connection the server closed while it sat
 * in the pool (ECONNRESET on a reused socket before any answer) is retried once on a new one, as
 * Node's documentation advises; the webhook's POST may therefore arrive twice, which its receivers
 * already handle (deliveries are at least once, de-duplicated by webhook-id).
 */
export async function request(r: OutboundRequest): Promise<OutboundResponse> {
  const deadline = performance.now() + r.timeoutMs;
  const url = typeof r.url === 'string' ? new URL(r.url) : r.url;
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new OutboundError('unreachable');
  return attempt(r, url, poolFor(url), deadline, true);
}

function attempt(r: OutboundRequest, url: URL, pool: Pool, deadline: number, mayRetry: boolean): Promise<OutboundResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...r.headers };
    if (r.body !== undefined) headers['content-length'] = String(Buffer.byteLength(r.body));
    const req = pool.request(url, { method: r.method, headers, agent: pool.agent });
    let settled = false;
    let answered = false;

    const finish = () => {
      settled = true;
      r.signal?.removeEventListener('abort', onAbort);
    };
    const fail = (reason: OutboundFailure) => {
      if (!settled) {
        finish();
        reject(new OutboundError(reason));
      }
      clearTimeout(timer);
      req.destroy();
    };
    const onAbort = () => fail('timeout');
    // After an early answer (maxBodyBytes 0), the timer still ends a body that never finishes.
    const timer = setTimeout(() => fail('timeout'), Math.max(0, deadline - performance.now()));
    if (r.signal?.aborted) return fail('timeout');
    r.signal?.addEventListener('abort', onAbort);

    req.on('error', (err: NodeJS.ErrnoException) => {
      if (settled) return;
      if (mayRetry && !answered && req.reusedSocket && (err.code === 'ECONNRESET' || err.code === 'EPIPE')) {
        finish();
        clearTimeout(timer);
        attempt(r, url, pool, deadline, false).then(resolve, reject);
        return;
      }
      fail('unreachable');
    });

    req.on('response', (res) => {
      answered = true;
      const status = res.statusCode ?? 0;
      res.on('error', () => fail('unreachable'));
      if (r.method === 'HEAD' || r.maxBodyBytes === 0) {
        finish();
        resolve({ status, headers: res.headers, body: Buffer.alloc(0) });
        let drained = 0;
        res.on('data', (chunk: Buffer) => {
          drained += chunk.length;
          if (drained > DRAIN_MAX_BYTES) fail('too-large');
        });
        res.on('end', () => clearTimeout(timer));
        return;
      }
      if (Number(res.headers['content-length']) > r.maxBodyBytes) return fail('too-large');
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > r.maxBodyBytes) return fail('too-large');
        chunks.push(chunk);
      });
      res.on('end', () => {
        if (settled) return;
        finish();
        clearTimeout(timer);
        resolve({ status, headers: res.headers, body: Buffer.concat(chunks) });
      });
      res.on('aborted', () => fail('unreachable'));
    });

    req.end(r.body);
  });
}

/**
 * A `fetch` for jose's createRemoteJWKSet (its `customFetch` option) over this client: the key set
 * comes through the instance's pool, bounded to `maxBodyBytes`, with jose's own abort signal.
 */
export function jwksFetch(timeoutMs: number, maxBodyBytes: number) {
  return async (url: string, init: { headers: Headers; signal: AbortSignal }): Promise<Response> => {
    const res = await request({ method: 'GET', url, headers: Object.fromEntries(init.headers), timeoutMs, maxBodyBytes, signal: init.signal });
    return new Response(new Uint8Array(res.body), { status: res.status });
  };
}
