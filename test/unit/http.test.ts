import { ApiError } from '../../shared/api/errors';
import { type HandlerSpec, httpHandler } from '../../shared/http/handler';
import { readJson } from '../../shared/http/request';
import type { HttpResponse } from '../../shared/http/response';
import { setLogSink } from '../../shared/log';
import { configOf } from '../helpers/config';
import { fcContext, httpEvent } from '../helpers/events';

const ENV = {
  OSS_BUCKET: 'photos-prod',
  OSS_REGION: 'cn-hangzhou',
  CORS_ALLOWED_ORIGINS: 'https://app.example',
  MAX_BODY_BYTES: '2048',
};
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const JWT =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhbGljZSIsImlhdCI6MTcwMDAwMDAwMH0.dGhpcyBpcyBub3QgYSByZWFsIHNpZ25hdHVyZQ';

const config = configOf(ENV);
const route = (spec: HandlerSpec) => httpHandler(spec, config);

const echo = route({
  name: 'echo',
  methods: ['POST'],
  handle: async (req) => ({
    body: {
      method: req.method,
      path: req.path,
      headers: req.headers,
      pubKeyUrl: req.header('X-OSS-PUB-KEY-URL'),
      query: req.query,
      bodyHex: req.body.toString('hex'),
    },
  }),
});
const parse = route({ name: 'parse', methods: ['POST'], handle: async (req) => ({ body: readJson(req) }) });
const refuse = route({
  name: 'refuse',
  methods: ['POST'],
  handle: async () => {
    throw new ApiError('StsUnavailable', 'the credential service is unavailable', { retryAfter: 7 });
  },
});
const unauthorized = route({
  name: 'unauthorized',
  methods: ['POST'],
  handle: async () => {
    throw new ApiError('TokenExpired', 'the token has expired');
  },
});
const crash = route({
  name: 'crash',
  methods: ['POST'],
  handle: async () => {
    throw new Error(`upstream rejected AccessKeySecret ${SECRET}`);
  },
});
const nested = route({
  name: 'nested',
  methods: ['POST'],
  handle: async (req) => {
    req.note({ upstream: { response: { body: { data: { sts: { AccessKeySecret: SECRET } } } } } });
    return { body: { ok: true } };
  },
});
const chatty = route({
  name: 'chatty',
  methods: ['POST'],
  handle: async (req) => {
    req.note({
      user: 'alice',
      accessKeySecret: SECRET,
      url: `https://photos-prod.oss-cn-hangzhou.aliyuncs.com/a.jpg?x-oss-signature=${'ab'.repeat(32)}&x-oss-expires=300`,
      seen: `Bearer ${JWT}`,
    });
    return { body: { ok: true } };
  },
});

let lines: string[];
let restoreSink: (line: string) => void;

beforeEach(() => {
  lines = [];
  restoreSink = setLogSink((line) => lines.push(line));
});

afterEach(() => setLogSink(restoreSink));

/** A response body: an error, or whatever the route answered. */
interface Body {
  error: { code: string; message: string; requestId: string };
  [field: string]: unknown;
}

function json(res: HttpResponse): Body {
  return JSON.parse(res.body);
}

describe('request parsing', () => {
  test('a Base64-encoded binary body reaches the handler as the original bytes', async () => {
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const res = await echo(httpEvent({ path: '/echo', body: bytes, headers: { 'content-type': 'application/octet-stream' } }), fcContext());
    expect(res.statusCode).toBe(200);
    expect(json(res).bodyHex).toBe(bytes.toString('hex'));
  });

  test('a body that claims to be Base64 but is not is refused with 400 MalformedBody', async () => {
    const event = JSON.parse(httpEvent({ path: '/echo' }).toString('utf8'));
    Object.assign(event, { body: 'not base64!', isBase64Encoded: true });
    const res = await echo(event, fcContext());
    expect(res.statusCode).toBe(400);
    expect(json(res).error.code).toBe('MalformedBody');
  });

  test('headers are found whatever the case of their names', async () => {
    const url = Buffer.from('https://gosspublic.alicdn.com/callback_pub_key_v1.pem').toString('base64');
    const res = await echo(httpEvent({ path: '/echo', headers: { 'x-oss-pub-key-url': url, 'X-CUSTOM-thing': 'v' } }), fcContext());
    const body = json(res);
    expect(body.pubKeyUrl).toBe(url);
    expect(body.headers).toMatchObject({ 'x-oss-pub-key-url': url, 'x-custom-thing': 'v' });
  });

  test('the event may arrive as a Buffer, a string or an object', async () => {
    const event = httpEvent({ path: '/echo', body: 'hi' });
    for (const form of [event, event.toString('utf8'), JSON.parse(event.toString('utf8'))]) {
      const res = await echo(form, fcContext());
      expect(res.statusCode).toBe(200);
      expect(json(res).bodyHex).toBe(Buffer.from('hi').toString('hex'));
    }
  });

  test('an event that is not JSON is refused with 400 MalformedEvent', async () => {
    const res = await echo(Buffer.from('{"rawPath":'), fcContext());
    expect(res.statusCode).toBe(400);
    expect(json(res).error.code).toBe('MalformedEvent');
  });

  test('the query parameters and the decoded path reach the handler', async () => {
    const res = await echo(httpEvent({ path: '/api/%65cho', query: { a: '1,2' } }), fcContext());
    expect(json(res)).toMatchObject({ method: 'POST', path: '/api/echo', query: { a: '1,2' } });
  });
});

describe('limits and routing', () => {
  test('a body larger than MAX_BODY_BYTES is refused with 413', async () => {
    const res = await echo(httpEvent({ path: '/echo', body: 'x'.repeat(2049) }), fcContext());
    expect(res.statusCode).toBe(413);
    expect(json(res).error.code).toBe('PayloadTooLarge');
  });

  test('a body larger than MAX_BODY_BYTES is refused even when its Content-Length understates it', async () => {
    const res = await echo(httpEvent({ path: '/echo', body: Buffer.alloc(4096), headers: { 'Content-Length': '10' } }), fcContext());
    expect(res.statusCode).toBe(413);
    expect(json(res).error.code).toBe('PayloadTooLarge');
  });

  test('a body of exactly MAX_BODY_BYTES is accepted', async () => {
    const res = await echo(httpEvent({ path: '/echo', body: 'x'.repeat(2048) }), fcContext());
    expect(res.statusCode).toBe(200);
  });

  test('a method the route does not serve gets 405 with an Allow header', async () => {
    const res = await echo(httpEvent({ method: 'GET', path: '/echo' }), fcContext());
    expect(res.statusCode).toBe(405);
    expect(res.headers.Allow).toBe('POST');
    expect(json(res).error.code).toBe('MethodNotAllowed');
  });

  test.each(['/', '/echo', '/echo/', '/api/echo'])('the route answers on %s', async (path) => {
    expect((await echo(httpEvent({ path }), fcContext())).statusCode).toBe(200);
  });

  test.each(['/other', '/api/echo/extra', '/echoes', '/api/other'])('an unknown path %s gets 404 NotFound', async (path) => {
    const res = await echo(httpEvent({ path }), fcContext());
    expect(res.statusCode).toBe(404);
    expect(json(res).error.code).toBe('NotFound');
  });
});

describe('JSON bodies', () => {
  test('a JSON object is parsed', async () => {
    const res = await parse(httpEvent({ path: '/parse', body: { op: 'put', size: 3 } }), fcContext());
    expect(res.statusCode).toBe(200);
    expect(json(res)).toEqual({ op: 'put', size: 3 });
  });

  test.each([
    ['broken JSON', '{"op":'],
    ['a JSON array', '[1,2]'],
    ['a JSON string', '"put"'],
    ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0x7d])],
  ])('%s is refused with 400 MalformedJson', async (_, body) => {
    const res = await parse(httpEvent({ path: '/parse', body, headers: { 'content-type': 'application/json' } }), fcContext());
    expect(res.statusCode).toBe(400);
    expect(json(res).error.code).toBe('MalformedJson');
  });

  test('a body of another media type is refused with 415', async () => {
    const res = await parse(httpEvent({ path: '/parse', body: 'op=put', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), fcContext());
    expect(res.statusCode).toBe(415);
    expect(json(res).error.code).toBe('UnsupportedMediaType');
  });
});

describe('CORS', () => {
  test('a preflight from an allowed origin gets 204 and the CORS headers', async () => {
    const res = await echo(
      httpEvent({ method: 'OPTIONS', path: '/echo', headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' } }),
      fcContext(),
    );
    expect(res.statusCode).toBe(204);
    expect(res.headers).toMatchObject({
      'Access-Control-Allow-Origin': 'https://app.example',
      'Access-Control-Allow-Methods': 'POST, OPTIONS',
      'Access-Control-Allow-Headers': 'Authorization, Content-Type',
      Vary: 'Origin',
    });
  });

  test('a preflight from another origin is refused with 403 and no CORS headers', async () => {
    const res = await echo(
      httpEvent({ method: 'OPTIONS', path: '/echo', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } }),
      fcContext(),
    );
    expect(res.statusCode).toBe(403);
    expect(json(res).error.code).toBe('CorsOriginNotAllowed');
    expect(Object.keys(res.headers).filter((h) => h.startsWith('Access-Control-'))).toEqual([]);
  });

  test('a request from an allowed origin, even a refused one, carries Access-Control-Allow-Origin', async () => {
    const ok = await echo(httpEvent({ path: '/echo', headers: { origin: 'https://app.example' } }), fcContext());
    const refused = await refuse(httpEvent({ path: '/refuse', headers: { origin: 'https://app.example' } }), fcContext());
    expect(ok.headers['Access-Control-Allow-Origin']).toBe('https://app.example');
    expect(refused.headers['Access-Control-Allow-Origin']).toBe('https://app.example');
  });

  test("an answer to an allowed origin exposes Date, so a browser client can measure its clock against the server's", async () => {
    const ok = await echo(httpEvent({ path: '/echo', headers: { origin: 'https://app.example' } }), fcContext());
    expect(ok.headers['Access-Control-Expose-Headers']).toBe('Date, X-Request-Id');
  });

  test('a request from another origin carries no Access-Control-Allow-Origin', async () => {
    const res = await echo(httpEvent({ path: '/echo', headers: { origin: 'https://evil.example' } }), fcContext());
    expect(res.headers['Access-Control-Allow-Origin']).toBeUndefined();
  });
});

describe('errors', () => {
  test('an ApiError leaves as {error:{code,message,requestId}} with the catalogue\'s status and its Retry-After', async () => {
    const res = await refuse(httpEvent({ path: '/refuse' }), fcContext({ requestId: 'req-42' }));
    expect(res.statusCode).toBe(503);
    expect(res.headers['Content-Type']).toBe('application/json; charset=utf-8');
    expect(res.headers['X-Request-Id']).toBe('req-42');
    expect(res.headers['Retry-After']).toBe('7');
    expect(json(res)).toEqual({ error: { code: 'StsUnavailable', message: 'the credential service is unavailable', requestId: 'req-42' } });
  });

  test('every 401 carries the Bearer challenge', async () => {
    const res = await unauthorized(httpEvent({ path: '/unauthorized' }), fcContext());
    expect(res.statusCode).toBe(401);
    expect(res.headers['WWW-Authenticate']).toBe('Bearer');
    expect(json(res).error.code).toBe('TokenExpired');
  });

  test('an unexpected exception becomes 500 InternalError without its message or stack', async () => {
    const res = await crash(httpEvent({ path: '/crash' }), fcContext({ requestId: 'req-43' }));
    expect(res.statusCode).toBe(500);
    expect(json(res)).toEqual({ error: { code: 'InternalError', message: 'internal error', requestId: 'req-43' } });
    expect(res.body).not.toContain(SECRET);
    expect(res.body).not.toMatch(/upstream|\bat\b|\.ts/);
  });

  test('a misconfigured function answers 500 Misconfigured and keeps the detail for its log', async () => {
    const misconfigured = httpHandler({ name: 'echo', methods: ['POST'], handle: async () => ({ body: {} }) }, configOf({ ...ENV, OSS_BUCKET: undefined }));
    const res = await misconfigured(httpEvent({ path: '/echo' }), fcContext({ requestId: 'req-44' }));
    expect(res.statusCode).toBe(500);
    expect(json(res)).toEqual({ error: { code: 'Misconfigured', message: 'the function is misconfigured; see its log', requestId: 'req-44' } });
    expect(JSON.parse(lines[0]).detail).toContain('OSS_BUCKET');
  });

  test('without an FC request id, one is made up and returned', async () => {
    const res = await refuse(httpEvent({ path: '/refuse' }), {});
    expect(json(res).error.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers['X-Request-Id']).toBe(json(res).error.requestId);
  });
});

describe('the request log', () => {
  test('each request writes one JSON line with its outcome, status and latency', async () => {
    await echo(httpEvent({ path: '/echo' }), fcContext({ requestId: 'req-1' }));
    await echo(httpEvent({ method: 'GET', path: '/echo' }), fcContext({ requestId: 'req-2' }));
    expect(lines).toHaveLength(2);
    const [first, second] = lines.map((l) => JSON.parse(l));
    expect(first).toMatchObject({ level: 'info', fn: 'echo', requestId: 'req-1', method: 'POST', path: '/echo', status: 200, outcome: 'ok' });
    expect(second).toMatchObject({ level: 'warn', requestId: 'req-2', status: 405, code: 'MethodNotAllowed', outcome: 'refused' });
    for (const line of [first, second]) {
      expect(typeof line.latencyMs).toBe('number');
      expect(line.latencyMs).toBeGreaterThanOrEqual(0);
    }
  });

  test('an unexpected exception is logged as an error, without its message', async () => {
    await crash(httpEvent({ path: '/crash' }), fcContext());
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({ level: 'error', status: 500, code: 'InternalError', error: 'Error', outcome: 'failed' });
    expect(lines[0]).not.toContain(SECRET);
  });

  test('no secret reaches the line: not the Authorization header, noted secrets, signatures or JWTs', async () => {
    const res = await chatty(httpEvent({ path: '/chatty', headers: { Authorization: `Bearer ${JWT}` } }), fcContext());
    expect(res.statusCode).toBe(200);
    expect(lines).toHaveLength(1);
    const line = lines[0];
    expect(line).not.toContain(SECRET);
    expect(line).not.toContain(JWT);
    expect(line).not.toContain('ab'.repeat(32));
    expect(JSON.parse(line)).toMatchObject({ user: 'alice', status: 200 });
  });

  test('a secret nested deep inside a noted object does not reach the line either', async () => {
    await nested(httpEvent({ path: '/nested' }), fcContext());
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain(SECRET);
    expect(JSON.parse(lines[0]).status).toBe(200);
  });
});
