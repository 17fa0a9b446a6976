// A Node HTTP request turned into the event Function Compute 3.0 hands an HTTP-triggered function,
// and the handler's response struct written back: the local runtime's stand-in for the FC gateway.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FcHttpEvent, HttpResponse } from '../shared/http';

/** Go's net/http canonical form, as FC delivers header names: `x-oss-pub-key-url` → `X-Oss-Pub-Key-Url`. */
export function canonicalHeaderName(name: string): string {
  return name
    .toLowerCase()
    .split('-')
    .map((p) => (p ? p[0].toUpperCase() + p.slice(1) : p))
    .join('-');
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function isText(body: Buffer): boolean {
  try {
    utf8.decode(body);
    return true;
  } catch {
    return false;
  }
}

export function toFcEvent(req: IncomingMessage, body: Buffer, requestId: string): Buffer {
  const url = new URL(req.url ?? '/', 'http://local');
  const headers: Record<string, string> = {};
  for (const [name, values] of Object.entries(req.headersDistinct)) {
    if (values) headers[canonicalHeaderName(name)] = values.join(',');
  }
  const queryParameters: Record<string, string> = {};
  for (const [k, v] of url.searchParams) queryParameters[k] = k in queryParameters ? `${queryParameters[k]},${v}` : v;
  const now = new Date();
  let path = url.pathname;
  try {
    path = decodeURIComponent(url.pathname);
  } catch {
    // FC passes undecodable paths through; the handler refuses them.
  }
  const text = isText(body);
  const event: FcHttpEvent & Record<string, unknown> = {
    version: 'v1',
    rawPath: url.pathname,
    headers,
    queryParameters,
    body: text ? body.toString('utf8') : body.toString('base64'),
    isBase64Encoded: !text,
    requestContext: {
      accountId: '1234567890123456',
      domainName: req.headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: { method: req.method ?? 'GET', path, protocol: `HTTP/${req.httpVersion}`, sourceIp: req.socket.remoteAddress ?? '127.0.0.1', userAgent: req.headers['user-agent'] ?? '' },
      requestId,
      time: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      timeEpoch: String(now.getTime()),
    } as FcHttpEvent['requestContext'],
  };
  return Buffer.from(JSON.stringify(event));
}

export function writeFcResponse(res: ServerResponse, response: HttpResponse): void {
  const body = Buffer.from(response.body ?? '', response.isBase64Encoded ? 'base64' : 'utf8');
  res.writeHead(response.statusCode, { ...response.headers, 'Content-Length': String(body.length) });
  res.end(body);
}
