// Upload events to the app's webhook: signed as Standard Webhooks specifies, and never waited for
// past the time limit.

import { Webhook } from 'standardwebhooks';
import { deliverWebhook } from '../../functions/callback/webhook';
import { hang, recordingServer, type Recorder } from './callback-helpers';

const secret = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;
const message = { id: 'a'.repeat(64), type: 'upload.completed', data: { key: 'users/alice/a.png', size: 3 } };

let servers: Recorder[] = [];
async function server(...args: Parameters<typeof recordingServer>) {
  const s = await recordingServer(...args);
  servers.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

test('the app verifies a delivery with its secret and the standardwebhooks package, and reads the event', async () => {
  const app = await server((_, res) => res.writeHead(204).end());
  const result = await deliverWebhook({ url: `${app.url}/hooks/uploads`, secret }, message, 2000);
  expect(result).toMatchObject({ delivered: true, status: 204 });
  const [hit] = app.hits;
  expect([hit.method, hit.url, hit.headers['webhook-id'], hit.headers['content-type']]).toEqual(['POST', '/hooks/uploads', message.id, 'application/json']);
  const payload = new Webhook(secret).verify(hit.body.toString(), hit.headers as Record<string, string>) as Record<string, unknown>;
  expect(payload).toEqual({ type: 'upload.completed', timestamp: expect.any(String), data: message.data });
});

test('a delivery is refused by an app holding another secret', async () => {
  const app = await server();
  await deliverWebhook({ url: app.url, secret }, message, 2000);
  const other = new Webhook(`whsec_${Buffer.from('another secret of enough length!').toString('base64')}`);
  expect(() => other.verify(app.hits[0].body.toString(), app.hits[0].headers as Record<string, string>)).toThrow();
});

test('an app that never answers is given up on at the time limit', async () => {
  const app = await server(hang);
  const started = Date.now();
  const result = await deliverWebhook({ url: app.url, secret }, message, 300);
  expect(result).toMatchObject({ delivered: false, reason: 'timeout' });
  expect(Date.now() - started).toBeLessThan(1000);
  expect(app.hits).toHaveLength(1);
});

test('an error status is not a delivery', async () => {
  const app = await server((_, res) => res.writeHead(500).end('boom'));
  expect(await deliverWebhook({ url: app.url, secret }, message, 2000)).toMatchObject({ delivered: false, reason: 'status', status: 500 });
});

test('a 3xx is not a delivery, from 300 on', async () => {
  const app = await server((_, res) => res.writeHead(300).end());
  expect(await deliverWebhook({ url: app.url, secret }, message, 2000)).toMatchObject({ delivered: false, reason: 'status', status: 300 });
});

test('any 2xx is a delivery', async () => {
  const app = await server((_, res) => res.writeHead(299).end());
  expect(await deliverWebhook({ url: app.url, secret }, message, 2000)).toMatchObject({ delivered: true, status: 299 });
});

test('a redirect is not followed and is not a delivery', async () => {
  const elsewhere = await server();
  const app = await server((_, res) => res.writeHead(307, { Location: elsewhere.url }).end());
  expect(await deliverWebhook({ url: app.url, secret }, message, 2000)).toMatchObject({ delivered: false, reason: 'status', status: 307 });
  expect(elsewhere.hits).toHaveLength(0);
});

test('an app that is not listening is reported unreachable', async () => {
  const gone = await server();
  const url = gone.url;
  await gone.close();
  servers = [];
  expect(await deliverWebhook({ url, secret }, message, 2000)).toMatchObject({ delivered: false, reason: 'unreachable' });
});
