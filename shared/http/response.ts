// What a function answers: a JSON body in FC's response struct. Every error, whatever threw it,
// becomes its answer here and nowhere else: an ApiError as the catalogue says, a ConfigError as 500
// Misconfigured, anything else as 500 InternalError, never with its message or stack.

import { ApiError, type ApiErrorCode } from '../api/errors';
import type { ErrorBody } from '../api/types';
import { ConfigError } from '../config';
import type { LogFields } from '../log';

/** FC 3.0's response struct for HTTP triggers. */
export interface HttpResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  isBase64Encoded: boolean;
}

/** `body` as JSON with `status`; never cacheable (answers carry credentials and signatures). */
export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  return {
    statusCode: status,
    headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...headers },
    body: JSON.stringify(body),
    isBase64Encoded: false,
  };
}

/** An ApiError's headers: Retry-After when waiting helps, the Bearer challenge on every 401 (RFC 6750 §3), its own. */
function errorHeaders(err: ApiError): Record<string, string> {
  const headers: Record<string, string> = {};
  if (err.status === 401) headers['WWW-Authenticate'] = 'Bearer';
  if (err.retryAfter !== undefined) headers['Retry-After'] = String(err.retryAfter);
  return Object.assign(headers, err.headers);
}

/** The answer to a failed request, and what its log line should say about the failure. */
export function errorResponse(err: unknown, requestId: string): { response: HttpResponse; log: LogFields } {
  let code: ApiErrorCode;
  let status: number;
  let message: string;
  let headers: Record<string, string> = {};
  let log: LogFields;
  let rule: string | undefined;
  if (err instanceof ApiError) {
    rule = err.rule;
    ({ code, status, message } = err);
    headers = errorHeaders(err);
    log = { code, ...err.log };
  } else if (err instanceof ConfigError) {
    [code, status, message] = ['Misconfigured', 500, 'the function is misconfigured; see its log'];
    log = { code, detail: err.message };
  } else {
    [code, status, message] = ['InternalError', 500, 'internal error'];
    log = { code, error: err instanceof Error ? err.name : typeof err };
  }
  const body: ErrorBody<ApiErrorCode> = { error: rule === undefined ? { code, message, requestId } : { code, message, requestId, rule } };
  return { response: jsonResponse(status, body, headers), log };
}
