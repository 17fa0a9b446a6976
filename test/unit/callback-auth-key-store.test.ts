// The key store's limits, as a stream of callbacks naming keys on OSS's key host meets them: how
// large a key may be, which answers count as a key, when a failed URL is asked again, and how many
// URLs are remembered. The store's own HTTP client (shared/outbound) is routed to a loopback server
// that answers each request with a web Response and counts requests; nothing leaves the machine.

import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { request } from '../../shared/outbound';
import { KeyStore } from '../../shared/callback-auth/key-store';
import { verifyCallback, type SignedCallback } from '../../shared/callback-auth/verify';
import { b64, ossSignature, rsaKeys, refusal } from './callback-helpers';

const MAX_KEY_BYTES = 8 * 1024;
const oss = rsaKeys();
const path = '/api/callback';
const body = 'bucket=b&object=users%2Falice%2Fa.png';

/** A callback OSS signed with `oss`, naming a key at `name` on OSS's key host. */
const callbackNaming = (name: string): SignedCallback => ({
  path,
  body: Buffer.from(body),
  authorization: ossSignature(oss.privateKey, path, body),
  pubKeyUrl: b64(`https://gosspublic.alicdn.com/${name}`),
});

let answer: (url: string) => Response = () => new Response('', { status: 500 });
let server: Server;
let origin: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const reply = answer(`https://gosspublic.alicdn.com${req.url ?? '/'}`);
    res.writeHead(reply.status, Object.fromEntries(reply.headers));
    res.flushHeaders();
    if (reply.body) Readable.fromWeb(reply.body as NodeReadableStream<Uint8Array>).pipe(res);
    else res.end();
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((done) => server.close(() => done())));

/**
 * A KeyStore whose every request goes, through the instance's real HTTP client, to the loopback
 * server, answered by `respond` and recorded (as the store asked for it) in `asked`.
 */
function storeAnswering(respond: (url: string) => Response) {
  const asked: string[] = [];
  answer = respond;
  const store = new KeyStore({
    timeoutMs: 1000,
    request: (r) => {
      const url = new URL(r.url);
      asked.push(url.href);
      return request({ ...r, url: `${origin}${url.pathname}` });
    },
  });
  return { store, asked };
}

/** The PEM padded with trailing newlines to exactly `bytes` (PEM readers ignore what follows the block). */
const paddedTo = (pem: string, bytes: number) => pem + '\n'.repeat(bytes - Buffer.byteLength(pem));

/** A body sent in 1 KiB chunks with no Content-Length, as a chunked answer arrives. */
function streamed(text: string): ReadableStream<Uint8Array> {
  const bytes = Buffer.from(text);
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(new Uint8Array(bytes.subarray(at, at + 1024)));
      at += 1024;
    },
  });
}

describe('how large a fetched key may be', () => {
  test.each([
    ['declared in Content-Length', (text: string) => new Response(text, { headers: { 'content-length': String(Buffer.byteLength(text)) } })],
    ['sent chunked, with no Content-Length', (text: string) => new Response(streamed(text))],
  ])('a key of exactly 8 KiB is used; one byte more is refused with 502 CallbackKeyUnavailable (%s)', async (_, respond) => {
    const fits = storeAnswering(() => respond(paddedTo(oss.publicPem, MAX_KEY_BYTES)));
    await expect(verifyCallback(callbackNaming('fits.pem'), { keyStore: fits.store })).resolves.toBeUndefined();

    const over = storeAnswering(() => respond(paddedTo(oss.publicPem, MAX_KEY_BYTES + 1)));
    const err = await refusal(verifyCallback(callbackNaming('over.pem'), { keyStore: over.store }));
    expect([err.status, err.code]).toEqual([502, 'CallbackKeyUnavailable']);
  });

  test('a key whose Content-Length is over 8 KiB is refused without waiting for its body', async () => {
    // The body never comes: a store that read before judging the declared length would wait out its 1 s limit.
    const { store } = storeAnswering(() => new Response(new ReadableStream<Uint8Array>(), { headers: { 'content-length': String(MAX_KEY_BYTES + 1) } }));
    const started = Date.now();
    const err = await refusal(verifyCallback(callbackNaming('declared-large.pem'), { keyStore: store }));
    expect(err.code).toBe('CallbackKeyUnavailable');
    expect(Date.now() - started).toBeLessThan(900);
  });
});

describe('which answers count as a key', () => {
  test('an error status is not a key, even when its body is a valid RSA public key', async () => {
    const { store } = storeAnswering(() => new Response(oss.publicPem, { status: 404 }));
    const err = await refusal(verifyCallback(callbackNaming('gone.pem'), { keyStore: store }));
    expect([err.status, err.code]).toEqual([502, 'CallbackKeyUnavailable']);
  });

  test('an answer with no body is not a key', async () => {
    const { store } = storeAnswering(() => new Response(null, { status: 200 }));
    expect((await refusal(verifyCallback(callbackNaming('empty.pem'), { keyStore: store }))).code).toBe('CallbackKeyUnavailable');
  });

  test('a public key that is not RSA (an EC key) is not used', async () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const { store } = storeAnswering(() => new Response(ec));
    expect((await refusal(verifyCallback(callbackNaming('ec.pem'), { keyStore: store }))).code).toBe('CallbackKeyUnavailable');
  });
});

describe('when a failed key URL is asked again', () => {
  let now: number;
  beforeEach(() => {
    now = Date.parse('2024-05-01T10:00:00Z');
    jest.spyOn(Date, 'now').mockImplementation(() => now);
  });
  afterEach(() => jest.restoreAllMocks());

  test('not within 60 s of the failure, and again from 60 s on', async () => {
    let up = false;
    const { store, asked } = storeAnswering(() => (up ? new Response(oss.publicPem) : new Response('unavailable', { status: 503 })));
    expect((await refusal(verifyCallback(callbackNaming('flaky.pem'), { keyStore: store }))).code).toBe('CallbackKeyUnavailable');
    up = true;

    now += 59_999;
    expect((await refusal(verifyCallback(callbackNaming('flaky.pem'), { keyStore: store }))).code).toBe('CallbackKeyUnavailable');
    expect(asked).toHaveLength(1);

    now += 1;
    await expect(verifyCallback(callbackNaming('flaky.pem'), { keyStore: store })).resolves.toBeUndefined();
    expect(asked).toHaveLength(2);
  });

  test('a key fetched successfully is not asked again, however much later', async () => {
    const { store, asked } = storeAnswering(() => new Response(oss.publicPem));
    await verifyCallback(callbackNaming('kept.pem'), { keyStore: store });
    now += 24 * 3600_000;
    await verifyCallback(callbackNaming('kept.pem'), { keyStore: store });
    expect(asked).toHaveLength(1);
  });
});

describe('how many key URLs are remembered', () => {
  const urls = Array.from({ length: 33 }, (_, i) => `key-${i}.pem`);

  test('32: each of 32 URLs is fetched once, however often and in whatever order callbacks name them', async () => {
    const { store, asked } = storeAnswering(() => new Response(oss.publicPem));
    for (const name of urls.slice(0, 32)) await verifyCallback(callbackNaming(name), { keyStore: store });
    for (const name of urls.slice(0, 32).reverse()) await verifyCallback(callbackNaming(name), { keyStore: store });
    expect(asked).toHaveLength(32);
  });

  test('a 33rd URL makes the store forget the others, so memory stays bounded: the first is fetched again', async () => {
    const { store, asked } = storeAnswering(() => new Response(oss.publicPem));
    for (const name of urls) await verifyCallback(callbackNaming(name), { keyStore: store });
    await verifyCallback(callbackNaming(urls[0]), { keyStore: store });
    expect(asked).toHaveLength(34);
    expect(asked[33]).toBe(`https://gosspublic.alicdn.com/${urls[0]}`);
  });
});
