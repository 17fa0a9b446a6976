// Fault injection: the services the functions depend on misbehave (loopback servers stand in for
// them) and the documented behaviour holds. STS slow, down, throttling or answering garbage: the
// token function answers 503 StsUnavailable with Retry-After after three attempts, and recovers.
// OSS's key host slow, down or broken: the callback is refused with 502 CallbackKeyUnavailable well
// inside OSS's 5 s, and a failed URL is not fetched again. The webhook slow, down or failing, or OSS
// not answering the callback's HeadObject: the callback still answers inside 5 s.
// HARDENING_REPORT=1 prints the observed matrix.

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalRuntime } from '../../local/runtime';
import { KeyStore } from '../../shared/callback-auth/key-store';
import { request } from '../../shared/outbound';
import { verifyCallback } from '../../shared/callback-auth/verify';
import { ApiError } from '../../shared/api/errors';
import { setLogSink } from '../../shared/log';
import { b64, ossSignature, rsaKeys } from '../unit/callback-helpers';
import { startTestRuntime } from '../helpers/runtime';
import { after, answer, type Behaviour, hang, inTurn, type Misbehaving, misbehaving, nothingListening } from './misbehaving';

/** OSS gives an upload callback 5 s before it answers the uploader 203 CallbackFailed. */
const OSS_CALLBACK_BUDGET_MS = 5000;
const STS_TIMEOUT_MS = 300;
const STS_ATTEMPTS = 3;
/** The retry's backoff is at most 100 ms, then 200 ms. */
const STS_BACKOFF_MAX_MS = 300;
/** What a loaded 2-core machine may add to any measured time. */
const SLACK_MS = 1000;
const WEBHOOK_SECRET = `whsec_${randomBytes(24).toString('base64')}`;

interface Row {
  dependency: string;
  fault: string;
  observed: string;
  ms: number;
}
const matrix: Row[] = [];

let rt: LocalRuntime;
let dataDir: string;
let sts: Misbehaving;
let webhook: Misbehaving;
let oss: Misbehaving;
let logLines: string[] = [];
let restoreSink: (line: string) => void;
const changed = ['STS_ENDPOINT', 'STS_TIMEOUT_MS', 'WEBHOOK_URL', 'OSS_INTERNAL_ENDPOINT'] as const;
let configured: Partial<Record<(typeof changed)[number], string>>;

beforeAll(async () => {
  restoreSink = setLogSink((line) => logLines.push(line));
  [sts, webhook, oss] = await Promise.all([misbehaving(), misbehaving(), misbehaving()]);
  dataDir = mkdtempSync(join(tmpdir(), 'faults-'));
  rt = await startTestRuntime({ dataDir, env: { WEBHOOK_URL: `${webhook.url}/hooks/uploads`, WEBHOOK_SECRET } });
  configured = Object.fromEntries(changed.map((name) => [name, rt.env[name]]));
});

afterEach(() => {
  rt.reconfigure(Object.fromEntries(changed.map((name) => [name, configured[name]])));
  logLines = [];
});

afterAll(async () => {
  await rt?.stop();
  await Promise.all([sts, webhook, oss].map((s) => s?.close()));
  rmSync(dataDir, { recursive: true, force: true });
  setLogSink(restoreSink);
  if (process.env.HARDENING_REPORT) {
    process.stdout.write(`\n| dependency | fault | observed | ms |\n|---|---|---|---|\n${matrix.map((r) => `| ${r.dependency} | ${r.fault} | ${r.observed} | ${Math.round(r.ms)} |`).join('\n')}\n`);
  }
});

function configure(env: Partial<Record<(typeof changed)[number], string>>) {
  rt.reconfigure(env);
}

// ---------------------------------------------------------------------------------------------

describe('STS misbehaving: POST /api/token', () => {
  let users = 0;
  const issued = { AccessKeyId: 'STS.fault-test', AccessKeySecret: randomBytes(24).toString('base64url'), SecurityToken: `CAIS${randomBytes(64).toString('base64')}` };
  const credentials: Behaviour = (req, res, body) =>
    answer(200, { RequestId: 'R', Credentials: { ...issued, Expiration: new Date(Date.now() + 900_000).toISOString().replace(/\.\d{3}Z$/, 'Z') } })(req, res, body);
  const stsError = (status: number, code: string) => answer(status, { RequestId: 'R', HostId: 'sts.aliyuncs.com', Code: code, Message: `${code} (upstream text)` });

  /** A token request from a user the cache has never seen, so STS is asked. */
  async function token() {
    const jwt = await rt.login(`sts-fault-${++users}`);
    const started = performance.now();
    const res = await fetch(`${rt.appUrl}/api/token`, { method: 'POST', headers: { Authorization: `Bearer ${jwt}`, 'Content-Type': 'application/json' }, body: '{"access":"upload"}' });
    const ms = performance.now() - started;
    const body = (await res.json()) as { error?: { code: string; message: string }; AccessKeySecret?: string };
    return { status: res.status, code: body.error?.code, retryAfter: res.headers.get('retry-after'), ms, attempts: sts.hits.length, body };
  }

  const unavailable: [string, string, Behaviour][] = [
    [`slow: answers after ${STS_TIMEOUT_MS * 2} ms, beyond STS_TIMEOUT_MS`, '2', after(STS_TIMEOUT_MS * 2, credentials)],
    ['hanging', '2', hang],
    ['throttling: 400 Throttling.User', '5', stsError(400, 'Throttling.User')],
    ['throttling: 503 Throttling', '5', stsError(503, 'Throttling')],
    ['failing: 503 ServiceUnavailable', '2', stsError(503, 'ServiceUnavailable')],
    ['failing: 500 InternalError', '2', stsError(500, 'InternalError')],
    ['garbage: 200 with an HTML page', '2', answer(200, '<html><body>gateway</body></html>')],
    ['garbage: 200 JSON without Credentials', '2', answer(200, { RequestId: 'R' })],
    ['garbage: 200 with truncated JSON', '2', answer(200, '{"RequestId":"R","Credentials":{"AccessKeyId":')],
    ['resetting the connection', '2', (req) => req.socket.destroy()],
  ];

  test.each(unavailable)('%s → 503 StsUnavailable, Retry-After %s, after three attempts', async (fault, retryAfter, behaviour) => {
    sts.act(behaviour);
    configure({ STS_ENDPOINT: sts.url, STS_TIMEOUT_MS: String(STS_TIMEOUT_MS) });
    const r = await token();
    matrix.push({ dependency: 'STS', fault, observed: `${r.status} ${r.code}, Retry-After ${r.retryAfter}, ${r.attempts} attempts`, ms: r.ms });
    expect([r.status, r.code, r.retryAfter, r.attempts]).toEqual([503, 'StsUnavailable', retryAfter, STS_ATTEMPTS]);
    expect(r.body.error?.message).not.toMatch(/upstream|gateway|Throttling/);
    expect(r.ms).toBeLessThan(STS_ATTEMPTS * STS_TIMEOUT_MS + STS_BACKOFF_MAX_MS + SLACK_MS);
  });

  test('down (connection refused) → 503 StsUnavailable, Retry-After 2', async () => {
    configure({ STS_ENDPOINT: await nothingListening(), STS_TIMEOUT_MS: String(STS_TIMEOUT_MS) });
    const r = await token();
    matrix.push({ dependency: 'STS', fault: 'down (connection refused)', observed: `${r.status} ${r.code}, Retry-After ${r.retryAfter}`, ms: r.ms });
    expect([r.status, r.code, r.retryAfter]).toEqual([503, 'StsUnavailable', '2']);
    expect(r.ms).toBeLessThan(STS_BACKOFF_MAX_MS + SLACK_MS);
  });

  test('throttling once, then answering → 200 with the credentials of the second attempt', async () => {
    sts.act(inTurn(stsError(400, 'Throttling.User'), credentials));
    configure({ STS_ENDPOINT: sts.url, STS_TIMEOUT_MS: String(STS_TIMEOUT_MS) });
    const r = await token();
    matrix.push({ dependency: 'STS', fault: 'throttling once, then answering', observed: `${r.status}, ${r.attempts} attempts`, ms: r.ms });
    expect([r.status, r.attempts, r.body.AccessKeySecret]).toEqual([200, 2, issued.AccessKeySecret]);
  });

  test('a failure is not cached: the same user gets credentials as soon as STS is back', async () => {
    sts.act(hang);
    configure({ STS_ENDPOINT: sts.url, STS_TIMEOUT_MS: String(STS_TIMEOUT_MS) });
    const jwt = await rt.login('sts-fault-recovers');
    const ask = () => fetch(`${rt.appUrl}/api/token`, { method: 'POST', headers: { Authorization: `Bearer ${jwt}` }, body: '{"access":"upload"}' });
    expect((await ask()).status).toBe(503);
    sts.act(credentials);
    const res = await ask();
    expect([res.status, ((await res.json()) as { AccessKeySecret: string }).AccessKeySecret]).toEqual([200, issued.AccessKeySecret]);
  });
});

// ---------------------------------------------------------------------------------------------

describe("OSS's public-key host misbehaving: verifying a callback that names a key not shipped with the code", () => {
  const KEY_URL = 'https://gosspublic.alicdn.com/callback_pub_key_v2.pem';
  const newOssKey = rsaKeys();
  const body = Buffer.from('{"bucket":"local-uploads","object":"users/alice/a.txt","etag":"E","size":1}');
  let host: Misbehaving;

  beforeAll(async () => {
    host = await misbehaving();
  });
  afterAll(() => host.close());

  /** A key store whose HTTP client reaches `base` instead of the internet, noting every URL it was asked for. */
  function routedStore(base: string) {
    const asked: string[] = [];
    const store = new KeyStore({
      request: (r) => {
        const url = new URL(r.url);
        asked.push(url.href);
        return request({ ...r, url: `${base}${url.pathname}` });
      },
    });
    return { store, asked };
  }

  async function verify(store: KeyStore) {
    const started = performance.now();
    const outcome = await verifyCallback({ path: '/api/callback', body, authorization: ossSignature(newOssKey.privateKey, '/api/callback', body), pubKeyUrl: b64(KEY_URL) }, { keyStore: store }).then(
      () => 'verified',
      (err: unknown) => (err instanceof ApiError ? `${err.status} ${err.code}` : `threw ${String(err)}`),
    );
    return { outcome, ms: performance.now() - started };
  }

  test('answering with the key: the callback verifies, the key fetched over HTTPS from OSS\'s host only', async () => {
    host.act(answer(200, newOssKey.publicPem, { 'Content-Type': 'application/x-pem-file' }));
    const { store, asked } = routedStore(host.url);
    const r = await verify(store);
    matrix.push({ dependency: 'key host', fault: 'none (serves the key)', observed: r.outcome, ms: r.ms });
    expect(r.outcome).toBe('verified');
    expect(asked).toEqual([KEY_URL]);
  });

  const broken: [string, Behaviour][] = [
    ['slow: hanging', hang],
    ['slow: answering after 3 s', after(3000, answer(200, newOssKey.publicPem))],
    ['failing: 500', answer(500, 'internal error')],
    ['failing: 404', answer(404, 'not found')],
    ['garbage: 200 with an HTML page', answer(200, '<html>captive portal</html>')],
    ['garbage: 200 with 9 KB of PEM-like text', answer(200, `-----BEGIN PUBLIC KEY-----\n${'A'.repeat(9 * 1024)}\n-----END PUBLIC KEY-----\n`)],
    ['garbage: 200 with an EC key', answer(200, '-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEYWnm7HFEIFXPMbtsR6n/1pI2pdCdJ4R/ClDxR1tBvCxmkAQ1/YFrPIymJx5dyIJbbZxhGIzPnHeoG/S/NVmhzQ==\n-----END PUBLIC KEY-----\n')],
    ['redirecting elsewhere', answer(302, '', { Location: 'https://evil.example/key.pem' })],
  ];

  test.each(broken)('%s → 502 CallbackKeyUnavailable, inside the callback budget', async (fault, behaviour) => {
    host.act(behaviour);
    const r = await verify(routedStore(host.url).store);
    matrix.push({ dependency: 'key host', fault, observed: r.outcome, ms: r.ms });
    expect(r.outcome).toBe('502 CallbackKeyUnavailable');
    expect(r.ms).toBeLessThan(OSS_CALLBACK_BUDGET_MS);
  });

  test('down (connection refused) → 502 CallbackKeyUnavailable', async () => {
    const r = await verify(routedStore(await nothingListening()).store);
    matrix.push({ dependency: 'key host', fault: 'down (connection refused)', observed: r.outcome, ms: r.ms });
    expect(r.outcome).toBe('502 CallbackKeyUnavailable');
  });

  test('a URL that failed is not fetched again for a while: a stream of callbacks makes one request', async () => {
    host.act(answer(500, 'internal error'));
    const { store } = routedStore(host.url);
    const outcomes = [];
    for (let i = 0; i < 5; i++) outcomes.push((await verify(store)).outcome);
    expect(outcomes).toEqual(Array(5).fill('502 CallbackKeyUnavailable'));
    expect(host.hits).toHaveLength(1);
  });
});

// ---------------------------------------------------------------------------------------------

describe('the app webhook, or OSS itself, misbehaving: the upload callback still answers inside 5 s', () => {
  interface CallbackAnswer {
    key: string;
    delivered: boolean;
  }

  async function signedGet(key: string): Promise<Response> {
    const jwt = await rt.login('webhook-fault');
    const signed = await fetch(`${rt.appUrl}/api/sign`, { method: 'POST', headers: { Authorization: `Bearer ${jwt}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ op: 'get', key }) });
    return fetch(((await signed.json()) as { url: string }).url);
  }

  /** A presigned PUT through the local OSS, which makes the callback and relays its answer. */
  async function upload() {
    const jwt = await rt.login('webhook-fault');
    const signed = await fetch(`${rt.appUrl}/api/sign`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${jwt}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ op: 'put', contentType: 'text/plain', size: 5 }),
    });
    const put = (await signed.json()) as { url: string; headers: Record<string, string>; key: string };
    const started = performance.now();
    const res = await fetch(put.url, { method: 'PUT', headers: put.headers, body: 'hello' });
    const ms = performance.now() - started;
    const text = await res.text();
    const line = logLines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.fn === 'callback' && l.path === '/api/callback' && l.method === 'POST');
    return { status: res.status, text, ms, callbackMs: Number(line?.latencyMs), callbackStatus: line?.status, code: line?.code, key: put.key };
  }

  const webhookFaults: [string, Behaviour][] = [
    ['slow: hanging', hang],
    ['slow: answering after 2 s', after(2000, answer(204, ''))],
    ['failing: 500', answer(500, 'internal error')],
    ['failing: 503', answer(503, 'unavailable')],
    ['redirecting elsewhere', answer(307, '', { Location: 'https://evil.example/hook' })],
  ];

  test('answering 204: the answer says delivered', async () => {
    webhook.act(answer(204, ''));
    const r = await upload();
    matrix.push({ dependency: 'webhook', fault: 'none (answers 204)', observed: `upload ${r.status}, callback ${r.callbackStatus} in ${Math.round(r.callbackMs)} ms, delivered`, ms: r.ms });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.text)).toMatchObject({ key: r.key, delivered: true });
  });

  test.each(webhookFaults)('%s → the upload gets the callback answer (delivered: false), not 203', async (fault, behaviour) => {
    webhook.act(behaviour);
    const r = await upload();
    matrix.push({ dependency: 'webhook', fault, observed: `upload ${r.status}, callback ${r.callbackStatus} in ${Math.round(r.callbackMs)} ms, delivered: false`, ms: r.ms });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.text) as CallbackAnswer).toMatchObject({ key: r.key, delivered: false });
    expect(r.callbackMs).toBeLessThan(OSS_CALLBACK_BUDGET_MS);
    expect(r.ms).toBeLessThan(OSS_CALLBACK_BUDGET_MS);
  });

  test('down (connection refused) → the upload gets the callback answer (delivered: false), not 203', async () => {
    configure({ WEBHOOK_URL: `${await nothingListening()}/hooks/uploads` });
    const r = await upload();
    matrix.push({ dependency: 'webhook', fault: 'down (connection refused)', observed: `upload ${r.status}, callback ${r.callbackStatus} in ${Math.round(r.callbackMs)} ms, delivered: false`, ms: r.ms });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.text) as CallbackAnswer).toMatchObject({ delivered: false });
    expect(r.ms).toBeLessThan(OSS_CALLBACK_BUDGET_MS);
  });

  const ossFaults: [string, Behaviour | 'down'][] = [
    ['hanging', hang],
    ['failing: 500', answer(500, '<Error><Code>InternalError</Code></Error>', { 'Content-Type': 'application/xml' })],
    ['down (connection refused)', 'down'],
  ];

  test.each(ossFaults)("OSS's HeadObject %s → callback 503 OssUnavailable inside 5 s; the uploader gets 203 CallbackFailed, the object stays", async (fault, behaviour) => {
    if (behaviour === 'down') configure({ OSS_INTERNAL_ENDPOINT: await nothingListening() });
    else {
      oss.act(behaviour);
      configure({ OSS_INTERNAL_ENDPOINT: oss.url });
    }
    const r = await upload();
    matrix.push({ dependency: 'OSS HeadObject (callback)', fault, observed: `callback ${r.callbackStatus} ${r.code} in ${Math.round(r.callbackMs)} ms; upload ${r.status}`, ms: r.ms });
    expect([r.callbackStatus, r.code, r.status]).toEqual([503, 'OssUnavailable', 203]);
    expect(r.text).toContain('CallbackFailed');
    expect(r.callbackMs).toBeLessThan(OSS_CALLBACK_BUDGET_MS);
    const download = await signedGet(r.key);
    expect([download.status, await download.text()]).toEqual([200, 'hello']);
  });
});
