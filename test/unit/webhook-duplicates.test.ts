// WEBHOOK_SKIP_DUPLICATES: the callback and the OSS event path both hand the same upload event to
// the app; with the setting on, the second does not send an event id this instance has already
// delivered, and an event is never skipped unless the app took it once.

import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { deliverEvent } from '../../functions/callback/deliver';
import type { UploadEvent } from '../../shared/api/types';
import type { Config } from '../../shared/config';
import { setLogSink } from '../../shared/log';
import { configOf } from '../helpers/config';
import { type Recorded, type Recorder, recordingServer } from './callback-helpers';

const SECRET = `whsec_${Buffer.from('webhook-duplicates-secret-012345').toString('base64')}`;

let app: Recorder;
let respond: (hit: Recorded, res: ServerResponse) => void;
let restoreSink: (line: string) => void;

beforeAll(async () => {
  app = await recordingServer((hit, res) => respond(hit, res));
  restoreSink = setLogSink(() => {});
});
afterAll(async () => {
  setLogSink(restoreSink);
  await app.close();
});
beforeEach(() => {
  respond = (_, res) => res.writeHead(204).end();
  app.hits.splice(0);
});

function config(skip: boolean): Config {
  return configOf({
    OSS_BUCKET: 'b-uploads',
    OSS_REGION: 'cn-hangzhou',
    AUTH_ANONYMOUS: 'true',
    WEBHOOK_URL: `${app.url}/hooks`,
    WEBHOOK_SECRET: SECRET,
    WEBHOOK_SKIP_DUPLICATES: String(skip),
  })();
}

function uploadEvent(): UploadEvent {
  return { id: randomUUID().replace(/-/g, ''), user: 'alice', key: 'users/alice/a.png', size: 3, mimeType: 'image/png', etag: 'E', time: new Date().toISOString() } as UploadEvent;
}

const sentFor = (e: UploadEvent) => app.hits.filter((h) => h.headers['webhook-id'] === e.id).length;

test('by default both paths deliver: the app gets the event twice, same webhook-id', async () => {
  const e = uploadEvent();
  const c = config(false);
  await deliverEvent(e, c, 700, 'callback');
  await deliverEvent(e, c, 2000, 'oss-event');
  expect(sentFor(e)).toBe(2);
});

test('with WEBHOOK_SKIP_DUPLICATES the second path does not send what the first delivered, and reports it delivered', async () => {
  const e = uploadEvent();
  const c = config(true);
  expect(await deliverEvent(e, c, 700, 'callback')).toMatchObject({ delivered: true, status: 204 });
  expect(await deliverEvent(e, c, 2000, 'oss-event')).toEqual({ delivered: true, via: 'earlier delivery' });
  expect(sentFor(e)).toBe(1);
});

test('a first delivery the app refused is not skipped: the second path sends it', async () => {
  const e = uploadEvent();
  const c = config(true);
  respond = (_, res) => res.writeHead(503).end();
  expect(await deliverEvent(e, c, 700, 'callback')).toMatchObject({ delivered: false, status: 503 });
  respond = (_, res) => res.writeHead(204).end();
  expect(await deliverEvent(e, c, 2000, 'oss-event')).toMatchObject({ delivered: true, status: 204 });
  expect(sentFor(e)).toBe(2);
});

test('a second path arriving while the first delivers waits for it and sends nothing when it succeeds', async () => {
  const e = uploadEvent();
  const c = config(true);
  respond = (_, res) => setTimeout(() => res.writeHead(204).end(), 150);
  const [first, second] = await Promise.all([deliverEvent(e, c, 2000, 'oss-event'), deliverEvent(e, c, 700, 'callback')]);
  expect([first.delivered, second]).toEqual([true, { delivered: true, via: 'earlier delivery' }]);
  expect(sentFor(e)).toBe(1);
});

test('a second path whose wait ends before the first delivery does reports not delivered and sends nothing; the first still delivers', async () => {
  const e = uploadEvent();
  const c = config(true);
  respond = (_, res) => setTimeout(() => res.writeHead(204).end(), 400);
  const first = deliverEvent(e, c, 2000, 'oss-event');
  const second = await deliverEvent(e, c, 100, 'callback');
  expect(second).toMatchObject({ delivered: false, reason: 'timeout' });
  expect(await first).toMatchObject({ delivered: true });
  expect(sentFor(e)).toBe(1);
});

test('a second path arriving while the first delivery fails sends the event itself', async () => {
  const e = uploadEvent();
  const c = config(true);
  let n = 0;
  respond = (_, res) => setTimeout(() => res.writeHead(n++ === 0 ? 500 : 204).end(), 50);
  const [first, second] = await Promise.all([deliverEvent(e, c, 700, 'callback'), deliverEvent(e, c, 2000, 'oss-event')]);
  expect([first.delivered, second.delivered]).toEqual([false, true]);
  expect(sentFor(e)).toBe(2);
});

test('the memory holds more than the last event: after A and B were delivered, A\'s second report is still not sent', async () => {
  const [a, b] = [uploadEvent(), uploadEvent()];
  const c = config(true);
  await deliverEvent(a, c, 700, 'callback');
  await deliverEvent(b, c, 700, 'callback');
  expect(await deliverEvent(a, c, 2000, 'oss-event')).toEqual({ delivered: true, via: 'earlier delivery' });
  expect(await deliverEvent(b, c, 2000, 'oss-event')).toEqual({ delivered: true, via: 'earlier delivery' });
  expect([sentFor(a), sentFor(b)]).toEqual([1, 1]);
});

test('a second path that waited for a first delivery that failed sends the event within what is left of its own wait, not a fresh one', async () => {
  const e = uploadEvent();
  const c = config(true);
  let n = 0;
  respond = (_, res) => {
    // The first delivery fails after 400 ms; the app then never answers the second.
    if (n++ === 0) setTimeout(() => res.writeHead(500).end(), 400);
  };
  const first = deliverEvent(e, c, 2000, 'oss-event');
  const started = performance.now();
  const second = await deliverEvent(e, c, 700, 'callback');
  const ms = performance.now() - started;
  expect(second).toMatchObject({ delivered: false, reason: 'timeout' });
  expect(sentFor(e)).toBe(2);
  expect(ms).toBeLessThan(1100);
  expect(await first).toMatchObject({ delivered: false, status: 500 });
});
