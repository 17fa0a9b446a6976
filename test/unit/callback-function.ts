// The callback function as Function Compute invokes it, for the tests of its behaviour: a loopback OSS
// that answers HeadObject and DeleteObject only when they are V4-signed with the function's
// credentials, a loopback STS for the download URL's scoped credentials, and a loopback app. Callback
// bodies carry the MAC /sign pins, computed from its documented form (test/helpers/callback-mac.ts).

import { createHash } from 'node:crypto';
import { callbackHandler } from '../../functions/callback';
import type { HttpResponse } from '../../shared/http/response';
import { setLogSink } from '../../shared/log';
import { switchableConfig, TEST_MAC_KEY } from '../helpers/config';
import { fcContext, httpEvent } from '../helpers/events';
import { filenameSha256, macFor } from '../helpers/callback-mac';
import { fakeOss, fakeSts, OSS_KEY_URL_HEADER, ossSignature, recordingServer, rsaKeys, type FakeOss, type FakeSts, type Recorder } from './callback-helpers';

export const BUCKET = 'local-uploads';
export const REGION = 'cn-hangzhou';
export const SECRET = `whsec_${Buffer.from('callback-test-webhook-secret-0123').toString('base64')}`;
export const credentials = { accessKeyId: 'STS.callbackFnKey', accessKeySecret: 'callbackFnSecret0123456789', securityToken: 'CAIScallbackFn+Qz8/Lm2Wp7xTb3Vn9Rc5Yd1Ja4EsGu6Hf0Pq8Tw2Ko7Xi3Nl5Mz9By4Cv==' };
export const oss = rsaKeys();

export const UPLOAD_ROLE = 'acs:ram::1234567890123456:role/oss-upload-client';
export const OTHER_MAC_KEY = Buffer.alloc(32, 0x44).toString('base64');

export let store: FakeOss;
export let sts: FakeSts;
export let app: Recorder | undefined;
export let logLines: string[];
let restoreSink: (l: string) => void;
const config = switchableConfig();
export const handler = callbackHandler(config.source);

export function configure(env: Record<string, string> = {}) {
  config.configure({
    OSS_BUCKET: BUCKET,
    OSS_REGION: REGION,
    OSS_ENDPOINT: store.url,
    OSS_PATH_STYLE: 'true',
    CALLBACK_TRUSTED_KEYS: oss.publicPem,
    CALLBACK_MAC_KEY: TEST_MAC_KEY,
    STS_ENDPOINT: sts.url,
    STS_ROLE_ARN: UPLOAD_ROLE,
    ...env,
  });
}

export async function withApp(respond: Parameters<typeof recordingServer>[0], env: Record<string, string> = {}) {
  app = await recordingServer(respond);
  configure({ WEBHOOK_URL: `${app.url}/hooks`, WEBHOOK_SECRET: SECRET, ...env });
  return app;
}

/**
 * Starts the loopback OSS and STS for the calling test file and gives each test a fresh start: no
 * stored objects, no recorded requests, STS answering, the default configuration, its log lines in
 * `logLines` and no app. Call once, at the top of the file.
 */
export function useCallbackFunction(): void {
  beforeAll(async () => {
    store = await fakeOss(BUCKET, REGION, credentials);
    sts = await fakeSts();
  });
  afterAll(async () => {
    await store.close();
    await sts.close();
  });
  beforeEach(() => {
    store.objects.clear();
    store.denied.clear();
    store.hits.splice(0);
    sts.hits.splice(0);
    sts.mode = { kind: 'ok', lifetimeMs: 3600_000 };
    logLines = [];
    restoreSink = setLogSink((l) => logLines.push(l));
    configure();
  });
  afterEach(async () => {
    setLogSink(restoreSink);
    await closeApp();
  });
}

/** Stops the app `withApp` started, for a test that starts another. */
export async function closeApp(): Promise<void> {
  await app?.close();
  app = undefined;
}

interface CallbackOptions {
  path?: string;
  signedPath?: string;
  contentType?: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
}

export const inADay = () => Math.floor(Date.now() / 1000) + 86400;

export function callbackBody(vars: Record<string, unknown>): string {
  return JSON.stringify({ operation: 'PutObject', ...vars });
}

export interface Pin {
  owner?: string;
  exp?: number;
  keyPrefix?: string;
  /** The key the MAC is for, when not the body's object. */
  key?: string;
  /** The x-oss-meta-filename value (percent-encoded) the upload was signed with. */
  filename?: string;
  macKey?: string;
}

/** A callback body as OSS fills the template /sign pinned for `vars.object`: OSS's variables, and owner, exp and the MAC. */
export function pinnedBody(vars: Record<string, unknown>, pin: Pin = {}): string {
  const object = String(vars.object);
  const owner = pin.owner ?? object.split('/')[1];
  const exp = pin.exp ?? inADay();
  const scope = pin.keyPrefix === undefined ? { key: pin.key ?? object } : { keyPrefix: pin.keyPrefix };
  const mac = macFor({ bucket: String(vars.bucket ?? BUCKET), owner, exp, ...scope, filename: pin.filename, macKey: pin.macKey ?? TEST_MAC_KEY });
  const named = pin.filename === undefined ? {} : { filenameSha256: filenameSha256(pin.filename) };
  return callbackBody({ ...vars, owner, exp, ...(pin.keyPrefix === undefined ? {} : { keyPrefix: pin.keyPrefix }), ...named, mac });
}

/** What OSS sends after an upload, as the FC HTTP trigger hands it to the function. */
export function callback(body: string, opts: CallbackOptions = {}) {
  const path = opts.path ?? '/api/callback';
  return httpEvent({
    method: 'POST',
    path,
    body,
    query: opts.query,
    headers: {
      authorization: ossSignature(oss.privateKey, opts.signedPath ?? decodeURIComponent(path), body),
      'x-oss-pub-key-url': OSS_KEY_URL_HEADER,
      'content-type': opts.contentType ?? 'application/json',
      ...opts.headers,
    },
  });
}

export async function invoke(event: unknown, ctx = fcContext({ credentials })) {
  const res = (await handler(event, ctx)) as HttpResponse;
  return { status: res.statusCode, body: JSON.parse(res.body), headers: res.headers };
}

/** Store an object and return the callback body OSS would send for it, the MAC /sign pinned included. */
export function uploaded(key: string, content: string, contentType: string, extra: Record<string, unknown> = {}, pin: Pin = {}) {
  const obj = store.put(key, content, contentType);
  return pinnedBody({ bucket: BUCKET, object: key, etag: obj.etag, size: obj.body.length, mimeType: contentType, ...extra }, pin);
}

export function ossEvent(key: string, etag: string, size: number, eventName = 'ObjectCreated:PutObject') {
  return Buffer.from(
    JSON.stringify({
      events: [
        {
          eventName,
          eventSource: 'acs:oss',
          eventTime: new Date().toISOString(),
          eventVersion: '1.0',
          region: REGION,
          requestParameters: { sourceIPAddress: '127.0.0.1' },
          responseElements: { requestId: 'oss-req-1' },
          userIdentity: { principalId: 'oss-upload' },
          oss: {
            bucket: { arn: `acs:oss:${REGION}:1234567890123456:${BUCKET}`, name: BUCKET, ownerIdentity: '1234567890123456' },
            object: { deltaSize: size, eTag: etag, key, size },
            ossSchemaVersion: '1.0',
            ruleId: 'local',
          },
        },
      ],
    }),
  );
}

export const idOf = (key: string, etag: string) => createHash('sha256').update(`${BUCKET}\n${key}\n${etag}`).digest('hex');
export const logged = () => logLines.map((l) => JSON.parse(l) as Record<string, unknown>);
