// The local OSS names the callback host in TLS's SNI only when the callback parameter asks (callbackSNI),
// as OSS does (oss-protocol.md §4.1): a front that picks its certificate by SNI sees the name only then.

import { generateKeyPairSync } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:tls';
import { parseCallback, runCallback, type CallbackFacts } from '../../local/oss/callback';

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64');
const privateKeyPem = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const facts: CallbackFacts = { bucket: 'b', object: 'k', etag: 'E', size: 1, mimeType: 'text/plain', clientIp: '127.0.0.1', reqId: 'R', operation: 'PutObject', requester: 'u' };

// A TLS front that records the server name each ClientHello carries and ends the handshake there: what
// the front is told, not what it answers, is under test, so it needs no certificate.
let front: Server;
let names: (string | null)[];
let port: number;

beforeAll(async () => {
  front = createServer({
    SNICallback: (name, cb) => {
      names.push(name);
      cb(new Error('recorded'));
    },
  });
  front.on('tlsClientError', () => {
    if (names.length === 0) names.push(null);
  });
  await new Promise<void>((r) => front.listen(0, '127.0.0.1', r));
  port = (front.address() as AddressInfo).port;
});

beforeEach(() => {
  names = [];
});

afterAll(async () => {
  await new Promise((r) => front.close(r));
});

async function callBack(param: Record<string, unknown>): Promise<void> {
  const outcome = await runCallback(parseCallback(b64({ callbackUrl: `https://localhost:${port}/cb`, callbackBody: 'x', ...param }), {}), facts, privateKeyPem);
  expect(outcome.ok).toBe(false);
  const deadline = Date.now() + 2000;
  while (names.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
}

test('an HTTPS callback with callbackSNI true names the host in SNI', async () => {
  await callBack({ callbackSNI: true });
  expect(names).toEqual(['localhost']);
});

test('an HTTPS callback without callbackSNI, or with it false, sends no SNI', async () => {
  await callBack({});
  expect(names).toEqual([null]);
  names = [];
  await callBack({ callbackSNI: false });
  expect(names).toEqual([null]);
});
