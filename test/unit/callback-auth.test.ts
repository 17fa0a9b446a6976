// Verifying OSS upload callbacks: the official vectors, the exact signed string, which key URLs are
// accepted, and proof (a loopback server that records every hit, and a record of every outbound request) that a
// refused key URL costs no network request.

import { readFileSync } from 'node:fs';
import { KeyStore } from '../../shared/callback-auth/key-store';
import { request } from '../../shared/outbound';
import { allowedKeyUrl } from '../../shared/callback-auth/key-url';
import { SHIPPED_KEY_PEM } from '../../shared/callback-auth/oss-public-key';
import { callbackStringToSign, verifyCallback, type SignedCallback } from '../../shared/callback-auth/verify';
import { ConfigError } from '../../shared/config';
import { watchOutbound, type OutboundWatch } from '../helpers/outbound';
import { b64, hang, OSS_KEY_URL_HEADER, ossSignature, recordingServer, rsaKeys, type Recorder, refusal } from './callback-helpers';

interface CallbackVector {
  id: string;
  kind: string;
  publicKeyPem: string;
  request: { path: string; rawQuery: string; headers: Record<string, string>; body: string };
  expected: { signedString: string; valid: boolean };
}

const vectors = (JSON.parse(readFileSync(`${__dirname}/../vectors/oss-vectors.json`, 'utf8')).vectors as CallbackVector[]).filter(
  (v) => v.kind === 'oss-callback',
);

function vectorCallback(v: CallbackVector): SignedCallback {
  return {
    path: v.request.path,
    rawQuery: v.request.rawQuery,
    body: Buffer.from(v.request.body),
    authorization: v.request.headers.authorization,
    pubKeyUrl: v.request.headers['x-oss-pub-key-url'],
  };
}

let outbound: OutboundWatch;
beforeEach(() => {
  outbound = watchOutbound();
});
afterEach(() => outbound.restore());

describe('the oss-callback vectors', () => {
  test('there are both a valid and a tampered vector', () => {
    expect(vectors.map((v) => v.expected.valid).sort()).toEqual([false, true]);
  });

  test.each(vectors.map((v) => [v.id, v] as const))('%s: the signed string is path?query\\nbody', (_, v) => {
    const signed = callbackStringToSign(v.request.path, v.request.rawQuery, Buffer.from(v.request.body));
    expect(signed.toString('utf8')).toBe(v.expected.signedString);
  });

  test('the official example verifies with the shipped key, without fetching it', async () => {
    const v = vectors.find((x) => x.expected.valid)!;
    expect(v.publicKeyPem.trim()).toBe(SHIPPED_KEY_PEM.trim());
    await expect(verifyCallback(vectorCallback(v))).resolves.toBeUndefined();
    expect(outbound.urls).toEqual([]);
  });

  test('the tampered example is refused as an invalid signature', async () => {
    const v = vectors.find((x) => !x.expected.valid)!;
    const err = await refusal(verifyCallback(vectorCallback(v)));
    expect([err.status, err.code]).toEqual([403, 'CallbackSignatureInvalid']);
  });
});

describe('the signed string', () => {
  test('has no "?" when the URL has no query', () => {
    expect(callbackStringToSign('/api/callback', undefined, Buffer.from('a=1')).toString()).toBe('/api/callback\na=1');
    expect(callbackStringToSign('/api/callback', '', Buffer.from('a=1')).toString()).toBe('/api/callback\na=1');
  });

  test('keeps the body bytes exactly, including bytes that are not UTF-8', () => {
    const body = Buffer.from([0x7b, 0xff, 0x00, 0x7d]);
    expect(callbackStringToSign('/cb', undefined, body).subarray(4)).toEqual(body);
  });
});

describe('which key URLs are accepted', () => {
  test.each([
    'https://gosspublic.alicdn.com/callback_pub_key_v1.pem',
    'http://gosspublic.alicdn.com/callback_pub_key_v1.pem',
    'https://GOSSPUBLIC.alicdn.com/callback_pub_key_v2.pem',
    'https://gosspublic.alicdn.com:443/callback_pub_key_v1.pem',
    'http://gosspublic.alicdn.com:80/callback_pub_key_v1.pem',
  ])('%s is on OSS\'s key host', (url) => {
    expect(allowedKeyUrl(url)?.hostname).toBe('gosspublic.alicdn.com');
  });

  test.each([
    'https://gosspublic.alicdn.com.evil.test/callback_pub_key_v1.pem',
    'https://gosspublic-alicdn.com/callback_pub_key_v1.pem',
    'https://gosspublic.alicdn.com@evil.test/',
    'https://user:pw@gosspublic.alicdn.com/callback_pub_key_v1.pem',
    'https://gosspublic.alicdn.com:8443/callback_pub_key_v1.pem',
    'http://gosspublic.alicdn.com:443/callback_pub_key_v1.pem',
    'https://gosspublic.alicdn.com./callback_pub_key_v1.pem',
    'https://evil.test/gosspublic.alicdn.com/callback_pub_key_v1.pem',
    'ftp://gosspublic.alicdn.com/callback_pub_key_v1.pem',
    'file:///etc/ssl/gosspublic.alicdn.com.pem',
    'file://gosspublic.alicdn.com/callback_pub_key_v1.pem',
    'data:text/plain,-----BEGIN PUBLIC KEY-----',
    '//gosspublic.alicdn.com/callback_pub_key_v1.pem',
    'gosspublic.alicdn.com/callback_pub_key_v1.pem',
  ])('%s is refused', (url) => {
    expect(allowedKeyUrl(url)).toBeUndefined();
  });
});

describe('forgeries are refused without any network request', () => {
  let keyServer: Recorder;
  const attacker = rsaKeys();
  beforeAll(async () => {
    // Serves the attacker's key to anyone who asks: a verifier that fetches it is fooled.
    keyServer = await recordingServer((_, res) => res.end(attacker.publicPem));
  });
  afterAll(() => keyServer.close());
  beforeEach(() => keyServer.hits.splice(0));

  const path = '/api/callback';
  const body = '{"bucket":"b","object":"users/alice/x.png"}';

  const hostile = () => [
    `http://127.0.0.1:${keyServer.port}/callback_pub_key_v1.pem`,
    `http://localhost:${keyServer.port}/callback_pub_key_v1.pem`,
    `https://gosspublic.alicdn.com@127.0.0.1:${keyServer.port}/callback_pub_key_v1.pem`,
    `http://gosspublic.alicdn.com:${keyServer.port}/callback_pub_key_v1.pem`,
    `http://127.0.0.1:${keyServer.port}/gosspublic.alicdn.com/callback_pub_key_v1.pem`,
    'https://gosspublic.alicdn.com.evil.test/callback_pub_key_v1.pem',
    'https://gosspublic-alicdn.com/callback_pub_key_v1.pem',
    'https://gosspublic.alicdn.com@evil.test/',
    'https://gosspublic.alicdn.com:8443/callback_pub_key_v1.pem',
    'file:///etc/passwd',
    `data:application/x-pem-file;base64,${b64(attacker.publicPem)}`,
  ];

  test('a callback signed with the attacker\'s key, naming a key URL off OSS\'s host, is refused with 400 CallbackKeyUrlNotAllowed', async () => {
    const urls = hostile();
    for (const url of urls) {
      const err = await refusal(
        verifyCallback({ path, body: Buffer.from(body), authorization: ossSignature(attacker.privateKey, path, body), pubKeyUrl: b64(url) }),
      );
      expect([url, err.status, err.code]).toEqual([url, 400, 'CallbackKeyUrlNotAllowed']);
    }
    expect(keyServer.hits).toHaveLength(0);
    expect(outbound.urls).toEqual([]);
  });

  test('a callback signed with the attacker\'s key, naming OSS\'s own key URL, fails verification without a fetch', async () => {
    const err = await refusal(
      verifyCallback({ path, body: Buffer.from(body), authorization: ossSignature(attacker.privateKey, path, body), pubKeyUrl: OSS_KEY_URL_HEADER }),
    );
    expect([err.status, err.code]).toEqual([403, 'CallbackSignatureInvalid']);
    expect(outbound.urls).toEqual([]);
  });

  test.each([
    ['no Authorization', 'CallbackSignatureMissing', { authorization: undefined }],
    ['an empty Authorization', 'CallbackSignatureMissing', { authorization: '' }],
    ['a Bearer Authorization', 'CallbackSignatureMalformed', { authorization: 'Bearer abc.def.ghi' }],
    ['two Authorization values joined by a comma', 'CallbackSignatureMalformed', { authorization: 'AAAA,AAAA' }],
    ['an oversized Authorization', 'CallbackSignatureMalformed', { authorization: 'A'.repeat(4096) }],
    ['no x-oss-pub-key-url', 'CallbackKeyUrlMissing', { pubKeyUrl: undefined }],
    ['an x-oss-pub-key-url that is not Base64', 'CallbackKeyUrlMalformed', { pubKeyUrl: 'https://gosspublic.alicdn.com/callback_pub_key_v1.pem' }],
    ['an x-oss-pub-key-url that is Base64 of bytes that are not UTF-8', 'CallbackKeyUrlMalformed', { pubKeyUrl: Buffer.from([0xff, 0xfe, 0x41]).toString('base64') }],
    ['an x-oss-pub-key-url that is Base64 of no URL', 'CallbackKeyUrlNotAllowed', { pubKeyUrl: b64('not a url') }],
  ] as const)('%s is refused with 400 %s', async (_, code, change) => {
    const cb: SignedCallback = { path, body: Buffer.from(body), authorization: ossSignature(attacker.privateKey, path, body), pubKeyUrl: OSS_KEY_URL_HEADER, ...change };
    const err = await refusal(verifyCallback(cb));
    expect([err.status, err.code]).toEqual([400, code]);
    expect(outbound.urls).toEqual([]);
  });
});

describe('keys trusted by configuration', () => {
  const local = rsaKeys();
  const path = '/api/callback';
  const body = Buffer.from('{"bucket":"local-uploads"}');
  const signed = (p = path, b: Buffer = body, q?: string): SignedCallback => ({
    path: p,
    body: b,
    rawQuery: q,
    authorization: ossSignature(local.privateKey, path, body),
    pubKeyUrl: OSS_KEY_URL_HEADER,
  });

  test('a callback signed by a trusted key verifies while naming OSS\'s key URL, as the local OSS sends it', async () => {
    await expect(verifyCallback(signed(), { trustedKeys: [local.publicPem] })).resolves.toBeUndefined();
    expect(outbound.urls).toEqual([]);
  });

  test('the same callback is refused when that key is not configured', async () => {
    expect((await refusal(verifyCallback(signed()))).code).toBe('CallbackSignatureInvalid');
  });

  test.each([
    ['the path changed', signed('/api/callback2')],
    ['the path re-encoded', signed('/api%2Fcallback')],
    ['a query added', signed(path, body, 'a=1')],
    ['the body changed by one byte', signed(path, Buffer.from('{"bucket":"local-uploadz"}'))],
    ['the body re-serialised with whitespace', signed(path, Buffer.from('{ "bucket": "local-uploads" }'))],
  ])('a signed callback with %s is refused', async (_, cb) => {
    expect((await refusal(verifyCallback(cb, { trustedKeys: [local.publicPem] }))).code).toBe('CallbackSignatureInvalid');
  });

  test('a trusted key that is not a PEM public key is a configuration error', async () => {
    await expect(verifyCallback(signed(), { trustedKeys: ['-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----'] })).rejects.toBeInstanceOf(ConfigError);
  });
});

describe('keys fetched from OSS\'s key host', () => {
  // The tests cannot reach gosspublic.alicdn.com: the store's HTTP client is routed to a loopback
  // server, and records which URL the store asked for.
  const oss = rsaKeys();
  const path = '/api/callback';
  const body = 'bucket=b';
  let server: Recorder;
  let asked: string[];
  const routed = (target: () => Recorder) => {
    asked = [];
    return new KeyStore({
      timeoutMs: 300,
      request: (r) => {
        const url = new URL(r.url);
        asked.push(url.href);
        return request({ ...r, url: `${target().url}${url.pathname}` });
      },
    });
  };
  const callback = (keyUrl: string): SignedCallback => ({
    path,
    body: Buffer.from(body),
    authorization: ossSignature(oss.privateKey, path, body),
    pubKeyUrl: b64(keyUrl),
  });

  beforeEach(async () => {
    server = await recordingServer((_, res) => res.end(oss.publicPem));
  });
  afterEach(() => server.close());

  test('a key at another path on the host is fetched over HTTPS once, then served from the cache', async () => {
    const store = routed(() => server);
    for (let i = 0; i < 3; i++) {
      await verifyCallback(callback('http://gosspublic.alicdn.com/callback_pub_key_v2.pem'), { keyStore: store });
    }
    expect(asked).toEqual(['https://gosspublic.alicdn.com/callback_pub_key_v2.pem']);
    expect(server.hits).toHaveLength(1);
  });

  test('the shipped key\'s URL makes no request, over http or https', async () => {
    const store = routed(() => server);
    for (const url of ['http://gosspublic.alicdn.com/callback_pub_key_v1.pem', 'https://gosspublic.alicdn.com/callback_pub_key_v1.pem']) {
      expect((await refusal(verifyCallback(callback(url), { keyStore: store }))).code).toBe('CallbackSignatureInvalid');
    }
    expect(asked).toEqual([]);
    expect(server.hits).toHaveLength(0);
  });

  test('a key host that does not answer gives 502 CallbackKeyUnavailable within the fetch timeout', async () => {
    const silent = await recordingServer(hang);
    try {
      const store = routed(() => silent);
      const started = Date.now();
      const err = await refusal(verifyCallback(callback('https://gosspublic.alicdn.com/callback_pub_key_v3.pem'), { keyStore: store }));
      expect([err.status, err.code]).toEqual([502, 'CallbackKeyUnavailable']);
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      await silent.close();
    }
  });

  test('a failed key URL is not asked again at once', async () => {
    const missing = await recordingServer((_, res) => res.writeHead(404).end());
    try {
      const store = routed(() => missing);
      for (let i = 0; i < 3; i++) {
        expect((await refusal(verifyCallback(callback('https://gosspublic.alicdn.com/gone.pem'), { keyStore: store }))).code).toBe('CallbackKeyUnavailable');
      }
      expect(missing.hits).toHaveLength(1);
    } finally {
      await missing.close();
    }
  });

  test('a redirect from the key host is not followed', async () => {
    const elsewhere = await recordingServer((_, res) => res.end(oss.publicPem));
    const redirecting = await recordingServer((_, res) => res.writeHead(302, { Location: `${elsewhere.url}/key.pem` }).end());
    try {
      const store = routed(() => redirecting);
      const err = await refusal(verifyCallback(callback('https://gosspublic.alicdn.com/moved.pem'), { keyStore: store }));
      expect(err.code).toBe('CallbackKeyUnavailable');
      expect(elsewhere.hits).toHaveLength(0);
    } finally {
      await redirecting.close();
      await elsewhere.close();
    }
  });

  test('an answer that is not an RSA public key, or is too large, is refused', async () => {
    const junk = await recordingServer((req, res) => res.end(req.url === '/big.pem' ? 'A'.repeat(64 * 1024) : 'not a key'));
    try {
      const store = routed(() => junk);
      for (const name of ['junk.pem', 'big.pem']) {
        const err = await refusal(verifyCallback(callback(`https://gosspublic.alicdn.com/${name}`), { keyStore: store }));
        expect(err.code).toBe('CallbackKeyUnavailable');
      }
    } finally {
      await junk.close();
    }
  });
});
