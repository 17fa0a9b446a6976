// The client's uploads and error reports in Node, against a loopback server that plays /api and OSS
// and records what arrived.

import Busboy, { type BusboyHeaders } from '@fastify/busboy';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UploadError, UploadSession, type UploadProgress } from '../../client';
import { callbackOf } from '../../client/multipart';

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

type Route = (req: Received, res: ServerResponse, base: string) => void;

interface Loopback {
  base: string;
  received: Received[];
  close: () => Promise<void>;
}

async function loopback(routes: Record<string, Route>): Promise<Loopback> {
  const received: Received[] = [];
  let base = '';
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: Received = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) };
      received.push(r);
      const route = routes[`${r.method} ${r.url.split('?')[0]}`];
      if (route) route(r, res, base);
      else reply(res, 404, { error: { code: 'NotFound', message: 'no route' } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    received,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function reply(res: ServerResponse, status: number, body: unknown, type = 'application/json'): void {
  res.writeHead(status, { 'Content-Type': type });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

function ossError(code: string, message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error>\n  <Code>${code}</Code>\n  <Message>${message}</Message>\n  <RequestId>oss-req-1</RequestId>\n</Error>`;
}

function session(srv: Loopback): UploadSession {
  return new UploadSession({ baseUrl: `${srv.base}/api`, authToken: () => 'jwt-of-alice' });
}

const CALLBACK_ANSWER = { ok: true, object: 'users/alice/abc.png', size: 5 };
const file = new Blob([Buffer.from('hello')], { type: 'image/png' });

let srv: Loopback | undefined;
afterEach(async () => {
  await srv?.close();
  srv = undefined;
});

const signError = (status: number, code: string, message: string): Route => (_req, res) =>
  reply(res, status, { error: { code, message, requestId: 'req-42' } });

test('a file over the size limit is refused as TooLarge with the reason the server gave', async () => {
  srv = await loopback({ 'POST /api/sign': signError(400, 'TooLarge', 'size 31457281 is over the limit of 31457280 bytes') });
  const err = (await session(srv).upload(file, { method: 'put' }).catch((e: unknown) => e)) as UploadError;
  expect(err).toBeInstanceOf(UploadError);
  expect(err.code).toBe('TooLarge');
  expect(err.message).toBe('The file is too large (size 31457281 is over the limit of 31457280 bytes)');
  expect(err.detail).toEqual({ status: 400, serverCode: 'TooLarge', requestId: 'req-42' });
});

test('a type the rules do not allow is refused as TypeNotAllowed', async () => {
  srv = await loopback({ 'POST /api/sign': signError(400, 'ContentTypeNotAllowed', 'text/html is not allowed; allowed: image/png') });
  const err = (await session(srv).upload(file, { method: 'post', contentType: 'text/html' }).catch((e: unknown) => e)) as UploadError;
  expect(err.code).toBe('TypeNotAllowed');
  expect(err.message).toMatch(/not allowed.*text\/html/);
});

test('an expired sign-in is reported as Expired and asks the user to sign in again', async () => {
  srv = await loopback({ 'POST /api/sign': signError(401, 'TokenExpired', 'the token has expired') });
  const err = (await session(srv).upload(file, { method: 'put' }).catch((e: unknown) => e)) as UploadError;
  expect(err.code).toBe('Expired');
  expect(err.message).toMatch(/sign in again/);
});

test('an error code named like an object property is classified by its status alone', async () => {
  srv = await loopback({ 'POST /api/sign': signError(400, 'constructor', 'odd') });
  const err = (await session(srv).upload(file, { method: 'put' }).catch((e: unknown) => e)) as UploadError;
  expect(err.code).toBe('Invalid');
});

test('a service that cannot be reached is a Network error', async () => {
  srv = await loopback({});
  const s = session(srv);
  await srv.close();
  srv = undefined;
  const err = (await s.upload(file, { method: 'put' }).catch((e: unknown) => e)) as UploadError;
  expect(err.code).toBe('Network');
});

test('a presigned PUT sends every signed header except Content-Length, sends the file, and returns the callback answer', async () => {
  srv = await loopback({
    'POST /api/sign': (req, res, base) => {
      const asked = JSON.parse(req.body.toString()) as { op: string; contentType: string; size: number };
      reply(res, 200, {
        method: 'PUT',
        url: `${base}/local-uploads/users/alice/abc.png?x-oss-signature=s`,
        headers: { 'Content-Type': asked.contentType, 'Content-Length': String(asked.size), 'x-oss-forbid-overwrite': 'true' },
        key: 'users/alice/abc.png',
        expiresAt: new Date(Date.now() + 300_000).toISOString(),
      });
    },
    'PUT /local-uploads/users/alice/abc.png': (_req, res) => reply(res, 200, CALLBACK_ANSWER),
  });
  const progress: UploadProgress[] = [];
  const result = await session(srv).upload(file, { method: 'put', onProgress: (p) => progress.push(p) });

  const [sign, put] = srv.received;
  expect(sign.headers.authorization).toBe('Bearer jwt-of-alice');
  expect(JSON.parse(sign.body.toString())).toMatchObject({ op: 'put', contentType: 'image/png', size: 5 });
  expect(put.headers['content-type']).toBe('image/png');
  expect(put.headers['x-oss-forbid-overwrite']).toBe('true');
  expect(put.headers['content-length']).toBe('5');
  expect(put.body.toString()).toBe('hello');
  expect(result).toEqual({ key: 'users/alice/abc.png', method: 'put', size: 5, contentType: 'image/png', callback: CALLBACK_ANSWER, resumedParts: 0 });
  expect(progress.at(-1)).toEqual({ method: 'put', loaded: 5, total: 5, fraction: 1 });
});

test('a PostObject upload sends the signed fields first and the file last, and returns the callback answer', async () => {
  const fields = { key: 'users/alice/abc.png', success_action_status: '200', policy: 'cG9saWN5', 'x-oss-signature': 'sig', 'Content-Type': 'image/png' };
  const order: string[] = [];
  let fileBody = '';
  srv = await loopback({
    'POST /api/sign': (_req, res, base) =>
      reply(res, 200, { url: `${base}/local-uploads`, fields, key: fields.key, expiresAt: new Date().toISOString(), maxSize: 5 }),
    'POST /local-uploads': (req, res) => {
      const parser = Busboy({ headers: req.headers as BusboyHeaders });
      parser.on('field', (name) => order.push(name));
      parser.on('file', (name, stream) => {
        order.push(name);
        stream.on('data', (c: Buffer) => (fileBody += c.toString()));
      });
      parser.on('finish', () => reply(res, 200, CALLBACK_ANSWER));
      parser.end(req.body);
    },
  });
  const result = await session(srv).upload(file, { method: 'post' });
  expect(order).toEqual([...Object.keys(fields), 'file']);
  expect(fileBody).toBe('hello');
  expect(result.callback).toEqual(CALLBACK_ANSWER);
});

const putPlanTo = (path: string): Route => (_req, res, base) =>
  reply(res, 200, { method: 'PUT', url: `${base}${path}`, headers: { 'Content-Type': 'image/png' }, key: 'users/alice/abc.png', expiresAt: '' });

test("OSS's refusal of an expired URL is reported as Expired, not as a generic denial", async () => {
  srv = await loopback({
    'POST /api/sign': putPlanTo('/local-uploads/users/alice/abc.png'),
    'PUT /local-uploads/users/alice/abc.png': (_req, res) => reply(res, 403, ossError('AccessDenied', 'Request has expired.'), 'application/xml'),
  });
  const err = (await session(srv).upload(file, { method: 'put' }).catch((e: unknown) => e)) as UploadError;
  expect(err.code).toBe('Expired');
  expect(err.detail).toEqual({ status: 403, serverCode: 'AccessDenied', requestId: 'oss-req-1' });
});

test('a 203 from OSS says the file was stored but the callback failed', async () => {
  srv = await loopback({
    'POST /api/sign': putPlanTo('/local-uploads/users/alice/abc.png'),
    'PUT /local-uploads/users/alice/abc.png': (_req, res) => reply(res, 203, ossError('CallbackFailed', 'Response body is not valid json format.'), 'application/xml'),
  });
  const err = (await session(srv).upload(file, { method: 'put' }).catch((e: unknown) => e)) as UploadError;
  expect(err.code).toBe('CallbackFailed');
  expect(err.message).toMatch(/stored, but the upload callback failed/);
});

test('aborting the signal cancels an upload in flight', async () => {
  const controller = new AbortController();
  srv = await loopback({
    'POST /api/sign': putPlanTo('/slow'),
    'PUT /slow': () => controller.abort(), // never answers; the client gives up
  });
  const err = (await session(srv).upload(file, { method: 'put', signal: controller.signal }).catch((e: unknown) => e)) as UploadError;
  expect(err.code).toBe('Cancelled');
});

test('a multipart upload of a file the rules refuse is stopped before any part is sent', async () => {
  srv = await loopback({
    'POST /api/token': (_req, res, base) =>
      reply(res, 200, {
        StatusCode: 200, AccessKeyId: 'STS.a', AccessKeySecret: 's', SecurityToken: 't',
        Expiration: new Date(Date.now() + 900_000).toISOString(),
        bucket: 'local-uploads', region: 'cn-hangzhou', endpoint: base.replace('127.0.0.1', 'localhost'), prefix: 'users/alice/',
      }),
    'POST /api/sign': signError(400, 'TooLarge', 'size 5 is over the limit of 4 bytes'),
  });
  const err = (await session(srv).upload(file, { method: 'multipart' }).catch((e: unknown) => e)) as UploadError;
  expect(err.code).toBe('TooLarge');
  expect(srv.received.map((r) => `${r.method} ${r.url}`)).toEqual(['POST /api/token', 'POST /api/sign']);
});

test('the multipart path completes with the very callback /sign pinned for its key', async () => {
  const callbackParams = { callbackUrl: 'https://app.example/api/callback', callbackBody: '{"object":${object},"mac":"m"}', callbackBodyType: 'application/json' };
  const plan = { key: 'users/alice/k.png', headers: { 'x-oss-forbid-overwrite': 'true' }, callback: 'b64', callbackParams, expiresAt: '2026-01-01T00:00:00.000Z' };
  expect(callbackOf(plan)).toEqual({ url: 'https://app.example/api/callback', body: '{"object":${object},"mac":"m"}', contentType: 'application/json' });
  expect(callbackOf({ ...plan, callback: null, callbackParams: null, expiresAt: null })).toBeUndefined();
});
