// Loopback servers and a signer for the callback tests: a server that records every request it gets,
// a minimal OSS that answers HeadObject/DeleteObject only to correctly V4-signed requests, and OSS's
// side of a callback (RSA-MD5 over path, newline, body) done with node:crypto directly.

import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { ApiError } from '../../shared/api/errors';
import type { Credentials } from '../../shared/signer/credentials';
import { authorizeV4 } from '../../shared/signer/v4';
import { crc64 } from '../../local/oss/crc64';

export interface Recorded {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

export interface Recorder {
  url: string;
  port: number;
  hits: Recorded[];
  close(): Promise<void>;
}

type Respond = (req: Recorded, res: ServerResponse) => void;

export async function recordingServer(respond: Respond = (_, res) => res.end()): Promise<Recorder> {
  const hits: Recorded[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const hit = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) };
      hits.push(hit);
      respond(hit, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://localhost:${port}`,
    port,
    hits,
    close: () => {
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

export interface ConnectionCounter {
  port: number;
  /** TCP connections accepted so far, whatever was spoken on them (HTTP, a TLS handshake, nothing). */
  connections: number;
  close(): Promise<void>;
}

/**
 * A key host for an attacker: it counts every TCP connection and answers plain HTTP with `body`.
 * Counting connections rather than HTTP requests catches a client that upgrades the URL to HTTPS
 * (as the callback key store does), which an HTTP recorder would never see.
 */
export async function connectionCounter(body: string): Promise<ConnectionCounter> {
  const sockets = new Set<Socket>();
  const counter = { port: 0, connections: 0, close: async () => {} };
  const server = createTcpServer((socket) => {
    counter.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.once('data', (first: Buffer) => {
      if (/^[A-Z]+ \S+ HTTP\/1\.[01]\r\n/.test(first.toString('latin1'))) {
        socket.end(`HTTP/1.1 200 OK\r\nContent-Type: application/x-pem-file\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      } else socket.destroy();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  counter.port = (server.address() as AddressInfo).port;
  counter.close = () => {
    for (const s of sockets) s.destroy();
    return new Promise((r) => server.close(() => r()));
  };
  return counter;
}

/** A server that takes requests and never answers them. */
export const hang: Respond = () => {};

export function rsaKeys(): { privateKey: KeyObject; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
  return { privateKey, publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

/** What OSS does to a callback: sign decoded path (+ ?query) + "\n" + body with its private key. */
export function ossSignature(privateKey: KeyObject, path: string, body: string | Buffer, rawQuery?: string): string {
  const head = Buffer.from(rawQuery ? `${path}?${rawQuery}\n` : `${path}\n`, 'utf8');
  return sign('md5', Buffer.concat([head, Buffer.from(body)]), privateKey).toString('base64');
}

export const OSS_KEY_URL_HEADER = Buffer.from('https://gosspublic.alicdn.com/callback_pub_key_v1.pem').toString('base64');

export const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

export interface StoredObject {
  body: Buffer;
  contentType: string;
  etag: string;
  /** `x-oss-object-type` as HeadObject reports it: Normal, Multipart, Appendable or Symlink. */
  objectType: string;
  /** `x-oss-meta-filename` as stored (percent-encoded), when the upload sent one. */
  filename?: string;
  /** Further headers HeadObject reports as stored (Cache-Control, x-oss-storage-class, x-oss-tagging-count…). */
  headers?: Record<string, string>;
}

export interface FakeOss extends Recorder {
  objects: Map<string, StoredObject>;
  /** Methods the function's role may not use (403 AccessDenied), as without the DeleteObject policy. */
  denied: Set<string>;
  put(key: string, body: string | Buffer, contentType: string, objectType?: string, filename?: string): StoredObject;
}

/** Upper-case hex MD5, as OSS spells a single-part ETag. */
export function etagOf(body: string | Buffer): string {
  return createHash('md5').update(body).digest('hex').toUpperCase();
}

function v4Date(stamp: string): Date {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(stamp);
  return m ? new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6])) : new Date(NaN);
}

/** HeadObject and DeleteObject on path-style URLs, refused (403) unless signed with `credentials`. */
export async function fakeOss(bucket: string, region: string, credentials: Credentials): Promise<FakeOss> {
  const objects = new Map<string, StoredObject>();
  const denied = new Set<string>();
  const rec = await recordingServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const [, b, ...rest] = path.split('/');
    const key = rest.join('/');
    const date = v4Date(String(req.headers['x-oss-date']));
    const expected = Number.isNaN(date.getTime())
      ? undefined
      : authorizeV4({ method: req.method, bucket: b, key, query: [], headers: {} }, credentials, region, date).headers.Authorization;
    if (b !== bucket || req.headers.authorization !== expected || req.headers['x-oss-security-token'] !== credentials.securityToken) {
      res.writeHead(403, { 'Content-Type': 'application/xml' });
      return res.end('<Error><Code>SignatureDoesNotMatch</Code></Error>');
    }
    if (denied.has(req.method)) {
      res.writeHead(403, { 'Content-Type': 'application/xml' });
      return res.end('<Error><Code>AccessDenied</Code></Error>');
    }
    const obj = objects.get(key);
    if (req.method === 'HEAD') {
      if (!obj) return res.writeHead(404).end();
      const meta = obj.filename === undefined ? {} : { 'x-oss-meta-filename': obj.filename };
      // As OSS reports it for every object it computed the CRC-64 of.
      const crc = { 'x-oss-hash-crc64ecma': crc64(obj.body) };
      res.writeHead(200, { ETag: `"${obj.etag}"`, 'Content-Length': obj.body.length, 'Content-Type': obj.contentType, 'x-oss-object-type': obj.objectType, ...meta, ...crc, ...obj.headers });
      return res.end();
    }
    if (req.method === 'DELETE') {
      objects.delete(key);
      return res.writeHead(204).end();
    }
    res.writeHead(405).end();
  });
  return {
    ...rec,
    objects,
    denied,
    put(key, body, contentType, objectType = 'Normal', filename) {
      const obj = { body: Buffer.from(body), contentType, etag: etagOf(body), objectType, filename };
      objects.set(key, obj);
      return obj;
    },
  };
}

export interface FakeSts extends Recorder {
  /** What the next AssumeRole calls get: credentials living `lifetimeMs`, a refusal, or no answer. */
  mode: { kind: 'ok'; lifetimeMs: number } | { kind: 'refuse'; code: string; status: number } | { kind: 'hang' };
  /** The credentials of the last answer. */
  issued?: { AccessKeyId: string; AccessKeySecret: string; SecurityToken: string; Expiration: string };
  /** The form of every AssumeRole call, parsed. */
  calls(): Record<string, string>[];
}

let issuedCount = 0;

/** An STS that answers AssumeRole as STS does (POP signature not checked: local/sts does that). */
export async function fakeSts(): Promise<FakeSts> {
  const state: Pick<FakeSts, 'mode' | 'issued'> = { mode: { kind: 'ok', lifetimeMs: 3600_000 } };
  const rec = await recordingServer((_, res) => {
    const { mode } = state;
    if (mode.kind === 'hang') return;
    res.writeHead(mode.kind === 'ok' ? 200 : mode.status, { 'Content-Type': 'application/json' });
    if (mode.kind === 'refuse') return res.end(JSON.stringify({ RequestId: 'R-1', HostId: 'sts', Code: mode.code, Message: 'refused' }));
    const n = ++issuedCount;
    state.issued = {
      AccessKeyId: `STS.fakeIssued${String(n).padStart(6, '0')}`,
      AccessKeySecret: `fakeIssuedSecret${n}-0123456789`,
      SecurityToken: `CAISfakeIssuedToken${n}+Zz9/Yy8=`,
      Expiration: new Date(Date.now() + mode.lifetimeMs).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    };
    res.end(JSON.stringify({ RequestId: 'R-1', AssumedRoleUser: { Arn: 'acs:ram::1:role/oss-upload-client/x', AssumedRoleId: '1:x' }, Credentials: state.issued }));
  });
  const sts = rec as FakeSts;
  Object.defineProperty(sts, 'mode', { get: () => state.mode, set: (m: FakeSts['mode']) => (state.mode = m) });
  Object.defineProperty(sts, 'issued', { get: () => state.issued });
  sts.calls = () => rec.hits.map((h) => Object.fromEntries(new URLSearchParams(h.body.toString())));
  return sts;
}

/** The ApiError `p` rejects with; fails the test when it resolves or rejects with anything else. */
export async function refusal(p: Promise<unknown>): Promise<ApiError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof ApiError)) throw new Error(`expected an ApiError, got ${String(err)}`);
  return err;
}
