// What the callback function makes of OSS's answers to its own HeadObject and DeleteObject: an
// object's facts from a 2xx, "not there" from a 404, and for anything else an error naming the
// operation, the status and OSS's code. That error's message is the `oss` field of the callback's
// request log line (an operator's only view of why a callback was answered 503 OssUnavailable), so
// what it says is tested here as the operator reads it.

import type { ServerResponse } from 'node:http';
import { deleteObject, headObject, OssRequestError, type OssTarget } from '../../functions/callback/oss-client';
import { hang, recordingServer, type Recorded, type Recorder } from './callback-helpers';

const credentials = { accessKeyId: 'STS.ossAnswersKey', accessKeySecret: 'ossAnswersSecret0123456789', securityToken: 'CAISossAnswers+Token/Value==' };

let oss: Recorder;
let respond: (hit: Recorded, res: ServerResponse) => void;

beforeAll(async () => {
  oss = await recordingServer((hit, res) => respond(hit, res));
});
afterAll(() => oss.close());
beforeEach(() => {
  oss.hits.splice(0);
  respond = (_, res) => res.writeHead(204).end();
});

const target = (more: Partial<OssTarget> = {}): OssTarget => ({ endpoint: oss.url, pathStyle: true, region: 'cn-hangzhou', bucket: 'b-uploads', credentials, ...more });

/** The OssRequestError `p` rejects with; fails the test when it resolves or rejects with anything else. */
async function ossError(p: Promise<unknown>): Promise<OssRequestError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof OssRequestError)) throw new Error(`expected an OssRequestError, got ${String(err)}`);
  return err;
}

const xmlError = (code: string) => `<?xml version="1.0" encoding="UTF-8"?>\n<Error>\n  <Code>${code}</Code>\n  <Message>m</Message>\n  <RequestId>R</RequestId>\n</Error>\n`;

describe('HeadObject', () => {
  test('is a HEAD of the object, V4-signed with the function role\'s credentials and STS token', async () => {
    respond = (_, res) => res.writeHead(404).end();
    await headObject(target(), 'users/alice/a b.png');
    const [hit] = oss.hits;
    expect([hit.method, hit.url]).toEqual(['HEAD', '/b-uploads/users/alice/a%20b.png']);
    expect(hit.headers.authorization).toMatch(/^OSS4-HMAC-SHA256 Credential=STS\.ossAnswersKey\/\d{8}\/cn-hangzhou\/oss\/aliyun_v4_request,Signature=[0-9a-f]{64}$/);
    expect(hit.headers['x-oss-security-token']).toBe(credentials.securityToken);
  });

  test('of a stored object gives its ETag unquoted and upper-case, its size, type, object type, file name and CRC-64', async () => {
    respond = (_, res) =>
      res
        .writeHead(200, {
          ETag: '"5eb63bbbe01eeed093cb22bb8f5acdc3"',
          'Content-Length': 11,
          'Content-Type': 'image/png',
          'x-oss-object-type': 'Multipart',
          'x-oss-meta-filename': 'a%20b.png',
          'x-oss-hash-crc64ecma': '5981764153023615706',
        })
        .end();
    expect(await headObject(target(), 'users/alice/a.png')).toEqual({
      etag: '5EB63BBBE01EEED093CB22BB8F5ACDC3',
      size: 11,
      contentType: 'image/png',
      objectType: 'Multipart',
      filename: 'a%20b.png',
      crc64: '5981764153023615706',
      settings: { headers: {}, storageClass: undefined, taggingCount: undefined, forcedDownload: false },
    });
  });

  test('of an object stored with served headers, a storage class and tags gives each, by lower-case header name, and whether OSS forced a download', async () => {
    respond = (_, res) =>
      res
        .writeHead(200, {
          ETag: '"AB"',
          'Content-Length': 1,
          'Cache-Control': 'public',
          'Content-Disposition': 'inline',
          'Content-Encoding': 'gzip',
          'Content-Language': 'fr',
          Expires: 'Wed, 21 Oct 2037 07:28:00 GMT',
          'x-oss-storage-class': 'IA',
          'x-oss-tagging-count': '2',
          'x-oss-force-download': 'true',
        })
        .end();
    expect((await headObject(target(), 'users/alice/a.png'))?.settings).toEqual({
      headers: { 'cache-control': 'public', 'content-disposition': 'inline', 'content-encoding': 'gzip', 'content-language': 'fr', expires: 'Wed, 21 Oct 2037 07:28:00 GMT' },
      storageClass: 'IA',
      taggingCount: '2',
      forcedDownload: true,
    });
  });

  test('of an object OSS reports without a type, object type, file name or CRC-64 gives empty type and object type, no name and no CRC-64', async () => {
    respond = (_, res) => res.writeHead(200, { ETag: '"AB"', 'Content-Length': 0 }).end();
    expect(await headObject(target(), 'users/alice/a.png')).toEqual({
      etag: 'AB',
      size: 0,
      contentType: '',
      objectType: '',
      filename: undefined,
      crc64: undefined,
      settings: { headers: {}, storageClass: undefined, taggingCount: undefined, forcedDownload: false },
    });
  });

  test('answered 404 means the object does not exist', async () => {
    respond = (_, res) => res.writeHead(404, { 'x-oss-ec': '0026-00000001' }).end();
    expect(await headObject(target(), 'users/alice/gone.png')).toBeUndefined();
  });

  test('answered 403 fails with OSS\'s error code, which a HEAD answer carries in x-oss-ec', async () => {
    respond = (_, res) => res.writeHead(403, { 'x-oss-ec': '0003-00000001' }).end();
    const err = await ossError(headObject(target(), 'users/alice/a.png'));
    expect([err.operation, err.status, err.code, err.message]).toEqual(['HeadObject', 403, '0003-00000001', 'HeadObject: 403 0003-00000001']);
  });

  test('answered with an error status and no code at all fails with the status as its code', async () => {
    respond = (_, res) => res.writeHead(503).end();
    expect((await ossError(headObject(target(), 'users/alice/a.png'))).message).toBe('HeadObject: 503 HTTP503');
  });

  test.each([300, 304])('answered %i (not a 2xx) fails, as an answer it cannot use', async (status) => {
    respond = (_, res) => res.writeHead(status, { ETag: '"AB"', 'Content-Length': 1 }).end();
    expect((await ossError(headObject(target(), 'users/alice/a.png'))).message).toBe(`HeadObject: ${status} HTTP${status}`);
  });

  test.each([
    ['no ETag', { 'Content-Length': 3 }],
    ['no Content-Length', { ETag: '"AB"', 'Transfer-Encoding': 'chunked' }],
  ])('answered 200 with %s fails as IncompleteAnswer, never as an object of unknown size', async (_, headers) => {
    respond = (_, res) => res.writeHead(200, headers).end();
    expect((await ossError(headObject(target(), 'users/alice/a.png'))).message).toBe('HeadObject: 200 IncompleteAnswer');
  });

  test('without an answer within the target\'s time limit fails as Timeout with no status', async () => {
    respond = hang;
    const started = performance.now();
    const err = await ossError(headObject(target({ timeoutMs: 200 }), 'users/alice/a.png'));
    expect([err.status, err.code, err.message]).toEqual([undefined, 'Timeout', 'HeadObject: no answer Timeout']);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  test('without a time limit of the target\'s own gives OSS 1.5 s, well inside the 5 s OSS gives the callback', async () => {
    respond = hang;
    const started = performance.now();
    const err = await ossError(headObject(target(), 'users/alice/a.png'));
    const ms = performance.now() - started;
    expect(err.code).toBe('Timeout');
    expect(ms).toBeGreaterThanOrEqual(1400);
    expect(ms).toBeLessThan(3000);
  });

  test('of an endpoint nothing listens on fails as Unreachable', async () => {
    const err = await ossError(headObject(target({ endpoint: 'http://127.0.0.1:9' }), 'users/alice/a.png'));
    expect([err.status, err.code, err.message]).toEqual([undefined, 'Unreachable', 'HeadObject: no answer Unreachable']);
  });
});

describe('DeleteObject', () => {
  test('is a DELETE of the object, V4-signed with the function role\'s credentials, and OSS\'s 204 is success', async () => {
    await expect(deleteObject(target(), 'users/alice/bad.html')).resolves.toBeUndefined();
    const [hit] = oss.hits;
    expect([hit.method, hit.url]).toEqual(['DELETE', '/b-uploads/users/alice/bad.html']);
    expect(hit.headers.authorization).toMatch(/^OSS4-HMAC-SHA256 Credential=STS\.ossAnswersKey\//);
    expect(hit.headers['x-oss-security-token']).toBe(credentials.securityToken);
  });

  test('answered 200 succeeds too', async () => {
    respond = (_, res) => res.writeHead(200).end();
    await expect(deleteObject(target(), 'users/alice/bad.html')).resolves.toBeUndefined();
  });

  test('refused fails with the code of OSS\'s XML error document, before its x-oss-ec', async () => {
    respond = (_, res) => res.writeHead(403, { 'Content-Type': 'application/xml', 'x-oss-ec': '0003-00000001' }).end(xmlError('AccessDenied'));
    const err = await ossError(deleteObject(target(), 'users/alice/bad.html'));
    expect([err.operation, err.status, err.code, err.message]).toEqual(['DeleteObject', 403, 'AccessDenied', 'DeleteObject: 403 AccessDenied']);
  });

  test('an error document whose code is over 64 characters is not taken as OSS\'s: the status stands in', async () => {
    respond = (_, res) => res.writeHead(500, { 'Content-Type': 'application/xml' }).end(xmlError('X'.repeat(65)));
    expect((await ossError(deleteObject(target(), 'users/alice/bad.html'))).code).toBe('HTTP500');
    respond = (_, res) => res.writeHead(500, { 'Content-Type': 'application/xml' }).end(xmlError('Y'.repeat(64)));
    expect((await ossError(deleteObject(target(), 'users/alice/bad.html'))).code).toBe('Y'.repeat(64));
  });

  test('an error document with an empty code is not taken as OSS\'s: the status stands in', async () => {
    respond = (_, res) => res.writeHead(500, { 'Content-Type': 'application/xml' }).end(xmlError(''));
    expect((await ossError(deleteObject(target(), 'users/alice/bad.html'))).code).toBe('HTTP500');
  });

  test('an error answer of up to 16 KiB is read; a longer one (no OSS error document is) fails as AnswerTooLarge', async () => {
    const doc = (size: number) => {
      const base = xmlError('InternalError');
      return base + ' '.repeat(size - Buffer.byteLength(base));
    };
    respond = (_, res) => res.writeHead(500, { 'Content-Type': 'application/xml' }).end(doc(16 * 1024));
    expect((await ossError(deleteObject(target(), 'users/alice/bad.html'))).code).toBe('InternalError');
    respond = (_, res) => res.writeHead(500, { 'Content-Type': 'application/xml' }).end(doc(16 * 1024 + 1));
    const err = await ossError(deleteObject(target(), 'users/alice/bad.html'));
    expect([err.status, err.code, err.message]).toEqual([undefined, 'AnswerTooLarge', 'DeleteObject: no answer AnswerTooLarge']);
  });
});
