// A route wrapped into an FC 3.0 HTTP handler: parsing, limits, routing, CORS, the error answer and
// the request's one log line. Everything a route returns or throws leaves as JSON.

import { randomUUID } from 'node:crypto';
import { ApiError } from '../api/errors';
import type { ConfigSource } from '../config';
import { log, type LogFields } from '../log';
import { corsHeaders } from './cors';
import { type FcContext, parseEvent } from './event';
import { bodyBytes, decodePath, lowerHeaders, type Request } from './request';
import { errorResponse, type HttpResponse, jsonResponse } from './response';

/** What a route answers: a JSON body, 200 unless `status` says otherwise. */
export interface Reply {
  status?: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** One route: its name and path, the methods it serves, whether browsers may call it (CORS). */
export interface HandlerSpec {
  /** Function name; also the last path segment it answers on (`/`, `/<name>`, `/api/<name>`). */
  name: string;
  methods: string[];
  cors?: boolean;
  handle(req: Request): Promise<Reply>;
}

/** A Function Compute 3.0 handler: an event (JSON Buffer, string or object) and a context in, the response struct out. */
export type FcHandler = (event: unknown, context?: FcContext) => Promise<HttpResponse>;

function routeMatches(name: string, path: string): boolean {
  const p = path.replace(/\/+$/, '') || '/';
  return p === '/' || p === `/${name}` || p === `/api/${name}`;
}

/**
 * The FC handler of one route. `config` is asked for the configuration on every request (it caches);
 * a ConfigError it throws answers 500 Misconfigured, so a broken deploy fails loudly, not silently.
 */
export function httpHandler(spec: HandlerSpec, config: ConfigSource): FcHandler {
  return async (event, context = {}) => {
    const started = process.hrtime.bigint();
    const requestId = context.requestId || randomUUID();
    const fields: LogFields = { fn: spec.name, requestId };
    let response: HttpResponse;
    let cors: Record<string, string> | undefined;
    try {
      const cfg = config();
      const ev = parseEvent(event);
      const headers = lowerHeaders(ev.headers);
      const method = String(ev.requestContext?.http?.method ?? 'GET').toUpperCase();
      const rawPath = typeof ev.rawPath === 'string' ? ev.rawPath : '/';
      Object.assign(fields, { method, path: rawPath });
      if (spec.cors !== false) cors = corsHeaders(cfg.corsOrigins, headers['origin'], spec.methods);
      const path = decodePath(rawPath);
      if (!routeMatches(spec.name, path)) throw new ApiError('NotFound', `no route for ${rawPath}`);
      if (method === 'OPTIONS' && spec.cors !== false) {
        if (!cors) throw new ApiError('CorsOriginNotAllowed', 'this origin is not in CORS_ALLOWED_ORIGINS');
        response = { statusCode: 204, headers: { ...cors }, body: '', isBase64Encoded: false };
      } else {
        if (!spec.methods.includes(method)) {
          throw new ApiError('MethodNotAllowed', `use ${spec.methods.join(' or ')}`, { headers: { Allow: spec.methods.join(', ') } });
        }
        const declared = Number(headers['content-length']);
        if (Number.isFinite(declared) && declared > cfg.maxBodyBytes) {
          throw new ApiError('PayloadTooLarge', `the body must be at most ${cfg.maxBodyBytes} bytes`);
        }
        const body = bodyBytes(ev);
        if (body.length > cfg.maxBodyBytes) {
          throw new ApiError('PayloadTooLarge', `the body must be at most ${cfg.maxBodyBytes} bytes`);
        }
        const query = ev.queryParameters && typeof ev.queryParameters === 'object' ? ev.queryParameters : {};
        const req: Request = {
          method,
          path,
          rawPath,
          headers,
          query,
          body,
          requestId,
          sourceIp: ev.requestContext?.http?.sourceIp,
          context,
          config: cfg,
          header: (name) => headers[name.toLowerCase()],
          note: (more) => Object.assign(fields, more),
        };
        const reply = await spec.handle(req);
        response = jsonResponse(reply.status ?? 200, reply.body, reply.headers);
      }
    } catch (err) {
      const failed = errorResponse(err, requestId);
      response = failed.response;
      Object.assign(fields, failed.log);
    }
    if (cors) Object.assign(response.headers, cors);
    response.headers['X-Request-Id'] = requestId;
    fields.status = response.statusCode;
    fields.outcome ??= response.statusCode < 400 ? 'ok' : response.statusCode < 500 ? 'refused' : 'failed';
    fields.latencyMs = Number(process.hrtime.bigint() - started) / 1e6;
    log(response.statusCode >= 500 ? 'error' : response.statusCode >= 400 ? 'warn' : 'info', fields);
    return response;
  };
}
