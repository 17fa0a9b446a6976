// The buckets' CORS rule: configured origins, the methods browsers upload and download with, any
// requested header, and ETag exposed (multipart uploads in a browser need it).

import type { IncomingMessage, ServerResponse } from 'node:http';
import { OssError } from './errors';

const METHODS = ['GET', 'PUT', 'POST', 'DELETE', 'HEAD'];
const EXPOSE = 'ETag, x-oss-request-id, x-oss-version-id';

function allowedOrigin(origins: string[], origin: string | undefined): string | undefined {
  if (!origin) return undefined;
  if (origins.includes('*')) return '*';
  return origins.includes(origin) ? origin : undefined;
}

/** Headers for an actual (non-preflight) response. */
export function applyCors(origins: string[], req: IncomingMessage, res: ServerResponse): void {
  const allow = allowedOrigin(origins, req.headers.origin);
  if (!allow) return;
  res.setHeader('Access-Control-Allow-Origin', allow);
  res.setHeader('Access-Control-Allow-Methods', METHODS.join(', '));
  res.setHeader('Access-Control-Expose-Headers', EXPOSE);
  res.setHeader('Vary', 'Origin');
}

/** Answer an OPTIONS preflight, or throw 403 as OSS does when no rule matches. */
export function preflight(origins: string[], req: IncomingMessage, res: ServerResponse): void {
  const allow = allowedOrigin(origins, req.headers.origin);
  const method = String(req.headers['access-control-request-method'] ?? '').toUpperCase();
  if (!allow || !METHODS.includes(method)) {
    throw new OssError(403, 'AccessForbidden', 'CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Requet-Headers are not whitelisted by the resource\'s CORS spec.');
  }
  const headers: Record<string, string> = {
    'Access-Control-Allow-Origin': allow,
    'Access-Control-Allow-Methods': METHODS.join(', '),
    'Access-Control-Expose-Headers': EXPOSE,
    'Access-Control-Max-Age': '600',
    Vary: 'Origin',
    'Content-Length': '0',
  };
  const requested = req.headers['access-control-request-headers'];
  if (requested) headers['Access-Control-Allow-Headers'] = String(requested);
  res.writeHead(200, headers);
  res.end();
}
