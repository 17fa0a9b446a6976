// The events Function Compute 3.0 hands an HTTP-triggered function, built the way FC builds them
// (header names in Go's canonical form, binary bodies Base64-encoded), and the handler's response
// struct written back: the local runtime's stand-in for the FC gateway, and the events tests and
// benchmarks invoke handlers with.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FcContext, FcCredentials, FcHttpEvent } from '../shared/http/event';
import type { HttpResponse } from '../shared/http/response';
import { strictUtf8 } from '../shared/text';

/** Go's CanonicalMIMEHeaderKey, as FC delivers header names: `x-oss-pub-key-url` → `X-Oss-Pub-Key-Url`; names with other characters stay as they are. */
export function canonicalHeaderName(name: string): string {
  if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(name)) return name;
  return name.toLowerCase().replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase());
}

/** What an HTTP trigger event carries; everything has a default. */
export interface EventOptions {
  method?: string;
  /** The path as sent on the wire, percent-encoding included. */
  path?: string;
  headers?: Record<string, string>;
  /** A string or Buffer is sent as is; anything else is sent as JSON (with Content-Type application/json unless given). */
  body?: string | Buffer | object;
  /** Deliver the body Base64-encoded, as FC does for binary bodies; default: true for a Buffer body. */
  base64?: boolean;
  query?: Record<string, string>;
  requestId?: string;
  sourceIp?: string;
  /** The trigger's host name. */
  domainName?: string;
  protocol?: string;
  userAgent?: string;
}

/** An FC 3.0 HTTP trigger event, as the JSON Buffer a handler receives. */
export function httpEvent(opts: EventOptions = {}): Buffer {
  const method = (opts.method ?? 'POST').toUpperCase();
  const rawPath = opts.path ?? '/';
  const headers: Record<string, string> = {};
  let bytes: Buffer | undefined;
  if (opts.body !== undefined) {
    if (typeof opts.body === 'string') bytes = Buffer.from(opts.body, 'utf8');
    else if (Buffer.isBuffer(opts.body)) bytes = opts.body;
    else {
      bytes = Buffer.from(JSON.stringify(opts.body), 'utf8');
      headers['Content-Type'] = 'application/json';
    }
    headers['Content-Length'] = String(bytes.length);
  }
  const given: Record<string, string> = {};
  for (const [name, value] of Object.entries(opts.headers ?? {})) {
    const canonical = canonicalHeaderName(name);
    // The same header twice (here: the name in two spellings) arrives comma-joined.
    given[canonical] = canonical in given ? `${given[canonical]},${value}` : value;
  }
  Object.assign(headers, given);
  const base64 = opts.base64 ?? Buffer.isBuffer(opts.body);
  let decodedPath: string;
  try {
    decodedPath = decodeURIComponent(rawPath);
  } catch {
    // FC passes undecodable paths through; the handler refuses them.
    decodedPath = rawPath;
  }
  const now = new Date();
  const domainName = opts.domainName ?? 'trigger-1a2b3c.cn-hangzhou.fcapp.run';
  const event: FcHttpEvent & Record<string, unknown> = {
    version: 'v1',
    rawPath,
    headers,
    queryParameters: opts.query ?? {},
    body: bytes === undefined ? '' : bytes.toString(base64 ? 'base64' : 'utf8'),
    isBase64Encoded: base64,
    requestContext: {
      accountId: '1234567890123456',
      domainName,
      domainPrefix: domainName.split('.')[0],
      http: { method, path: decodedPath, protocol: opts.protocol ?? 'HTTP/1.1', sourceIp: opts.sourceIp ?? '203.0.113.7', userAgent: opts.userAgent ?? headers['User-Agent'] ?? 'test' },
      requestId: opts.requestId ?? 'req-0001',
      time: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      timeEpoch: String(now.getTime()),
    } as FcHttpEvent['requestContext'],
  };
  return Buffer.from(JSON.stringify(event), 'utf8');
}

/** A function role's STS credentials as FC passes them: the token is Base64 with "+", "/" and "=", as real ones are. */
export const FIXTURE_ROLE_CREDENTIALS: FcCredentials = {
  accessKeyId: 'STS.NTx7q2Hf9kLmW3bZcD8eRv',
  accessKeySecret: 'Hk3p9fQzLm2Wp8xTb7Vn4Rc6Yd1Ja0EsGu5',
  securityToken:
    'CAIS8wF1q6Ft5B2yfSjIr5bSD+/3h4lW0e+GhK3lM0rW2rR/s6jQg/7Qo0i1pGM3Uq6xqxF/2Vm9Dq+hL3nT0wYc5tJ/3Y7sS1k2pZqQ9eR8uV0mX4cK+fH7nB6/tG1qA3dE5wL2zP9yU8oI0aS7jF4gC3vB6nM1kO5rT2yH8wQ==',
};

/** The FC context a handler receives; credentials are the function role's temporary keys. */
export function fcContext(opts: { requestId?: string; credentials?: FcCredentials } = {}): FcContext {
  return {
    requestId: opts.requestId ?? 'req-0001',
    credentials: opts.credentials ?? FIXTURE_ROLE_CREDENTIALS,
    function: { name: 'test' },
    region: 'cn-hangzhou',
  };
}

/** A Node HTTP request as FC would deliver it: a text body as it is, any other Base64-encoded. */
export function toFcEvent(req: IncomingMessage, body: Buffer, requestId: string): Buffer {
  const url = new URL(req.url ?? '/', 'http://local');
  const headers: Record<string, string> = {};
  for (const [name, values] of Object.entries(req.headersDistinct)) {
    if (values) headers[name] = values.join(',');
  }
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = k in query ? `${query[k]},${v}` : v;
  return httpEvent({
    method: req.method ?? 'GET',
    path: url.pathname,
    headers,
    body,
    base64: strictUtf8(body) === undefined,
    query,
    requestId,
    sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
    domainName: req.headers.host ?? 'localhost',
    protocol: `HTTP/${req.httpVersion}`,
    userAgent: req.headers['user-agent'] ?? '',
  });
}

/** An FC response struct written to a Node response, as the FC gateway would. */
export function writeFcResponse(res: ServerResponse, response: HttpResponse): void {
  const body = Buffer.from(response.body ?? '', response.isBase64Encoded ? 'base64' : 'utf8');
  res.writeHead(response.statusCode, { ...response.headers, 'Content-Length': String(body.length) });
  res.end(body);
}
