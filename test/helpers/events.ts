// Function Compute 3.0 HTTP trigger events and contexts, shaped as FC delivers them to a handler:
// the event as a JSON Buffer, header names canonicalised the way Go's net/http does it.

import type { FcContext, FcCredentials } from '../../shared/http';
import { registerSecret } from '../setup/leaks';

/** A function role's STS credentials as FC passes them: the token is Base64 with "+", "/" and "=", as real ones are. */
export const FIXTURE_ROLE_CREDENTIALS: FcCredentials = {
  accessKeyId: 'STS.NTx7q2Hf9kLmW3bZcD8eRv',
  accessKeySecret: 'Hk3p9fQzLm2Wp8xTb7Vn4Rc6Yd1Ja0EsGu5',
  securityToken:
    'CAIS8wF1q6Ft5B2yfSjIr5bSD+/3h4lW0e+GhK3lM0rW2rR/s6jQg/7Qo0i1pGM3Uq6xqxF/2Vm9Dq+hL3nT0wYc5tJ/3Y7sS1k2pZqQ9eR8uV0mX4cK+fH7nB6/tG1qA3dE5wL2zP9yU8oI0aS7jF4gC3vB6nM1kO5rT2yH8wQ==',
};

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
}

/** Go's CanonicalMIMEHeaderKey: `x-oss-pub-key-url` → `X-Oss-Pub-Key-Url`; names with other characters stay as they are. */
export function canonicalHeaderName(name: string): string {
  if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(name)) return name;
  return name.toLowerCase().replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase());
}

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
    decodedPath = rawPath;
  }
  const event = {
    version: 'v1',
    rawPath,
    headers,
    queryParameters: opts.query ?? {},
    body: bytes === undefined ? '' : bytes.toString(base64 ? 'base64' : 'utf8'),
    isBase64Encoded: base64,
    requestContext: {
      accountId: '1234567890123456',
      domainName: 'trigger-1a2b3c.cn-hangzhou.fcapp.run',
      domainPrefix: 'trigger-1a2b3c',
      http: { method, path: decodedPath, protocol: 'HTTP/1.1', sourceIp: opts.sourceIp ?? '203.0.113.7', userAgent: headers['User-Agent'] ?? 'test' },
      requestId: opts.requestId ?? 'req-0001',
      time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      timeEpoch: String(Date.now()),
    },
  };
  return Buffer.from(JSON.stringify(event), 'utf8');
}

/**
 * The FC context a handler receives; credentials are the function role's temporary keys. Their
 * secret and token are registered with the log audit, so a line that carries them fails the test.
 */
export function fcContext(opts: { requestId?: string; credentials?: FcCredentials } = {}): FcContext {
  const credentials = opts.credentials ?? FIXTURE_ROLE_CREDENTIALS;
  registerSecret(credentials.accessKeySecret, credentials.securityToken);
  return {
    requestId: opts.requestId ?? 'req-0001',
    credentials,
    function: { name: 'test' },
    region: 'cn-hangzhou',
  };
}
