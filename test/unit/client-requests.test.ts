// The client's uploads and error reports in Node, against a loopback server that plays /api and OSS
// and records what arrived.

import Busboy, { type BusboyHeaders } from '@fastify/busboy';
import { randomBytes } from 'node:crypto';
import { UploadError, UploadSession, type UploadProgress } from '../../client';
import { crc64OfBlob } from '../../client/crc64';
import { callbackOf } from '../../client/multipart';
import { crc64 } from '../../local/oss/crc64';
import { loopback, ossError, reply, type Loopback, type Route } from '../helpers/loopback';

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

test('a multipart upload stops sending once OSS refuses a part: the part in flight finishes, no new part starts', async () => {
  const partOf = (r: { url: string }) => Number(new URL(r.url, 'http://oss').searchParams.get('partNumber'));
  srv = await loopback({
    'POST /api/token': (_req, res, base) =>
      reply(res, 200, {
        StatusCode: 200, AccessKeyId: 'STS.a', AccessKeySecret: 's', SecurityToken: 't',
        Expiration: new Date(Date.now() + 900_000).toISOString(),
        bucket: 'local-uploads', region: 'cn-hangzhou', endpoint: base, prefix: 'users/alice/',
      }),
    'POST /api/sign': (_req, res) => reply(res, 200, { key: 'users/alice/k.pdf', headers: {}, callback: null, callbackParams: null, expiresAt: null }),
    'POST /local-uploads/users/alice/k.pdf': (_req, res) =>
      reply(res, 200, '<InitiateMultipartUploadResult><Bucket>local-uploads</Bucket><Key>users/alice/k.pdf</Key><UploadId>U1</UploadId></InitiateMultipartUploadResult>', 'application/xml'),
    'PUT /local-uploads/users/alice/k.pdf': (req, res) => {
      if (partOf(req) === 1) return reply(res, 403, ossError('AccessDenied', 'The bucket policy refuses this part.'), 'application/xml');
      setTimeout(() => void res.writeHead(200, { ETag: `"E${partOf(req)}"` }).end(), 100);
    },
  });
  const file = new Blob([randomBytes(6 * 100 * 1024)], { type: 'application/pdf' });
  const err = (await session(srv).upload(file, { method: 'multipart', partSize: 100 * 1024, parallel: 2 }).catch((e: unknown) => e)) as UploadError;
  expect(err.code).toBe('Denied');
  await new Promise((r) => setTimeout(r, 400)); // long enough for part 2 to finish and more parts to start, were they going to
  expect(srv.received.filter((r) => r.method === 'PUT').map(partOf).sort()).toEqual([1, 2]);
});

test('the multipart path completes with the very callback /sign pinned for its key, SNI included for HTTPS', async () => {
  const callbackParams = { callbackUrl: 'https://app.example/api/callback', callbackBody: '{"object":${object},"mac":"m"}', callbackBodyType: 'application/json', callbackSNI: true as const };
  const plan = { key: 'users/alice/k.png', headers: { 'x-oss-forbid-overwrite': 'true' }, callback: 'b64', callbackParams, expiresAt: '2026-01-01T00:00:00.000Z' };
  expect(callbackOf(plan)).toEqual({ url: 'https://app.example/api/callback', body: '{"object":${object},"mac":"m"}', contentType: 'application/json', callbackSNI: true });
  const plain = { ...plan, callbackParams: { ...callbackParams, callbackUrl: 'http://app.example/api/callback', callbackSNI: undefined } };
  expect(callbackOf(plain)).not.toHaveProperty('callbackSNI');
  expect(callbackOf({ ...plan, callback: null, callbackParams: null, expiresAt: null })).toBeUndefined();
});

describe('an upload resolves only when what OSS stored is the file', () => {
  // "hello" (the file) and its CRC-64/XZ, as OSS writes x-oss-hash-crc64ecma (from local/oss/crc64, itself tested against the check value).
  const HELLO_CRC64 = crc64(Buffer.from('hello'));

  /** /sign answers put with a PUT to /stored and delete with a DELETE of the key; OSS answers the PUT with `status`, `body` and `headers`. */
  function storing(status: number, body: unknown, headers: Record<string, string> = {}): Record<string, Route> {
    return {
      'POST /api/sign': (req, res, base) => {
        const { op } = JSON.parse(req.body.toString()) as { op: string };
        const method = op === 'delete' ? 'DELETE' : 'PUT';
        reply(res, 200, { method, url: `${base}/${op}/users/alice/abc.png`, headers: {}, key: 'users/alice/abc.png', expiresAt: '' });
      },
      'PUT /put/users/alice/abc.png': (_req, res) => {
        res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
        res.end(typeof body === 'string' ? body : JSON.stringify(body));
      },
      'DELETE /delete/users/alice/abc.png': (_req, res) => void res.writeHead(204).end(),
    };
  }
  const calls = (s: Loopback) => s.received.map((r) => `${r.method} ${r.url}${r.method === 'POST' ? ` ${(JSON.parse(r.body.toString()) as { op: string }).op}` : ''}`);

  test('a callback answer with a smaller size is SizeMismatch, and the partial object is deleted', async () => {
    srv = await loopback(storing(200, { ...CALLBACK_ANSWER, size: 4 }));
    const err = (await session(srv).upload(file, { method: 'put' }).catch((e: unknown) => e)) as UploadError;
    expect(err).toMatchObject({ code: 'SizeMismatch', message: 'The upload is incomplete: OSS stored 4 bytes of a 5-byte file' });
    expect(calls(srv)).toEqual(['POST /api/sign put', 'PUT /put/users/alice/abc.png', 'POST /api/sign delete', 'DELETE /delete/users/alice/abc.png']);
  });

  test('a callback answer with another CRC-64 is ChecksumMismatch, and the object is deleted', async () => {
    srv = await loopback(storing(200, { ...CALLBACK_ANSWER, crc64: '12345' }));
    const err = (await session(srv).upload(file, { method: 'put' }).catch((e: unknown) => e)) as UploadError;
    expect(err.code).toBe('ChecksumMismatch');
    expect(err.message).toContain(`(12345) differs from the file's (${HELLO_CRC64})`);
    expect(calls(srv).at(-1)).toBe('DELETE /delete/users/alice/abc.png');
  });

  test('a callback answer with the same size and CRC-64 resolves, and nothing is deleted', async () => {
    srv = await loopback(storing(200, { ...CALLBACK_ANSWER, crc64: HELLO_CRC64 }));
    await expect(session(srv).upload(file, { method: 'put' })).resolves.toMatchObject({ key: 'users/alice/abc.png', size: 5 });
    expect(calls(srv)).toEqual(['POST /api/sign put', 'PUT /put/users/alice/abc.png']);
  });

  test("without a callback, OSS's own x-oss-hash-crc64ecma is compared", async () => {
    srv = await loopback(storing(200, '', { 'x-oss-hash-crc64ecma': HELLO_CRC64 }));
    await expect(session(srv).upload(file, { method: 'put' })).resolves.toMatchObject({ callback: undefined });
    await srv.close();
    srv = await loopback(storing(200, '', { 'x-oss-hash-crc64ecma': '1' }));
    await expect(session(srv).upload(file, { method: 'put' })).rejects.toMatchObject({ code: 'ChecksumMismatch' });
  });

  test('an answer that reports neither size nor CRC-64 is Unverified, and the object is left alone', async () => {
    srv = await loopback(storing(204, ''));
    const err = (await session(srv).upload(file, { method: 'put' }).catch((e: unknown) => e)) as UploadError;
    expect(err).toMatchObject({ code: 'Unverified', message: expect.stringMatching(/could not be checked/) as string });
    expect(calls(srv)).toEqual(['POST /api/sign put', 'PUT /put/users/alice/abc.png']);
  });
});

test("the client's CRC-64 is OSS's: the CRC-64/XZ check value, and the local OSS's value for a file of many slices", async () => {
  expect(await crc64OfBlob(new Blob(['123456789']))).toBe(BigInt('0x995DC9BBDF1939FA').toString());
  const bytes = randomBytes(2.5 * 1024 * 1024);
  expect(await crc64OfBlob(new Blob([bytes]))).toBe(crc64(bytes));
});
