// Every failure the client library can meet, against a loopback server playing /api and OSS: each
// yields its documented code and a sentence for the user (client/README.md, "Errors"), and nothing
// of ali-oss's or the runtime's own wording (URLs, upload ids, socket errors) reaches the message.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UPLOAD_ERROR_CODES, UploadError, UploadSession, type UploadErrorCode, type UploadOptions } from '../../client';
import { loopback, ossError, reply, type Loopback, type Route } from '../helpers/loopback';

const hello = () => new File([Buffer.from('hello')], 'hello.pdf', { type: 'application/pdf' });
let srv: Loopback | undefined;
afterEach(async () => {
  await srv?.close();
  srv = undefined;
});

const apiError = (status: number, code: string, message: string, headers: Record<string, string> = {}): Route => (_req, res) => {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify({ error: { code, message, requestId: 'req-1' } }));
};
const putTo = (path: string): Route => (_req, res, base) => reply(res, 200, { method: 'PUT', url: `${base}${path}`, headers: {}, key: 'users/alice/k.pdf', expiresAt: '' });
const ossAnswer = (status: number, code: string, message: string): Route => (_req, res) => reply(res, status, ossError(code, message), 'application/xml');
/** /token answering STS credentials whose endpoint is `endpoint` (default: the loopback itself, path-style). */
const token = (endpoint?: string): Route => (_req, res, base) =>
  reply(res, 200, {
    StatusCode: 200, AccessKeyId: 'STS.a', AccessKeySecret: 's', SecurityToken: 't',
    Expiration: new Date(Date.now() + 900_000).toISOString(),
    bucket: 'local-uploads', region: 'cn-hangzhou', endpoint: endpoint ?? base, prefix: 'users/alice/',
  });
const multipartPlan: Route = (_req, res) => reply(res, 200, { key: 'users/alice/k.pdf', headers: {}, callback: null, callbackParams: null, expiresAt: null });
const initiated: Route = (_req, res) =>
  reply(res, 200, '<?xml version="1.0" encoding="UTF-8"?><InitiateMultipartUploadResult><Bucket>local-uploads</Bucket><Key>users/alice/k.pdf</Key><UploadId>UPLOAD-ID-0123</UploadId></InitiateMultipartUploadResult>', 'application/xml');

interface Case {
  code: UploadErrorCode;
  what: string;
  routes: Record<string, Route>;
  /** What the user does; default a PUT upload of "hello". */
  act?: (s: UploadSession, srv: Loopback) => Promise<unknown>;
  options?: Partial<ConstructorParameters<typeof UploadSession>[0]>;
  message: string | RegExp;
}

const put = (s: UploadSession, options: UploadOptions = {}) => s.upload(hello(), { method: 'put', ...options });

const CASES: Case[] = [
  { code: 'TooLarge', what: 'the rules refuse the size', routes: { 'POST /api/sign': apiError(400, 'TooLarge', 'size 5 is over the limit of 4 bytes') }, message: 'The file is too large (size 5 is over the limit of 4 bytes)' },
  { code: 'TooSmall', what: 'the rules want a larger file', routes: { 'POST /api/sign': apiError(400, 'TooSmall', 'size 5 is under the minimum of 10 bytes') }, message: 'The file is too small (size 5 is under the minimum of 10 bytes)' },
  { code: 'TypeNotAllowed', what: 'the rules refuse the type', routes: { 'POST /api/sign': apiError(400, 'ContentTypeNotAllowed', 'application/pdf is not allowed') }, message: 'This type of file is not allowed (application/pdf is not allowed)' },
  { code: 'Expired', what: 'OSS says the URL has expired', routes: { 'POST /api/sign': putTo('/o'), 'PUT /o': ossAnswer(403, 'AccessDenied', 'Request has expired.') }, message: 'The permission to upload or download has expired; try again (Request has expired.)' },
  { code: 'Unauthorized', what: 'the API wants a sign-in', routes: { 'POST /api/sign': apiError(401, 'TokenMissing', 'send Authorization: Bearer <JWT>') }, message: 'You are not signed in, or your sign-in has expired (send Authorization: Bearer <JWT>)' },
  { code: 'Denied', what: "the key is another user's", routes: { 'POST /api/sign': apiError(400, 'KeyOutsidePrefix', 'the key is not under users/alice/') }, act: (s) => s.remove('users/bob/x.pdf'), message: 'Access denied: that file belongs to someone else (the key is not under users/alice/)' },
  { code: 'AlreadyExists', what: 'OSS refuses to overwrite', routes: { 'POST /api/sign': putTo('/o'), 'PUT /o': ossAnswer(409, 'FileAlreadyExists', 'The object you specified already exists and can not be overwritten.') }, message: /^A file with this name already exists/ },
  { code: 'CallbackFailed', what: "OSS stored the file but the callback failed (203)", routes: { 'POST /api/sign': putTo('/o'), 'PUT /o': ossAnswer(203, 'CallbackFailed', 'Error status : 400.') }, message: 'The file was stored, but the upload callback failed (Error status : 400.)' },
  { code: 'Invalid', what: 'the API refuses the request', routes: { 'POST /api/sign': apiError(400, 'InvalidKey', 'the key has an empty segment') }, act: (s) => s.downloadUrl('users/alice//x'), message: 'The request was refused (the key has an empty segment)' },
  { code: 'Network', what: 'the API cannot be reached', routes: {}, act: async (s, l) => { await l.close(); return put(s); }, message: 'The network connection failed; check the connection and try again' },
  { code: 'Network', what: "OSS cannot be reached during a multipart upload (ali-oss's socket error is not shown)", routes: { 'POST /api/token': token('http://127.0.0.1:9'), 'POST /api/sign': multipartPlan }, act: (s) => s.upload(hello(), { method: 'multipart' }), message: 'The network connection failed; check the connection and try again' },
  { code: 'Cancelled', what: 'the user cancels', routes: { 'POST /api/sign': putTo('/o') }, act: (s) => put(s, { signal: AbortSignal.abort() }), message: 'The upload was cancelled' },
  { code: 'Server', what: 'the API fails', routes: { 'POST /api/sign': apiError(500, 'InternalError', 'internal error') }, message: 'The server failed; try again later (internal error)' },
  { code: 'Busy', what: 'STS is throttled (503 with Retry-After)', routes: { 'POST /api/sign': apiError(503, 'StsUnavailable', 'STS is busy', { 'Retry-After': '2' }) }, message: 'The service is busy; try again shortly (STS is busy) (try again in 2 s)' },
  { code: 'Misconfigured', what: 'a part size under OSS minimum', routes: {}, act: (s) => s.upload(hello(), { method: 'multipart', partSize: 1000 }), message: 'The upload client is misconfigured: partSize must be a whole number of bytes, at least 102400' },
  { code: 'SizeMismatch', what: 'OSS stored fewer bytes', routes: { 'POST /api/sign': putTo('/o'), 'PUT /o': (_q, res) => reply(res, 200, { size: 3 }) }, message: 'The upload is incomplete: OSS stored 3 bytes of a 5-byte file' },
  { code: 'ChecksumMismatch', what: 'OSS stored other bytes', routes: { 'POST /api/sign': putTo('/o'), 'PUT /o': (_q, res) => reply(res, 200, { size: 5, crc64: '1' }) }, message: /^The upload is damaged: the stored file's CRC-64 \(1\) differs from the file's \(\d+\)$/ },
  { code: 'Unverified', what: 'OSS reports nothing of what it stored', routes: { 'POST /api/sign': putTo('/o'), 'PUT /o': (_q, res) => void res.writeHead(204).end() }, message: 'The upload could not be checked: OSS reported neither the size nor the checksum of what it stored' },
  { code: 'ClockSkewed', what: 'OSS refuses the request time', routes: { 'POST /api/token': token(), 'GET /local-uploads/': ossAnswer(403, 'RequestTimeTooSkewed', 'The difference between the request time and the current time is too large.') }, act: (s) => s.list(), message: /^This device's clock is wrong; set it right and try again \(it is 0 minutes (behind|ahead of) the server's clock\)$/ },
  { code: 'Interrupted', what: 'OSS no longer knows the multipart upload', routes: { 'POST /api/token': token(), 'POST /api/sign': multipartPlan, 'POST /local-uploads/users/alice/k.pdf': initiated, 'PUT /local-uploads/users/alice/k.pdf': ossAnswer(404, 'NoSuchUpload', 'The specified upload does not exist.') }, act: (s) => s.upload(hello(), { method: 'multipart' }), message: 'The upload was interrupted and its parts are gone from the server; start it again (The specified upload does not exist.)' },
  {
    code: 'FileUnreadable',
    what: 'the file cannot be read any more',
    // Read part by part as the parts go out, after the initiation.
    routes: { 'POST /api/token': token(), 'POST /api/sign': multipartPlan, 'POST /local-uploads/users/alice/k.pdf': initiated },
    act: (s) => s.upload(unreadable(), { method: 'multipart' }),
    message: 'The file could not be read; choose it again',
  },
  { code: 'Unexpected', what: 'the app\'s own sign-in callback throws', routes: {}, options: { authToken: () => { throw new TypeError('secret internals at 0xdeadbeef'); } }, message: 'Something unexpected went wrong in the upload client' },
];

/** A file whose bytes are gone (removed or changed since it was chosen). */
function unreadable(): File {
  const file = hello();
  const error = () => new DOMException('The requested file could not be read', 'NotReadableError');
  const gone = () => Promise.reject(error());
  const stream = () => new ReadableStream<Uint8Array>({ pull: (c) => c.error(error()) });
  return Object.assign(file, { arrayBuffer: gone, stream, slice: () => Object.assign(new Blob(['x']), { arrayBuffer: gone, stream }) });
}

describe.each(CASES)('$code: $what', ({ code, routes, act, options, message }) => {
  test('rejects with the code and the sentence the README gives, and no internals', async () => {
    srv = await loopback(routes);
    const session = new UploadSession({ baseUrl: `${srv.base}/api`, authToken: () => 'jwt', ...options } as ConstructorParameters<typeof UploadSession>[0]);
    const err = (await (act ?? put)(session, srv).then(
      () => undefined,
      (e: unknown) => e,
    )) as UploadError;
    expect(err).toBeInstanceOf(UploadError);
    expect(err.code).toBe(code);
    expect(err.message).toEqual(typeof message === 'string' ? message : expect.stringMatching(message));
    expect(err.message).not.toMatch(/127\.0\.0\.1|localhost|uploadId|UPLOAD-ID|ECONNREFUSED|0xdeadbeef|socket|undefined/i);
  });
});

test('every code the library can report has a case above and a row in the README table, and nothing else does', () => {
  const covered = new Set(CASES.map((c) => c.code));
  expect([...covered].sort()).toEqual([...UPLOAD_ERROR_CODES].sort());
  const readme = readFileSync(join(__dirname, '..', '..', 'client', 'README.md'), 'utf8');
  const table = readme.slice(readme.indexOf('## Errors'));
  const rows = [...table.matchAll(/^\| `(\w+)` \|/gm)].map((m) => m[1]);
  expect([...rows].sort()).toEqual([...UPLOAD_ERROR_CODES].sort());
});
