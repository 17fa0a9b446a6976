// The bad-input cases, generated over the three endpoints: each names what is sent and the 4xx and
// error code it must get. Sent over real HTTP to the local runtime, except the malformed Function
// Compute events, which no HTTP client can produce and which go to the handlers directly.

import { callbackHandler } from '../../functions/callback';
import { signHandler } from '../../functions/sign';
import { tokenHandler } from '../../functions/token';
import type { ConfigSource } from '../../shared/config';
import type { FcHandler } from '../../shared/http/handler';
import { fcContext, httpEvent } from '../helpers/events';
import { macFor } from '../helpers/callback-mac';
import { b64, OSS_KEY_URL_HEADER } from '../unit/callback-helpers';
import { BROKEN_TOKENS } from './jwts';
import { type Answer, BUCKET, PREFIX, type RuntimeUnderTest, SEEDED, USER } from './runtime-under-test';

export interface BadInput {
  endpoint: 'token' | 'sign' | 'callback';
  what: string;
  status: number;
  code: string;
  send(t: RuntimeUnderTest): Promise<Answer>;
}

type Endpoint = BadInput['endpoint'];

const MAX_BODY_BYTES = 64 * 1024;

function post(path: string, body: string | Buffer, headers: Record<string, string> = {}) {
  return (t: RuntimeUnderTest) => t.call(path, { method: 'POST', headers: { Authorization: `Bearer ${t.jwt}`, ...headers }, body: bytes(body) });
}

/** fetch takes a Uint8Array, not a Node Buffer, as a body. */
const bytes = (body: string | Buffer) => (typeof body === 'string' ? body : new Uint8Array(body));

const asJson = (endpoint: Endpoint, value: unknown) => post(`/api/${endpoint}`, JSON.stringify(value), { 'Content-Type': 'application/json' });
const asText = (endpoint: Endpoint, text: string | Buffer, type = 'application/json') => post(`/api/${endpoint}`, text, { 'Content-Type': type });

/** A malformed FC event straight to a handler configured as the runtime's, as no HTTP client could send it. */
function invoke(endpoint: Endpoint, event: Buffer | string | object) {
  return async (t: RuntimeUnderTest): Promise<Answer> => {
    const r = await HANDLERS[endpoint](t.rt.config)(event, fcContext());
    return { status: r.statusCode, headers: Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k.toLowerCase(), v])), text: r.body };
  };
}

const HANDLERS: Record<Endpoint, (config: ConfigSource) => FcHandler> = { token: tokenHandler, sign: signHandler, callback: callbackHandler };

const deepArray = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const deepObject = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

// ---------------------------------------------------------------------------------------------
// token and sign: the authenticated JSON endpoints share the transport and identity checks.

function transportCases(endpoint: 'token' | 'sign'): BadInput[] {
  const c = (what: string, status: number, code: string, send: BadInput['send']): BadInput => ({ endpoint, what, status, code, send });
  const path = `/api/${endpoint}`;
  const malformed: [string, string | Buffer][] = [
    ['an unclosed object', '{'],
    ['a missing value', '{"op":}'],
    ['a trailing comma', '{"op":"put",}'],
    ['single quotes', "{'op':'put'}"],
    ['a comment', '{"op":"put"/* hi */}'],
    ['NaN', '{"size":NaN}'],
    ['two objects back to back', '{"op":"put"}{"op":"get"}'],
    ['a NUL byte', '{"op":"put"\u0000}'],
    ['a JSON array', '[{"op":"put"}]'],
    ['a JSON string', '"put"'],
    ['a JSON number', '42'],
    ['JSON null', 'null'],
    ['JSON true', 'true'],
    ['an array nested 20,000 deep', deepArray(20_000)],
    ['invalid UTF-8 (0xFF)', Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d])],
    ['an overlong UTF-8 encoding of "/"', Buffer.concat([Buffer.from('{"op":"'), Buffer.from([0xc0, 0xaf]), Buffer.from('"}')])],
    ['a UTF-8-encoded surrogate (CESU-8)', Buffer.concat([Buffer.from('{"op":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')])],
    ['a truncated multi-byte sequence', Buffer.concat([Buffer.from('{"op":"'), Buffer.from([0xe2, 0x82]), Buffer.from('"}')])],
    ['UTF-16 instead of UTF-8', Buffer.from('{"op":"put"}', 'utf16le')],
  ];
  return [
    ...malformed.map(([what, body]) => c(`a body that is ${what}`, 400, 'MalformedJson', asText(endpoint, body))),
    c('a body one byte over MAX_BODY_BYTES', 413, 'PayloadTooLarge', asText(endpoint, `{"op":"put","pad":"${'x'.repeat(MAX_BODY_BYTES)}"}`)),
    c('an object nested 100,000 deep (600 KB)', 413, 'PayloadTooLarge', asText(endpoint, deepObject(100_000))),
    c('Content-Type text/html', 415, 'UnsupportedMediaType', asText(endpoint, '{"op":"put"}', 'text/html')),
    c('Content-Type application/x-www-form-urlencoded', 415, 'UnsupportedMediaType', asText(endpoint, 'op=put&access=upload', 'application/x-www-form-urlencoded')),
    c('Content-Type multipart/form-data', 415, 'UnsupportedMediaType', asText(endpoint, '--x\r\n\r\n--x--', 'multipart/form-data; boundary=x')),
    c('Content-Type application/xml', 415, 'UnsupportedMediaType', asText(endpoint, '<op>put</op>', 'application/xml')),
    c('Content-Type application/json-patch+json', 415, 'UnsupportedMediaType', asText(endpoint, '{"op":"put"}', 'application/json-patch+json')),
    c('no Authorization header', 401, 'TokenMissing', (t) => t.call(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' })),
    ...BROKEN_TOKENS.map((b) =>
      c(`a token: ${b.what}`, b.status, b.code, async (t) => {
        const body = endpoint === 'token' ? { access: 'upload' } : { op: 'get', key: t.seeded.key };
        return t.call(path, { method: 'POST', headers: { Authorization: await b.header(t.rt.env.AUTH_HS256_SECRET as string, USER), 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      }),
    ),
    ...['PUT', 'DELETE', 'PATCH'].map((method) => c(`method ${method}`, 405, 'MethodNotAllowed', (t) => t.call(path, { method, headers: { Authorization: `Bearer ${t.jwt}` } }))),
    c('a CORS preflight from an origin not configured', 403, 'CorsOriginNotAllowed', (t) =>
      t.call(path, { method: 'OPTIONS', headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' } }),
    ),
    c('a CORS preflight from a look-alike of the configured origin', 403, 'CorsOriginNotAllowed', (t) =>
      t.call(path, { method: 'OPTIONS', headers: { Origin: t.rt.appUrl.replace('localhost', 'localhost.evil.example'), 'Access-Control-Request-Method': 'POST' } }),
    ),
    c('a path under the endpoint', 404, 'NotFound', (t) => t.call(`${path}/..%2f..%2fadmin`, { method: 'POST', headers: { Authorization: `Bearer ${t.jwt}` }, body: '{}' })),
  ];
}

// ---------------------------------------------------------------------------------------------
// token

function tokenCases(): BadInput[] {
  const c = (what: string, status: number, code: string, send: BadInput['send']): BadInput => ({ endpoint: 'token', what, status, code, send });
  const access: [string, unknown][] = [
    ['missing', undefined],
    ['"admin"', 'admin'],
    ['"UPLOAD" (case)', 'UPLOAD'],
    ['" upload" (leading space)', ' upload'],
    ['"upload\\u0000"', 'upload\u0000'],
    ['"upload\\r\\nX-Injected: 1"', 'upload\r\nX-Injected: 1'],
    ['"upl\u043ead" (Cyrillic o)', 'upl\u043ead'],
    ['"\uff55\uff50\uff4c\uff4f\uff41\uff44" (fullwidth, NFKC makes it upload)', '\uff55\uff50\uff4c\uff4f\uff41\uff44'],
    ['"upload\\u200b" (zero-width space)', 'upload\u200b'],
    ['"__proto__"', '__proto__'],
    ['"includes"', 'includes'],
    ['a number', 1],
    ['true', true],
    ['null', null],
    ['an array holding "upload"', ['upload']],
    ['an object', { $ne: null }],
  ];
  return [
    c('access an array nested 5,000 deep', 400, 'InvalidAccess', asText('token', `{"access":${deepArray(5000)}}`)),
    ...access.map(([what, value]) => c(`access ${what}`, 400, 'InvalidAccess', asJson('token', value === undefined ? {} : { access: value }))),
    c('an empty body', 400, 'InvalidAccess', post('/api/token', '')),
    // GET /token is gone: the SDKs' URL providers cannot authenticate, so a GET only widened the surface.
    c('GET without ?access', 405, 'MethodNotAllowed', (t) => t.call('/api/token', { headers: { Authorization: `Bearer ${t.jwt}` } })),
    c('GET with ?access=admin', 405, 'MethodNotAllowed', (t) => t.call('/api/token?access=admin', { headers: { Authorization: `Bearer ${t.jwt}` } })),
    c('GET with ?access given twice', 405, 'MethodNotAllowed', (t) => t.call('/api/token?access=download&access=readwrite', { headers: { Authorization: `Bearer ${t.jwt}` } })),
    c('GET with ?access=upload%00', 405, 'MethodNotAllowed', (t) => t.call('/api/token?access=upload%00', { headers: { Authorization: `Bearer ${t.jwt}` } })),
    c('GET with a valid ?access=upload', 405, 'MethodNotAllowed', (t) => t.call('/api/token?access=upload', { headers: { Authorization: `Bearer ${t.jwt}` } })),
    // JSON leaves duplicate names to the reader; the callback's form reader refuses them, so must these.
    c('"access" given twice (download, then upload)', 400, 'MalformedJson', asText('token', '{"access":"download","access":"upload"}')),
  ];
}

// ---------------------------------------------------------------------------------------------
// sign

const KEY_TRICKS: [string, unknown, string][] = [
  ['another user\'s prefix', 'users/alice/x.txt', 'KeyOutsidePrefix'],
  ['the prefix without its slash', `users/${USER}`, 'KeyOutsidePrefix'],
  ['the prefix in upper case', `users/${USER.toUpperCase()}/x.txt`, 'KeyOutsidePrefix'],
  ['"Users/" for "users/"', `Users/${USER}/x.txt`, 'KeyOutsidePrefix'],
  ['a Greek omicron in the user name', `users/mall\u03bfry/x.txt`, 'KeyOutsidePrefix'],
  ['a longer user name sharing the prefix text', `users/${USER}x/x.txt`, 'KeyOutsidePrefix'],
  ['".." climbing to another user', `${PREFIX}../alice/x.txt`, 'InvalidKey'],
  ['a "." segment', `${PREFIX}./x.txt`, 'InvalidKey'],
  ['"%2e%2e" climbing', `${PREFIX}%2e%2e/alice/x.txt`, 'InvalidKey'],
  ['"%252e%252e" (double-encoded)', `${PREFIX}%252e%252e/alice/x.txt`, 'InvalidKey'],
  ['"%2f" inside a segment', `${PREFIX}a%2f..%2fb.txt`, 'InvalidKey'],
  ['a backslash', `${PREFIX}..\\alice\\x.txt`, 'InvalidKey'],
  ['a leading slash', `/${PREFIX}x.txt`, 'InvalidKey'],
  ['an empty segment', `${PREFIX}a//x.txt`, 'InvalidKey'],
  ['a trailing slash', `${PREFIX}dir/`, 'InvalidKey'],
  ['the bare prefix', PREFIX, 'InvalidKey'],
  ['a fullwidth solidus (U+FF0F)', `${PREFIX}\uff0f..\uff0falice`, 'InvalidKey'],
  ['a division slash (U+2215)', `${PREFIX}a\u2215b.txt`, 'InvalidKey'],
  ['a fraction slash (U+2044)', `${PREFIX}a\u2044b.txt`, 'InvalidKey'],
  ['a percent-encoded division slash', `${PREFIX}a%E2%88%95b.txt`, 'InvalidKey'],
  ['fullwidth full stops (U+FF0E) as ".."', `${PREFIX}\uff0e\uff0e/x.txt`, 'InvalidKey'],
  ['a two-dot leader (U+2025)', `${PREFIX}\u2025/x.txt`, 'InvalidKey'],
  ['a fullwidth reverse solidus (U+FF3C)', `${PREFIX}a\uff3cb.txt`, 'InvalidKey'],
  ['a right-to-left override (file name spoofing)', `${PREFIX}invoice\u202egpj.exe`, 'InvalidKey'],
  ['a right-to-left isolate', `${PREFIX}a\u2067b.txt`, 'InvalidKey'],
  ['a zero-width space', `${PREFIX}a\u200bb.txt`, 'InvalidKey'],
  ['a zero-width joiner', `${PREFIX}a\u200db.txt`, 'InvalidKey'],
  ['a byte-order mark', `${PREFIX}\ufeffx.txt`, 'InvalidKey'],
  ['an Arabic letter mark', `${PREFIX}a\u061cb.txt`, 'InvalidKey'],
  ['a NUL byte', `${PREFIX}x.txt\u0000.png`, 'InvalidKey'],
  ['CR LF and a header line', `${PREFIX}x.txt\r\nX-Injected: 1`, 'InvalidKey'],
  ['a percent-encoded CR LF', `${PREFIX}x.txt%0d%0aX-Injected:%201`, 'InvalidKey'],
  ['a tab', `${PREFIX}a\tb.txt`, 'InvalidKey'],
  ['DEL', `${PREFIX}a\u007fb.txt`, 'InvalidKey'],
  ['NEL (U+0085)', `${PREFIX}a\u0085b.txt`, 'InvalidKey'],
  ['a line separator (U+2028)', `${PREFIX}a\u2028b.txt`, 'InvalidKey'],
  ['a lone surrogate', `${PREFIX}a\ud800b.txt`, 'InvalidKey'],
  ['1,024 bytes', `${PREFIX}${'k'.repeat(1024 - PREFIX.length)}`, 'InvalidKey'],
  ['over 1,023 bytes of 3-byte characters', `${PREFIX}${'\u4e00'.repeat(Math.ceil((1024 - PREFIX.length) / 3))}`, 'InvalidKey'],
  ['an empty string', '', 'InvalidKey'],
  ['a number', 42, 'InvalidKey'],
  ['null', null, 'InvalidKey'],
  ['an array', [`${PREFIX}x.txt`], 'InvalidKey'],
  ['an object', { toString: `${PREFIX}x.txt` }, 'InvalidKey'],
];

function signCases(): BadInput[] {
  const c = (what: string, code: string, send: BadInput['send'], status = 400): BadInput => ({ endpoint: 'sign', what, status, code, send });
  const put = (extra: Record<string, unknown>) => asJson('sign', { op: 'put', contentType: 'text/plain', size: 10, ...extra });
  const ops: [string, unknown][] = [
    ['missing', undefined],
    ['"PUT" (case)', 'PUT'],
    ['"Delete" (case)', 'Delete'],
    ['"list"', 'list'],
    ['" put"', ' put'],
    ['"\u0440ut" (Cyrillic er)', '\u0440ut'],
    ['"put\\r\\n"', 'put\r\n'],
    ['"__proto__"', '__proto__'],
    ['"hasOwnProperty"', 'hasOwnProperty'],
    ['a number', 1],
    ['null', null],
    ['an array', ['put']],
    ['an object', { op: 'put' }],
  ];
  const sizes: [string, unknown, string][] = [
    ['-1', -1, 'InvalidSize'],
    ['1.5', 1.5, 'InvalidSize'],
    ['"10" (a string)', '10', 'InvalidSize'],
    ['1e400 (Infinity once parsed)', 'INFINITY', 'InvalidSize'],
    ['2^53 + 2', 2 ** 53 + 2, 'InvalidSize'],
    ['null', null, 'InvalidSize'],
    ['true', true, 'InvalidSize'],
    ['an array', [10], 'InvalidSize'],
    ['one byte over UPLOAD_MAX_SIZE', 1048577, 'TooLarge'],
    ['5 GiB', 5 * 1024 ** 3, 'TooLarge'],
    ['0, under UPLOAD_MIN_SIZE', 0, 'TooSmall'],
  ];
  const expiries: [string, unknown, string][] = [
    ['0', 0, 'InvalidExpiry'],
    ['-60', -60, 'InvalidExpiry'],
    ['1.5', 1.5, 'InvalidExpiry'],
    ['"60" (a string)', '60', 'InvalidExpiry'],
    ['null', null, 'InvalidExpiry'],
    ['one second over URL_MAX_EXPIRES_SECONDS', 1801, 'ExpiryTooLong'],
    ['eight days', 8 * 86400, 'ExpiryTooLong'],
  ];
  const types: [string, unknown, string][] = [
    ['text/html', 'text/html', 'ContentTypeNotAllowed'],
    ['image/svg+xml', 'image/svg+xml', 'ContentTypeNotAllowed'],
    ['application/octet-stream', 'application/octet-stream', 'ContentTypeNotAllowed'],
    ['text/plain with CR LF and a header line', 'text/plain\r\nX-Injected: 1', 'InvalidContentType'],
    ['text/plain with a NUL', 'text/plain\u0000', 'InvalidContentType'],
    ['a wildcard', 'image/*', 'InvalidContentType'],
    ['*/*', '*/*', 'InvalidContentType'],
    ['fullwidth letters', '\uff54\uff45\uff58\uff54/plain', 'InvalidContentType'],
    ['a dotless i (text/pla\u0131n)', 'text/pla\u0131n', 'InvalidContentType'],
    ['an empty string', '', 'InvalidContentType'],
    ['a number', 42, 'InvalidContentType'],
    ['an array', ['text/plain'], 'InvalidContentType'],
  ];
  return [
    ...ops.map(([what, op]) => c(`op ${what}`, 'InvalidOperation', asJson('sign', op === undefined ? {} : { op }))),
    c('op an array nested 5,000 deep', 'InvalidOperation', asText('sign', `{"op":${deepArray(5000)}}`)),
    c('an empty body', 'InvalidOperation', post('/api/sign', '')),
    ...KEY_TRICKS.flatMap(([what, key, code]) => [c(`put to a key with ${what}`, code, put({ key })), c(`get of a key with ${what}`, code, asJson('sign', { op: 'get', key }))]),
    ...KEY_TRICKS.filter(([, key]) => typeof key === 'string' && key !== '').map(([what, key, code]) =>
      c(`post to a key with ${what}`, code, asJson('sign', { op: 'post', key, contentType: 'text/plain' })),
    ),
    c('post with ${filename} twice', 'InvalidKey', asJson('sign', { op: 'post', key: `${PREFIX}\${filename}/\${filename}`, contentType: 'text/plain' })),
    c('post with ${filename} under another user', 'KeyOutsidePrefix', asJson('sign', { op: 'post', key: 'users/alice/${filename}', contentType: 'text/plain' })),
    c('post with a bare ${filename}', 'KeyOutsidePrefix', asJson('sign', { op: 'post', key: '${filename}', contentType: 'text/plain' })),
    c('post with ${filename} after part of a segment', 'InvalidKey', asJson('sign', { op: 'post', key: `${PREFIX}a\${filename}`, contentType: 'text/plain' })),
    c('post with ${filename} followed by another segment', 'InvalidKey', asJson('sign', { op: 'post', key: `${PREFIX}\${filename}/x.txt`, contentType: 'text/plain' })),
    c('post with ${filename} in the middle of a segment', 'InvalidKey', asJson('sign', { op: 'post', key: `${PREFIX}\${filename}.txt`, contentType: 'text/plain' })),
    c('a callback for another user\'s key', 'KeyOutsidePrefix', asJson('sign', { op: 'callback', key: 'users/alice/x.txt' })),
    ...sizes.map(([what, size, code]) =>
      c(`put with size ${what}`, code, size === 'INFINITY' ? asText('sign', '{"op":"put","contentType":"text/plain","size":1e400}') : put({ size })),
    ),
    ...sizes.filter(([, size]) => size !== 'INFINITY').map(([what, size, code]) => c(`post with size ${what}`, code, asJson('sign', { op: 'post', contentType: 'text/plain', size }))),
    c('put without size (UPLOAD_MAX_SIZE must be bound)', 'SizeRequired', asJson('sign', { op: 'put', contentType: 'text/plain' })),
    ...expiries.map(([what, expiresIn, code]) => c(`put with expiresIn ${what}`, code, put({ expiresIn }))),
    ...expiries.map(([what, expiresIn, code]) => c(`get with expiresIn ${what}`, code, asJson('sign', { op: 'get', key: `${PREFIX}seeded.txt`, expiresIn }))),
    ...types.map(([what, contentType, code]) => c(`put with contentType ${what}`, code, put({ contentType }))),
    ...types.map(([what, contentType, code]) => c(`post with contentType ${what}`, code, asJson('sign', { op: 'post', contentType }))),
    c('put with neither contentType nor a known extension', 'ContentTypeRequired', asJson('sign', { op: 'put', size: 10, filename: 'setup.exe' })),
    c('put whose filename has a right-to-left override hiding .exe', 'ContentTypeRequired', asJson('sign', { op: 'put', size: 10, filename: 'photo\u202egnp.exe' })),
    c('get without a key', 'KeyRequired', asJson('sign', { op: 'get' })),
    c('delete without a key', 'KeyRequired', asJson('sign', { op: 'delete' })),
    c('delete of another user\'s key', 'KeyOutsidePrefix', asJson('sign', { op: 'delete', key: 'users/alice/x.txt' })),
    c('delete of a key that climbs out of the prefix', 'InvalidKey', asJson('sign', { op: 'delete', key: `${PREFIX}../alice/x.txt` })),
    c('put with a filename that is a number', 'InvalidFilename', put({ filename: 7 })),
    c('put with an empty filename', 'InvalidFilename', put({ filename: '' })),
    c('put to a key that does not end with the filename\'s safe form', 'InvalidFilename', put({ key: `${PREFIX}x.txt`, filename: 'y.txt' })),
    c('post with a 256-character filename', 'InvalidFilename', asJson('sign', { op: 'post', contentType: 'text/plain', filename: 'f'.repeat(256) })),
    c('a callback with a filename holding a lone surrogate', 'InvalidFilename', asJson('sign', { op: 'callback', filename: 'a\ud800.txt' })),
    c('get with an empty filename', 'InvalidFilename', asJson('sign', { op: 'get', key: `${PREFIX}seeded.txt`, filename: '' })),
    c('get with a 256-character filename', 'InvalidFilename', asJson('sign', { op: 'get', key: `${PREFIX}seeded.txt`, filename: 'f'.repeat(256) })),
    c('get with a filename that is a number', 'InvalidFilename', asJson('sign', { op: 'get', key: `${PREFIX}seeded.txt`, filename: 7 })),
    c('get with a filename holding a lone surrogate', 'InvalidFilename', asJson('sign', { op: 'get', key: `${PREFIX}seeded.txt`, filename: 'a\ud800.txt' })),
    c('get with a filename that is an array', 'InvalidFilename', asJson('sign', { op: 'get', key: `${PREFIX}seeded.txt`, filename: ['a.txt'] })),
    c('"key" given twice (another user\'s, then its own)', 'MalformedJson', asText('sign', `{"op":"get","key":"users/alice/x.txt","key":"${PREFIX}seeded.txt"}`)),
    c('GET instead of POST', 'MethodNotAllowed', (t) => t.call('/api/sign', { headers: { Authorization: `Bearer ${t.jwt}` } }), 405),
  ];
}

// ---------------------------------------------------------------------------------------------
// callback: forged (not signed by a key we trust), then signed but not what OSS would send

function forged(body: string, headers: Record<string, string>, query = '') {
  return (t: RuntimeUnderTest) => t.call(`/api/callback${query}`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body });
}

function callbackCases(): BadInput[] {
  const c = (what: string, status: number, code: string, send: BadInput['send']): BadInput => ({ endpoint: 'callback', what, status, code, send });
  // The object exists with this ETag: only the signature checks can refuse these.
  const body = JSON.stringify({ bucket: BUCKET, object: SEEDED.key, etag: SEEDED.etag, size: SEEDED.size, mimeType: SEEDED.mimeType, operation: 'PutObject' });
  const someSignature = Buffer.alloc(64, 7).toString('base64');
  const withKeyUrl = (url: string) => ({ Authorization: someSignature, 'x-oss-pub-key-url': b64(url) });
  const keyUrls: [string, string][] = [
    ['another host', 'https://evil.example/callback_pub_key_v1.pem'],
    ['a host that ends with OSS\'s', 'https://gosspublic.alicdn.com.evil.example/callback_pub_key_v1.pem'],
    ['OSS\'s host in the query only', 'https://evil.example/?gosspublic.alicdn.com/callback_pub_key_v1.pem'],
    ['OSS\'s host as userinfo', 'https://gosspublic.alicdn.com@evil.example/callback_pub_key_v1.pem'],
    ['userinfo before OSS\'s host', 'https://user:pw@gosspublic.alicdn.com/callback_pub_key_v1.pem'],
    ['a port', 'https://gosspublic.alicdn.com:8443/callback_pub_key_v1.pem'],
    ['a trailing dot on the host', 'https://gosspublic.alicdn.com./callback_pub_key_v1.pem'],
    ['a Cyrillic i in the host (IDN homograph)', 'https://gosspubl\u0456c.alicdn.com/callback_pub_key_v1.pem'],
    ['a file: URL', 'file:///etc/passwd'],
    ['a loopback address', 'http://127.0.0.1:80/callback_pub_key_v1.pem'],
    ['the cloud metadata address', 'http://100.100.100.200/latest/meta-data/'],
    ['a data: URL with a key of the sender\'s', 'data:text/plain;base64,LS0tLS1CRUdJTg=='],
    ['no URL at all', 'callback_pub_key_v1.pem'],
  ];
  return [
    c('no Authorization header', 400, 'CallbackSignatureMissing', forged(body, { 'x-oss-pub-key-url': OSS_KEY_URL_HEADER })),
    c('an empty Authorization header', 400, 'CallbackSignatureMissing', forged(body, { Authorization: ' ', 'x-oss-pub-key-url': OSS_KEY_URL_HEADER })),
    ...(
      [
        ['a Bearer token', 'Bearer abc.def.ghi'],
        ['Base64 without padding', 'YWJjZA'],
        ['URL-safe Base64', Buffer.alloc(64, 0xfb).toString('base64url')],
        ['Base64 with a space inside', 'YWJj ZGVm'],
        ['Base64 of 600 bytes (over any RSA signature)', Buffer.alloc(600, 1).toString('base64')],
        ['not Base64 at all', '!!!!'],
        ['"OSS keyid:signature" as V1 requests carry', 'OSS LTAIkeyid:c2lnbmF0dXJl'],
      ] as const
    ).map(([what, value]) => c(`an Authorization header that is ${what}`, 400, 'CallbackSignatureMalformed', forged(body, { Authorization: value, 'x-oss-pub-key-url': OSS_KEY_URL_HEADER }))),
    c('no x-oss-pub-key-url header', 400, 'CallbackKeyUrlMissing', forged(body, { Authorization: someSignature })),
    c('x-oss-pub-key-url that is not Base64', 400, 'CallbackKeyUrlMalformed', forged(body, { Authorization: someSignature, 'x-oss-pub-key-url': 'https://gosspublic.alicdn.com/callback_pub_key_v1.pem' })),
    c('x-oss-pub-key-url that is Base64 of invalid UTF-8', 400, 'CallbackKeyUrlMalformed', forged(body, { Authorization: someSignature, 'x-oss-pub-key-url': Buffer.from([0xff, 0xfe, 0x68]).toString('base64') })),
    c('x-oss-pub-key-url over 1 KB', 400, 'CallbackKeyUrlMalformed', forged(body, withKeyUrl(`https://gosspublic.alicdn.com/${'k'.repeat(1100)}.pem`))),
    ...keyUrls.map(([what, url]) => c(`x-oss-pub-key-url naming ${what}`, 400, 'CallbackKeyUrlNotAllowed', forged(body, withKeyUrl(url)))),
    c('a random signature with OSS\'s key URL', 403, 'CallbackSignatureInvalid', forged(body, { Authorization: someSignature, 'x-oss-pub-key-url': OSS_KEY_URL_HEADER })),
    c('OSS\'s key URL in upper case, with a random signature', 403, 'CallbackSignatureInvalid', forged(body, withKeyUrl('HTTPS://GOSSPUBLIC.ALICDN.COM/callback_pub_key_v1.pem'))),
    c('a query string on the callback URL', 400, 'CallbackQueryNotSupported', forged(body, { Authorization: someSignature, 'x-oss-pub-key-url': OSS_KEY_URL_HEADER }, '?object=users%2Falice%2Fx')),
    c('a body over MAX_BODY_BYTES', 413, 'PayloadTooLarge', forged(`{"pad":"${'x'.repeat(MAX_BODY_BYTES)}"}`, { Authorization: someSignature, 'x-oss-pub-key-url': OSS_KEY_URL_HEADER })),
    c('GET', 405, 'MethodNotAllowed', (t) => t.call('/api/callback')),
    c('a CORS preflight (the callback answers OSS, never a browser)', 405, 'MethodNotAllowed', (t) =>
      t.call('/api/callback', { method: 'OPTIONS', headers: { Origin: t.rt.appUrl, 'Access-Control-Request-Method': 'POST' } }),
    ),
    ...signedCallbackCases(),
  ];
}

function signedCallbackCases(): BadInput[] {
  const c = (what: string, status: number, code: string, send: BadInput['send']): BadInput => ({ endpoint: 'callback', what: `signed, ${what}`, status, code, send });
  const inADay = () => Math.floor(Date.now() / 1000) + 86400;
  /** The fields /sign pins beside OSS's variables: owner, exp and the MAC for this bucket and object. */
  const pinned = (t: RuntimeUnderTest, r: Record<string, unknown>, pin: { owner?: string; key?: string; exp?: number } = {}) => {
    const owner = pin.owner ?? USER;
    const exp = pin.exp ?? inADay();
    const object = typeof r.object === 'string' ? r.object : t.seeded.key;
    return { owner, exp, mac: macFor({ bucket: String(r.bucket), key: pin.key ?? object, owner, exp, macKey: t.macKey }) };
  };
  /** What OSS sends for the seeded upload, `change`d, with the MAC /sign would have pinned for what it then names. */
  const report = (t: RuntimeUnderTest, change: Record<string, unknown> = {}) => {
    const r = { bucket: BUCKET, object: t.seeded.key, etag: t.seeded.etag, size: t.seeded.size, mimeType: t.seeded.mimeType, operation: 'PutObject', ...change };
    return JSON.stringify({ ...r, ...pinned(t, r) });
  };
  /** A genuine callback a client relayed: the seeded object's report with no MAC, or one /sign never pinned for it. */
  const relayed = (pin?: { owner?: string; key?: string; exp?: number; mac?: string }) => (t: RuntimeUnderTest) => {
    const r = { bucket: BUCKET, object: t.seeded.key, etag: t.seeded.etag, size: t.seeded.size, mimeType: t.seeded.mimeType, operation: 'PutObject' };
    if (!pin) return JSON.stringify(r);
    const fields = pinned(t, r, pin);
    return JSON.stringify({ ...r, ...fields, ...(pin.mac === undefined ? {} : { mac: pin.mac }) });
  };
  const signed = (make: (t: RuntimeUnderTest) => string | Buffer, type?: string) => (t: RuntimeUnderTest) => t.signedCallback(make(t), type);
  const without = (field: string) => (t: RuntimeUnderTest) => {
    const r = JSON.parse(report(t));
    delete r[field];
    return JSON.stringify(r);
  };
  const invalid = (what: string, make: (t: RuntimeUnderTest) => string | Buffer, type?: string) => c(what, 400, 'CallbackBodyInvalid', signed(make, type));
  const badSizes: [string, unknown][] = [
    ['-1', -1],
    ['1.5', 1.5],
    ['"1e3"', '1e3'],
    ['"-14"', '-14'],
    ['"0x0e"', '0x0e'],
    ['" 14"', ' 14'],
    ['17 digits', '12345678901234567'],
    ['2^53 + 2', 2 ** 53 + 2],
    ['null', null],
    ['an array', [14]],
  ];
  return [
    invalid('a body of invalid UTF-8', () => Buffer.from([0x7b, 0xff, 0x7d])),
    invalid('a body that is not JSON', () => '{"bucket":'),
    invalid('a body that is a JSON array', (t) => `[${report(t)}]`),
    invalid('a body that is JSON null', () => 'null'),
    invalid('a body nested 20,000 deep', () => deepArray(20_000)),
    invalid('a bucket nested 5,000 deep', (t) => report(t, { bucket: 'DEEP' }).replace('"DEEP"', deepArray(5000))),
    ...['bucket', 'object', 'etag', 'size'].map((field) => invalid(`no "${field}"`, without(field))),
    invalid('an empty object name', (t) => report(t, { object: '' })),
    invalid('a bucket that is a number', (t) => report(t, { bucket: 7 })),
    invalid('an object name that is an array', (t) => report(t, { object: [t.seeded.key] })),
    invalid('an etag that is an object', (t) => report(t, { etag: { value: t.seeded.etag } })),
    invalid('a mimeType that is a number', (t) => report(t, { mimeType: 7 })),
    ...badSizes.map(([what, size]) => invalid(`size ${what}`, (t) => report(t, { size }))),
    invalid('a form body naming "object" twice', (t) => `bucket=${BUCKET}&object=${encodeURIComponent(t.seeded.key)}&object=users%2Falice%2Fx&etag=${t.seeded.etag}&size=14`, 'application/x-www-form-urlencoded'),
    invalid('a JSON body naming "object" twice', (t) => report(t).replace('"object":', `"object":"users/alice/x.txt","object":`)),
    c('a body of type text/xml', 400, 'CallbackBodyTypeNotSupported', signed(() => '<bucket/>', 'text/xml')),
    c('a body of type multipart/form-data', 400, 'CallbackBodyTypeNotSupported', signed(() => '--x--', 'multipart/form-data; boundary=x')),
    c('another bucket', 400, 'WrongBucket', signed((t) => report(t, { bucket: 'other-bucket' }))),
    // No MAC can name an owner for a key under no user's prefix, so the MAC check refuses it first.
    c('a key under no user\'s prefix', 403, 'CallbackMacInvalid', signed((t) => report(t, { object: 'public/x.txt' }))),
    c('relayed without the MAC /sign pins', 403, 'CallbackMacMissing', signed(relayed())),
    c('relayed with a MAC for another key', 403, 'CallbackMacInvalid', signed(relayed({ key: `${PREFIX}another.txt` }))),
    c('relayed with a MAC for another owner', 403, 'CallbackMacInvalid', signed(relayed({ owner: 'alice' }))),
    c('relayed with an expired MAC', 403, 'CallbackMacExpired', signed(relayed({ exp: Math.floor(Date.now() / 1000) - 3600 }))),
    c('relayed with a MAC valid for two days', 403, 'CallbackMacExpired', signed(relayed({ exp: Math.floor(Date.now() / 1000) + 2 * 86400 }))),
    c('relayed with a MAC that is not Base64url', 403, 'CallbackMacInvalid', signed(relayed({ mac: 'not/base64+url=' }))),
    c('relayed with a MAC that is a number', 403, 'CallbackMacInvalid', signed(relayed({ mac: 7 as unknown as string }))),
    c('a key climbing out with ".."', 400, 'InvalidKey', signed((t) => report(t, { object: `${PREFIX}../alice/x.txt` }))),
    c('a key with a fullwidth solidus', 400, 'InvalidKey', signed((t) => report(t, { object: `${PREFIX}a\uff0fb.txt` }))),
    c('a key with CR LF', 400, 'InvalidKey', signed((t) => report(t, { object: `${PREFIX}a\r\nb.txt` }))),
    c('a key that does not exist', 400, 'ObjectNotFound', signed((t) => report(t, { object: `${PREFIX}never-uploaded.txt` }))),
    c('another ETag for a stored object', 400, 'ObjectChanged', signed((t) => report(t, { etag: '0123456789ABCDEF0123456789ABCDEF' }))),
    c('a quoted ETag of the wrong object', 400, 'ObjectChanged', signed((t) => report(t, { etag: '"0123456789ABCDEF0123456789ABCDEF"' }))),
  ];
}

// ---------------------------------------------------------------------------------------------
// Function Compute events no HTTP client can produce, straight to each handler

function eventCases(endpoint: Endpoint): BadInput[] {
  const path = `/api/${endpoint}`;
  const c = (what: string, status: number, code: string, event: Buffer | string | object): BadInput => ({ endpoint, what: `an FC event with ${what}`, status, code, send: invoke(endpoint, event) });
  const base = JSON.parse(httpEvent({ method: 'POST', path, body: {} }).toString()) as Record<string, unknown>;
  return [
    c('a body that is not JSON', 400, 'MalformedEvent', Buffer.from('not json')),
    c('a JSON array', 400, 'MalformedEvent', Buffer.from('[]')),
    c('a JSON string', 400, 'MalformedEvent', '"event"'),
    c('a body that is a number', 400, 'MalformedEvent', { ...base, body: 7 }),
    c('isBase64Encoded and a body that is not Base64', 400, 'MalformedBody', { ...base, body: 'e30@', isBase64Encoded: true }),
    c('isBase64Encoded and Base64 without padding', 400, 'MalformedBody', { ...base, body: 'e30', isBase64Encoded: true }),
    c('a rawPath of broken percent-encoding', 400, 'MalformedPath', { ...base, rawPath: `${path}%E0%A4%A` }),
    c('a rawPath to another function', 404, 'NotFound', { ...base, rawPath: '/api/admin' }),
    c('a method with CR LF', 405, 'MethodNotAllowed', { ...base, requestContext: { http: { method: 'POST\r\nX-Injected: 1' } } }),
    endpoint === 'callback'
      ? c('an Authorization header with CR LF', 400, 'CallbackSignatureMalformed', httpEvent({ method: 'POST', path, body: {}, headers: { Authorization: 'YWJj\r\nX-Injected: 1', 'x-oss-pub-key-url': OSS_KEY_URL_HEADER } }))
      : c('an Authorization header with CR LF', 401, 'TokenMalformed', httpEvent({ method: 'POST', path, body: {}, headers: { Authorization: 'Bearer a.b.c\r\nX-Injected: 1' } })),
    endpoint === 'callback'
      ? c('an x-oss-pub-key-url with CR LF', 400, 'CallbackKeyUrlMalformed', httpEvent({ method: 'POST', path, body: {}, headers: { Authorization: 'YWJj', 'x-oss-pub-key-url': `${OSS_KEY_URL_HEADER}\r\nX-Injected: 1` } }))
      : c('an Origin with CR LF on a preflight', 403, 'CorsOriginNotAllowed', httpEvent({ method: 'OPTIONS', path, headers: { Origin: 'http://localhost\r\nSet-Cookie: a=b' } })),
  ];
}

/** The runtime's FC-gateway stand-in reads at most 8 MB of a body. */
const GATEWAY_LIMIT: BadInput = {
  endpoint: 'token',
  what: 'a 9 MB body, over what the gateway reads',
  status: 413,
  code: 'PayloadTooLarge',
  send: asText('token', Buffer.alloc(9 * 1024 * 1024, 0x20)),
};

export const BAD_INPUTS: BadInput[] = [
  GATEWAY_LIMIT,
  ...transportCases('token'),
  ...tokenCases(),
  ...transportCases('sign'),
  ...signCases(),
  ...callbackCases(),
  ...(['token', 'sign', 'callback'] as const).flatMap(eventCases),
];
