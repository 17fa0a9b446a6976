// The only module that knows the shapes Function Compute 3.0 invokes a function with: the HTTP
// trigger event, the OSS trigger event and the context. Nothing else in shared/ looks at them.

import { ApiError } from '../api/errors';

/** FC 3.0 HTTP trigger event (https://www.alibabacloud.com/help/en/functioncompute/fc-3-0/user-guide/http-trigger-invoking-function). */
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

/** The function role's temporary credentials, as FC passes them in the context. */
export interface FcCredentials {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
}

/** The context FC passes with every invocation. */
export interface FcContext {
  requestId?: string;
  credentials?: FcCredentials;
  function?: { name?: string };
  region?: string;
  logger?: unknown;
}

/** FC's OSS trigger event: `{"events":[…]}`, one record per OSS notification. */
export interface OssTriggerEvent {
  events: unknown[];
}

/** The role credentials FC passed, or undefined when the function has no role (or they are incomplete). */
export function roleCredentials(context: FcContext): FcCredentials | undefined {
  const c = context.credentials;
  return c?.accessKeyId && c.accessKeySecret ? c : undefined;
}

/** The invocation payload as a JSON value, or undefined when it is not JSON. */
function jsonOf(event: unknown): unknown {
  if (!Buffer.isBuffer(event) && typeof event !== 'string') return event;
  try {
    return JSON.parse(event.toString());
  } catch {
    return undefined;
  }
}

/** An OSS trigger event rather than an HTTP request: an HTTP event always has rawPath and requestContext. */
export function isOssTriggerEvent(value: unknown): value is OssTriggerEvent {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  return Array.isArray(v.events) && v.rawPath === undefined && v.requestContext === undefined;
}

/**
 * What a function with both triggers was invoked with, parsed once: an OSS trigger event, or an
 * HTTP event to hand to the HTTP handler (as parsed, or as it came when it is not JSON, for
 * parseEvent to refuse).
 */
export function invocation(event: unknown): { oss: OssTriggerEvent } | { http: unknown } {
  const value = jsonOf(event);
  return isOssTriggerEvent(value) ? { oss: value } : { http: value ?? event };
}

/** The HTTP trigger event, or ApiError MalformedEvent when it is not one. */
export function parseEvent(event: unknown): FcHttpEvent {
  const isText = Buffer.isBuffer(event) || typeof event === 'string';
  const raw = jsonOf(event);
  if (isText && raw === undefined) throw new ApiError('MalformedEvent', 'the event is not JSON');
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ApiError('MalformedEvent', 'the event is not an HTTP trigger event');
  }
  return raw as FcHttpEvent;
}
