// The only module that knows Function Compute 3.0 HTTP events: event in, response struct out.
// Everything a handler returns or throws leaves as JSON; nothing leaves as a stack trace.

import { randomUUID } from 'node:crypto';
import { strictBase64 } from './base64';
import { type JsonError, parseJsonObject } from './json';
import { type Config, ConfigError, getConfig } from './config';
import { log, type LogFields } from './log';
import { PolicyError } from './policy/errors';

export interface FcHttpEvent {
  version?: string;
  rawPath?: string;
  headers?: Record<string, string>;
  queryParameters?: Record<string, string>;
  body?: string;
  isBase64Encoded?: boolean;
  requestContext?: {
    requestId?: string;
    http?: { method?: string; path?: string; sourceIp?: string };
    time?: string;
  };
}

export interface FcCredentials {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
}

export interface FcContext {
  requestId?: string;
  credentials?: FcCredentials;
  function?: { name?: string };
  region?: string;
  logger?: unknown;
}

export interface HttpResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  isBase64Encoded: boolean;
}

export interface Request {
  method: string;
  /** Percent-decoded path. */
  path: string;
  /** The path as it arrived, still percent-encoded. */
  rawPath: string;
  /** Header names lower-cased; repeated headers arrive comma-joined from FC. */
  headers: Record<string, string>;
  query: Record<string, string>;
  /** The body bytes exactly as sent (the callback signature covers them). */
  body: Buffer;
  requestId: string;
  sourceIp?: string;
  context: FcContext;
  config: Config;
  header(name: string): string | undefined;
  /** Add fields to this request's log line. */
  note(fields: LogFields): void;
}

export interface Reply {
  status?: number;
  body: unknown;
  headers?: Record<string, string>;
}

export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function parseEvent(event: unknown): FcHttpEvent {
  let raw: unknown = event;
  if (Buffer.isBuffer(raw)) raw = raw.toString('utf8');
  if (typeof raw === 'string') {
    try {
      raw = JSON.parse(raw);
    } catch {
      throw new HttpError(400, 'MalformedEvent', 'the event is not JSON');
    }
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new HttpError(400, 'MalformedEvent', 'the event is not an HTTP trigger event');
  }
  return raw as FcHttpEvent;
}

function lowerHeaders(headers: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (headers && typeof headers === 'object') {
    for (const [k, v] of Object.entries(headers)) {
      if (typeof v === 'string') out[k.toLowerCase()] = v;
      else if (Array.isArray(v)) out[k.toLowerCase()] = v.join(',');
    }
  }
  return out;
}

function bodyBytes(ev: FcHttpEvent): Buffer {
  if (ev.body === undefined || ev.body === null) return Buffer.alloc(0);
  if (typeof ev.body !== 'string') throw new HttpError(400, 'MalformedEvent', 'the event body is not a string');
  if (!ev.isBase64Encoded) return Buffer.from(ev.body, 'utf8');
  const bytes = strictBase64(ev.body);
  if (!bytes) throw new HttpError(400, 'MalformedBody', 'the body is not valid Base64');
  return bytes;
}

function decodePath(rawPath: string): string {
  try {
    return decodeURIComponent(rawPath);
  } catch {
    throw new HttpError(400, 'MalformedPath', 'the path is not valid percent-encoding');
  }
}

export function readJson(req: Request): Record<string, unknown> {
  if (req.body.length === 0) return {};
  const type = (req.header('content-type') ?? '').split(';')[0].trim().toLowerCase();
  if (type !== '' && type !== 'application/json' && type !== 'text/plain') {
    throw new HttpError(415, 'UnsupportedMediaType', `expected application/json, got ${type}`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(req.body);
  } catch {
    throw new HttpError(400, 'MalformedJson', 'the body is not valid UTF-8');
  }
  try {
    return parseJsonObject(text);
  } catch (err) {
    throw new HttpError(400, 'MalformedJson', (err as JsonError).message);
  }
}

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  return {
    statusCode: status,
    headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...headers },
    body: JSON.stringify(body),
    isBase64Encoded: false,
  };
}

function errorResponse(status: number, code: string, message: string, requestId: string, headers: Record<string, string> = {}) {
  return jsonResponse(status, { error: { code, message, requestId } }, headers);
}

function corsHeaders(config: Config | undefined, origin: string | undefined, methods: string[]): Record<string, string> | undefined {
  if (!config || !origin) return undefined;
  const allowed = config.corsOrigins.includes('*') || config.corsOrigins.includes(origin);
  if (!allowed) return undefined;
  return {
    'Access-Control-Allow-Origin': config.corsOrigins.includes('*') ? '*' : origin,
    'Access-Control-Allow-Methods': [...methods, 'OPTIONS'].join(', '),
    'Access-Control-Allow-Headers': 'Authorization, Content-Type',
    'Access-Control-Max-Age': '600',
    Vary: 'Origin',
  };
}

export interface HandlerSpec {
  /** Function name; also the last path segment it answers on (`/`, `/<name>`, `/api/<name>`). */
  name: string;
  methods: string[];
  cors?: boolean;
  handle(req: Request): Promise<Reply>;
}

export type FcHandler = (event: unknown, context?: FcContext) => Promise<HttpResponse>;

function routeMatches(name: string, path: string): boolean {
  const p = path.replace(/\/+$/, '') || '/';
  return p === '/' || p === `/${name}` || p === `/api/${name}`;
}

/** Wrap a route into an FC 3.0 HTTP handler: parsing, limits, CORS, errors and the request's log line. */
export function httpHandler(spec: HandlerSpec): FcHandler {
  return async (event, context = {}) => {
    const started = process.hrtime.bigint();
    const requestId = context.requestId || randomUUID();
    const fields: LogFields = { fn: spec.name, requestId };
    let response: HttpResponse;
    let cors: Record<string, string> | undefined;
    try {
      const config = getConfig();
      const ev = parseEvent(event);
      const headers = lowerHeaders(ev.headers);
      const method = String(ev.requestContext?.http?.method ?? 'GET').toUpperCase();
      const rawPath = typeof ev.rawPath === 'string' ? ev.rawPath : '/';
      Object.assign(fields, { method, path: rawPath });
      if (spec.cors !== false) cors = corsHeaders(config, headers['origin'], spec.methods);
      const path = decodePath(rawPath);
      if (!routeMatches(spec.name, path)) throw new HttpError(404, 'NotFound', `no route for ${rawPath}`);
      if (method === 'OPTIONS' && spec.cors !== false) {
        if (!cors) throw new HttpError(403, 'CorsOriginNotAllowed', 'this origin is not in CORS_ALLOWED_ORIGINS');
        response = { statusCode: 204, headers: { ...cors }, body: '', isBase64Encoded: false };
      } else {
        if (!spec.methods.includes(method)) {
          throw new HttpError(405, 'MethodNotAllowed', `use ${spec.methods.join(' or ')}`, { Allow: spec.methods.join(', ') });
        }
        const declared = Number(headers['content-length']);
        if (Number.isFinite(declared) && declared > config.maxBodyBytes) {
          throw new HttpError(413, 'PayloadTooLarge', `the body must be at most ${config.maxBodyBytes} bytes`);
        }
        const body = bodyBytes(ev);
        if (body.length > config.maxBodyBytes) {
          throw new HttpError(413, 'PayloadTooLarge', `the body must be at most ${config.maxBodyBytes} bytes`);
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
          config,
          header: (name) => headers[name.toLowerCase()],
          note: (more) => Object.assign(fields, more),
        };
        const reply = await spec.handle(req);
        response = jsonResponse(reply.status ?? 200, reply.body, reply.headers);
      }
    } catch (err) {
      if (err instanceof HttpError) {
        response = errorResponse(err.status, err.code, err.message, requestId, err.headers);
        fields.code = err.code;
      } else if (err instanceof PolicyError) {
        // A request that breaks the upload rules is the client's to fix.
        response = errorResponse(400, err.code, err.message, requestId);
        fields.code = err.code;
      } else if (err instanceof ConfigError) {
        response = errorResponse(500, 'Misconfigured', 'the function is misconfigured; see its log', requestId);
        Object.assign(fields, { code: 'Misconfigured', detail: err.message });
      } else {
        response = errorResponse(500, 'InternalError', 'internal error', requestId);
        Object.assign(fields, { code: 'InternalError', error: err instanceof Error ? err.name : typeof err });
      }
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
