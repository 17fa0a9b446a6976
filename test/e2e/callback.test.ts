// The upload callback end to end, through the local runtime: the client uploads to the local OSS,
// the local OSS calls the callback function (through a loopback hop that keeps what crossed it) and
// relays its answer, the function tells the app's webhook, and the OSS object-created event delivers
// the same event again, with the same id.

import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import type { LocalRuntime } from '../../local/runtime';
import type { CallbackAnswer, SignedCallbackResponse } from '../../shared/api/types';
import { setLogSink } from '../../shared/log';
import { b64, connectionCounter, ossSignature, recordingServer, rsaKeys, type Recorded, type Recorder } from '../unit/callback-helpers';
import { watchOutbound } from '../helpers/outbound';
import { startTestRuntime } from '../helpers/runtime';

const BUCKET = 'local-uploads';
const SECRET = `whsec_${Buffer.from('e2e-callback-webhook-secret-0123').toString('base64')}`;

interface AliOssError extends Error {
  status: number;
  code: string;
}
interface AliOss {
  put(name: string, body: Buffer, options?: { headers?: Record<string, string>; callback?: Record<string, unknown> }): Promise<{ res: { status: number } }>;
  head(name: string): Promise<{ res: { status: number } }>;
}
const OSS = require('ali-oss') as new (options: Record<string, unknown>) => AliOss;

interface HopRecord extends Recorded {
  status: number;
  answer: string;
  ms: number;
}

let runtime: LocalRuntime;
let dataDir: string;
let app: Recorder;
let webhookMode: 'answer' | 'hang' | 'fail-once' = 'answer';
let hop: Recorder & { records: HopRecord[] };
let logLines: string[];
let restoreSink: (l: string) => void;

/** A loopback hop on the callback's path that forwards to the runtime and keeps request, answer and time. */
async function startHop(): Promise<Recorder & { records: HopRecord[] }> {
  const records: HopRecord[] = [];
  const server = await recordingServer((hit, res) => {
    const started = performance.now();
    const out = request(`${runtime.appUrl}${hit.url}`, { method: hit.method, headers: hit.headers }, (up) => {
      const chunks: Buffer[] = [];
      up.on('data', (c: Buffer) => chunks.push(c));
      up.on('end', () => {
        const answer = Buffer.concat(chunks);
        records.push({ ...hit, status: up.statusCode ?? 0, answer: answer.toString('utf8'), ms: performance.now() - started });
        res.writeHead(up.statusCode ?? 502, up.headers);
        res.end(answer);
      });
    });
    out.end(hit.body);
  });
  return Object.assign(server, { records });
}

async function start(env: Record<string, string> = {}) {
  runtime = await startTestRuntime({
    dataDir,
    env: { WEBHOOK_URL: `${app.url}/hooks/uploads`, WEBHOOK_SECRET: SECRET, CALLBACK_URL: `${hop.url}/api/callback`, ...env },
  });
}

async function stop() {
  await runtime?.stop();
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'callback-e2e-'));
  app = await recordingServer((_, res) => {
    if (webhookMode === 'answer') res.writeHead(204).end();
    else if (webhookMode === 'fail-once') {
      webhookMode = 'answer';
      res.writeHead(500).end();
    }
  });
  hop = await startHop();
});

afterAll(async () => {
  await hop.close();
  await app.close();
  rmSync(dataDir, { recursive: true, force: true });
});

beforeEach(() => {
  webhookMode = 'answer';
  logLines = [];
  restoreSink = setLogSink((l) => logLines.push(l));
});
afterEach(() => setLogSink(restoreSink));

async function api<T>(path: string, jwt: string, body: unknown): Promise<T> {
  const res = await fetch(`${runtime.appUrl}${path}`, { method: 'POST', headers: { authorization: `Bearer ${jwt}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${path} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

/** Upload the way the web client does: a signed PUT from /sign, whose URL carries our callback. */
async function signedPut(user: string, content: Buffer, contentType = 'image/png') {
  const jwt = await runtime.login(user);
  const plan = await api<{ method: string; url: string; headers: Record<string, string> }>('/api/sign', jwt, {
    op: 'put',
    contentType,
    size: content.length,
    filename: 'photo.png',
  });
  const res = await fetch(plan.url, { method: plan.method, headers: plan.headers, body: new Uint8Array(content) });
  return { status: res.status, text: await res.text(), etagHeader: res.headers.get('etag') };
}

/** An ali-oss client on the user's STS credentials: it may PUT anything under the user's prefix. */
async function stsClient(user: string): Promise<AliOss> {
  const jwt = await runtime.login(user);
  const c = await api<{ AccessKeyId: string; AccessKeySecret: string; SecurityToken: string }>('/api/token', jwt, { access: 'readwrite' });
  return new OSS({
    endpoint: runtime.ossUrl,
    sldEnable: true,
    bucket: BUCKET,
    region: 'oss-cn-hangzhou',
    accessKeyId: c.AccessKeyId,
    accessKeySecret: c.AccessKeySecret,
    stsToken: c.SecurityToken,
    authorizationV4: true,
  });
}

/** The callback /sign pins for an upload `user` makes with STS credentials, as ali-oss takes it. */
async function pinnedFor(user: string, key: string): Promise<{ url: string; body: string; contentType: string }> {
  const plan = await api<SignedCallbackResponse>('/api/sign', await runtime.login(user), { op: 'callback', key });
  const p = plan.callbackParams!;
  return { url: p.callbackUrl, body: p.callbackBody, contentType: p.callbackBodyType };
}

/** A PUT through STS credentials with our callback that OSS is expected to answer with an error (203 when the callback refuses). */
async function refusedPut(client: AliOss, key: string, body: Buffer, contentType: string, user = key.split('/')[1]): Promise<AliOssError> {
  const options = { headers: { 'Content-Type': contentType }, callback: await pinnedFor(user, key) };
  return client.put(key, body, options).then(
    () => {
      throw new Error(`the upload of ${key} was expected to fail`);
    },
    (e: AliOssError) => e,
  );
}

async function until<T>(what: () => T | undefined, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = what();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const deliveriesOf = (id: string) => app.hits.filter((h) => h.headers['webhook-id'] === id);
const logged = () => logLines.map((l) => JSON.parse(l) as Record<string, unknown>);
/** The OSS event path runs beside the callback; it is done with `key` once it logs its outcome for it. */
const eventPathDone = (key: string) => until(() => logged().find((l) => l.source === 'oss-event' && l.object === key && l.outcome !== undefined));
const idOf = (key: string, etag: string) => createHash('sha256').update(`${BUCKET}\n${key}\n${etag}`).digest('hex');

describe('with keep on violation (the default)', () => {
  beforeAll(() => start());
  afterAll(stop);

  test('an upload with a callback returns our JSON to the client, with a download URL that works', async () => {
    const content = Buffer.from('not really a png');
    const up = await signedPut('alice', content);
    expect(up.status).toBe(200);
    const answer = JSON.parse(up.text) as CallbackAnswer;
    const etag = createHash('md5').update(content).digest('hex').toUpperCase();
    expect(answer).toEqual({
      key: expect.stringMatching(/^users\/alice\/[A-Za-z0-9_-]{16}\/photo\.png$/),
      filename: 'photo.png',
      size: content.length,
      etag,
      mimeType: 'image/png',
      user: 'alice',
      url: expect.any(String),
      expiresAt: expect.any(String),
      eventId: idOf(answer.key, etag),
      delivered: true,
    });
    expect(up.etagHeader).toBe(`"${etag}"`);
    const download = await fetch(answer.url!);
    expect(Buffer.from(await download.arrayBuffer())).toEqual(content);
  });

  test('the webhook receiver gets a correctly signed event, and the OSS event path delivers it again with the same id', async () => {
    const answer = JSON.parse((await signedPut('alice', Buffer.from('PNG-1'))).text) as CallbackAnswer;
    const hits = await until(() => (deliveriesOf(answer.eventId).length >= 2 ? deliveriesOf(answer.eventId) : undefined));
    expect(hits).toHaveLength(2);
    const events = hits.map((h) => new Webhook(SECRET).verify(h.body.toString(), h.headers as Record<string, string>) as { type: string; data: Record<string, unknown> });
    for (const e of events) {
      expect(e.type).toBe('upload.completed');
      expect(e.data).toMatchObject({ id: answer.eventId, bucket: BUCKET, key: answer.key, user: 'alice', size: 5, mimeType: 'image/png', etag: answer.etag });
    }
    expect(hits.every((h) => h.url === '/hooks/uploads')).toBe(true);
    expect(logged().some((l) => l.source === 'oss-event' && l.eventId === answer.eventId && l.delivered === true)).toBe(true);
  });

  test('a replayed callback yields the same event id', async () => {
    const answer = JSON.parse((await signedPut('alice', Buffer.from('PNG-2'))).text) as CallbackAnswer;
    const original = hop.records.find((r) => r.answer.includes(answer.eventId))!;
    const { host: _host, ...headers } = original.headers;
    const replay = await fetch(`${runtime.appUrl}/api/callback`, { method: 'POST', headers: headers as Record<string, string>, body: new Uint8Array(original.body) });
    expect(replay.status).toBe(200);
    expect(((await replay.json()) as CallbackAnswer).eventId).toBe(answer.eventId);
  });

  test('a callback forged with another key, for an upload OSS holds, is refused with its exact code; the key host it names is never contacted and the app hears nothing more', async () => {
    const attacker = rsaKeys();
    const keyHost = await connectionCounter(attacker.publicPem);
    // A real upload: the forgeries carry the body OSS sent for it (real bucket, key and ETag), so
    // only the signature checks stand between them and a delivered event.
    const answer = JSON.parse((await signedPut('alice', Buffer.from('PNG-forged'))).text) as CallbackAnswer;
    await eventPathDone(answer.key);
    const genuine = hop.records.find((r) => r.answer.includes(answer.eventId))!;
    const delivered = deliveriesOf(answer.eventId).length;
    expect(delivered).toBe(2);
    const outbound = watchOutbound();
    try {
      for (const [keyUrl, status, code] of [
        ['https://gosspublic.alicdn.com/callback_pub_key_v1.pem', 403, 'CallbackSignatureInvalid'],
        [`http://127.0.0.1:${keyHost.port}/attacker.pem`, 400, 'CallbackKeyUrlNotAllowed'],
        [`https://localhost:${keyHost.port}/attacker.pem`, 400, 'CallbackKeyUrlNotAllowed'],
        [`http://127.0.0.1:${keyHost.port}/callback_pub_key_v1.pem`, 400, 'CallbackKeyUrlNotAllowed'],
      ] as const) {
        const res = await fetch(`${runtime.appUrl}/api/callback`, {
          method: 'POST',
          headers: {
            authorization: ossSignature(attacker.privateKey, '/api/callback', genuine.body),
            'x-oss-pub-key-url': b64(keyUrl),
            'content-type': String(genuine.headers['content-type']),
          },
          body: new Uint8Array(genuine.body),
        });
        expect([keyUrl, res.status, ((await res.json()) as { error?: { code: string } }).error?.code]).toEqual([keyUrl, status, code]);
      }
      // The runtime runs in this process: nothing but the test's own requests left it.
      expect(outbound.urls.filter((url) => !url.startsWith(`${runtime.appUrl}/`))).toEqual([]);
    } finally {
      outbound.restore();
      await keyHost.close();
    }
    expect(keyHost.connections).toBe(0);
    expect(deliveriesOf(answer.eventId)).toHaveLength(delivered);
  });

  test('a rules violation gives the client 203 CallbackFailed, and the object is kept and flagged', async () => {
    const client = await stsClient('alice');
    const key = 'users/alice/page.html';
    const err = await refusedPut(client, key, Buffer.from('<script>alert(1)</script>'), 'text/html');
    expect([err?.status, err?.code]).toEqual([203, 'CallbackFailed']);
    const record = hop.records.find((r) => r.body.toString().includes(key))!;
    expect(record.status).toBe(400);
    expect(JSON.parse(record.answer).error.code).toBe('ContentTypeNotAllowed');
    expect((await client.head(key)).res.status).toBe(200);
    expect(logged().find((l) => l.violation === 'ContentTypeNotAllowed')).toMatchObject({ action: 'kept', flagged: true, user: 'alice' });
    expect(await eventPathDone(key)).toMatchObject({ outcome: 'violation', code: 'ContentTypeNotAllowed' });
    expect(app.hits.some((h) => h.body.toString().includes(key))).toBe(false);
  });

  test('with a webhook that hangs, the callback is answered in under a second and the upload succeeds', async () => {
    webhookMode = 'hang';
    const up = await signedPut('alice', Buffer.from('PNG-slow'));
    const answer = JSON.parse(up.text) as CallbackAnswer;
    const record = hop.records.find((r) => r.answer.includes(answer.eventId))!;
    process.stdout.write(`end-to-end callback answer time with a hanging webhook: ${record.ms.toFixed(0)} ms\n`);
    expect(up.status).toBe(200);
    expect(answer.delivered).toBe(false);
    expect(record.ms).toBeLessThan(1000);
  });
});

describe('with CALLBACK_ON_VIOLATION=delete', () => {
  beforeAll(() => start({ CALLBACK_ON_VIOLATION: 'delete', UPLOAD_MAX_SIZE: '16' }));
  afterAll(stop);

  test('a rules violation gives the client 203, and the object is gone', async () => {
    const client = await stsClient('bob');
    const key = 'users/bob/too-big.png';
    const err = await refusedPut(client, key, Buffer.alloc(64, 1), 'image/png');
    expect([err?.status, err?.code]).toEqual([203, 'CallbackFailed']);
    // The OSS event races the callback: whichever confirms the upload first deletes it; the other
    // finds it gone, or (when both looked before either deleted) deletes it too. Never kept.
    const record = hop.records.find((r) => r.body.toString().includes(key))!;
    expect(record.status).toBe(400);
    expect(['TooLarge', 'ObjectNotFound']).toContain(JSON.parse(record.answer).error.code);
    await eventPathDone(key);
    const actions = logged().filter((l) => l.violation === 'TooLarge' && l.object === key).map((l) => l.action);
    expect(actions.length).toBeGreaterThanOrEqual(1);
    expect(new Set(actions)).toEqual(new Set(['deleted']));
    const gone = await client.head(key).then(
      () => undefined,
      (e: AliOssError) => e,
    );
    expect(gone?.status).toBe(404);
    await eventPathDone(key);
    expect(app.hits.some((h) => h.body.toString().includes(key))).toBe(false);
  });
});

describe('with WEBHOOK_SKIP_DUPLICATES=true', () => {
  beforeAll(() => start({ WEBHOOK_SKIP_DUPLICATES: 'true' }));
  afterAll(stop);

  test('an upload reaches the app once: the OSS event path confirms and checks it, and does not send what the callback delivered', async () => {
    const answer = JSON.parse((await signedPut('alice', Buffer.from('PNG-once'))).text) as CallbackAnswer;
    expect(answer.delivered).toBe(true);
    await eventPathDone(answer.key);
    expect(deliveriesOf(answer.eventId)).toHaveLength(1);
    // The event path still asked OSS about the object: its outcome is logged, accepted.
    expect(logged().find((l) => l.source === 'oss-event' && l.object === answer.key)).toMatchObject({ outcome: 'accepted', eventId: answer.eventId, delivered: true });
  });

  test('a delivery the app refused is not skipped: the other path sends the event again, and the app takes it', async () => {
    webhookMode = 'fail-once';
    const answer = JSON.parse((await signedPut('alice', Buffer.from('PNG-refused-once'))).text) as CallbackAnswer;
    await eventPathDone(answer.key);
    expect(deliveriesOf(answer.eventId)).toHaveLength(2);
    const eventPath = logged().find((l) => l.source === 'oss-event' && l.object === answer.key);
    // Whichever path sent first was refused (500); the other sent it again and the app took it.
    expect([answer.delivered, eventPath?.delivered].filter(Boolean)).toEqual([true]);
  });
});
