// The bucket's CORS rules as OSS applies them, read from the file the deployment puts on the real
// bucket (deploy/ram/bucket-cors.json, its ${ALLOWED_ORIGIN} standing for the configured origins), so
// what a browser may do locally is what the deployed bucket allows: the same methods, the same
// request headers, the same exposed response headers (ETag, the CRC-64, x-oss-meta-filename).
//
// OSS, "CORS" (PutBucketCors): rules are tried in order and the first whose AllowedOrigin,
// AllowedMethod and (for a preflight) AllowedHeader all match applies; AllowedOrigin and
// AllowedHeader may hold one `*` wildcard each; header names match case-insensitively.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CorsRule } from '../../deploy/ram/bucket-cors';
import { OssError } from './errors';

function wildcard(pattern: string, value: string, caseless = false): boolean {
  const [head, ...rest] = pattern.split('*');
  if (rest.length === 0) return caseless ? pattern.toLowerCase() === value.toLowerCase() : pattern === value;
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${escape(head)}.*${escape(rest.join('*'))}$`, caseless ? 'i' : '').test(value);
}

/** The first rule for this origin, method and requested headers, if any. */
function matching(rules: CorsRule[], origin: string, method: string, requestedHeaders: string[]): CorsRule | undefined {
  return rules.find(
    (rule) => rule.AllowedOrigin.some((o) => wildcard(o, origin)) && rule.AllowedMethod.includes(method) && requestedHeaders.every((h) => wildcard(rule.AllowedHeader, h, true)),
  );
}

function allowOrigin(rule: CorsRule, origin: string): string {
  return rule.AllowedOrigin.includes('*') ? '*' : origin;
}

/** Headers for an actual (non-preflight) response, when a rule matches its origin and method. */
export function applyCors(cors: CorsRule[], req: IncomingMessage, res: ServerResponse): void {
  const origin = req.headers.origin;
  if (!origin) return;
  const rule = matching(cors, origin, (req.method ?? 'GET').toUpperCase(), []);
  if (!rule) return;
  res.setHeader('Access-Control-Allow-Origin', allowOrigin(rule, origin));
  res.setHeader('Access-Control-Allow-Methods', rule.AllowedMethod.join(', '));
  res.setHeader('Access-Control-Expose-Headers', rule.ExposeHeader.join(', '));
  res.setHeader('Vary', 'Origin');
}

/** Answer an OPTIONS preflight, or throw 403 as OSS does when no rule matches. */
export function preflight(cors: CorsRule[], req: IncomingMessage, res: ServerResponse): void {
  const origin = req.headers.origin;
  const method = String(req.headers['access-control-request-method'] ?? '').toUpperCase();
  const requested = String(req.headers['access-control-request-headers'] ?? '');
  const names = requested.split(',').map((h) => h.trim()).filter(Boolean);
  const rule = origin ? matching(cors, origin, method, names) : undefined;
  if (!origin || !rule) {
    throw new OssError(403, 'AccessForbidden', 'CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Requet-Headers are not whitelisted by the resource\'s CORS spec.');
  }
  const headers: Record<string, string> = {
    'Access-Control-Allow-Origin': allowOrigin(rule, origin),
    'Access-Control-Allow-Methods': rule.AllowedMethod.join(', '),
    'Access-Control-Expose-Headers': rule.ExposeHeader.join(', '),
    'Access-Control-Max-Age': String(rule.MaxAgeSeconds),
    Vary: 'Origin',
    'Content-Length': '0',
  };
  if (requested) headers['Access-Control-Allow-Headers'] = requested;
  res.writeHead(200, headers);
  res.end();
}
