// Connections the callback function opens: 100 sequential uploads reported to it, each by its
// upload callback and then by its OSS event, against one OSS endpoint. Counted where they arrive:
// a proxy in front of the local OSS accepts (and counts) every connection to the internal endpoint,
// and the webhook receiver counts its own. Beside it, the same HeadObjects made the way the callback
// made them before, with Node's fetch, through a second counting proxy; and the HeadObject round trip
// itself on a kept connection and on a new one.

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { ossTarget } from '../functions/callback/confirm-upload';
import { headObject, type OssTarget } from '../functions/callback/oss-client';
import { httpEvent } from '../local/fc-event';
import { objectCreatedEvent } from '../local/oss/event';
import { objectUrl } from '../shared/signer/url';
import { authorizeV4 } from '../shared/signer/v4';
import { BUCKET, callbackBody, OSS_PUB_KEY_URL_HEADER, REGION, signCallback } from './fixtures';
import { invokeOk } from './handlers';
import { Link, startLinkProxy } from './link';
import { judge, type Row } from './report';
import { startBenchServices } from './services';
import { latency, type Profile } from './timing';

const CALLBACKS = 100;

/** HeadObject as functions/callback/oss-client.ts made it before: Node's fetch, a new connection each time after a HEAD. */
async function headObjectByFetch(t: OssTarget, key: string): Promise<void> {
  const auth = authorizeV4({ method: 'HEAD', bucket: t.bucket, key, query: [], headers: {} }, t.credentials, t.region, new Date());
  const res = await fetch(objectUrl(t, t.bucket, key), { method: 'HEAD', headers: auth.headers, redirect: 'error', signal: AbortSignal.timeout(1500) });
  if (res.status !== 200) throw new Error(`HeadObject by fetch answered ${res.status}`);
}

export async function connectionsBench(profile: Profile): Promise<Row[]> {
  const services = await startBenchServices();
  const ossPort = Number(new URL(services.ossUrl).port);
  const internal = await startLinkProxy(new Link(), ossPort);
  const byFetch = await startLinkProxy(new Link(), ossPort);
  let webhookConnections = 0;
  let deliveries = 0;
  const webhook = createServer((req, res) => {
    deliveries++;
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  });
  webhook.on('connection', () => webhookConnections++);
  await new Promise<void>((r) => webhook.listen(0, '127.0.0.1', r));
  try {
    services.reconfigure({
      OSS_INTERNAL_ENDPOINT: internal.url,
      WEBHOOK_URL: `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/hooks`,
      WEBHOOK_SECRET: `whsec_${randomBytes(24).toString('base64')}`,
    });
    const ctx = services.context('callback');
    const uploads = await Promise.all(
      Array.from({ length: CALLBACKS }, async (_, i) => {
        const key = `users/alice/bench/connections-${i}.jpg`;
        const bytes = randomBytes(1024);
        return { key, size: bytes.length, etag: await services.putObject(key, bytes, 'image/jpeg') };
      }),
    );
    for (const u of uploads) {
      const body = callbackBody({ key: u.key, etag: u.etag, size: u.size, mimeType: 'image/jpeg' });
      const headers = { Authorization: signCallback(services.callbackKey, '/callback', body), 'x-oss-pub-key-url': OSS_PUB_KEY_URL_HEADER, 'Content-Type': 'application/json' };
      await invokeOk(services.handlers.callback, httpEvent({ path: '/callback', headers, body }), ctx);
      const event = objectCreatedEvent({
        operation: 'PutObject', region: REGION, accountId: '1234567890123456', bucket: BUCKET, key: u.key, etag: u.etag,
        size: u.size, deltaSize: u.size, requestId: 'bench', sourceIp: '127.0.0.1', principalId: 'bench', time: new Date(),
      });
      await invokeOk(services.handlers.callback, event, ctx);
    }
    if (deliveries !== 2 * CALLBACKS) throw new Error(`${deliveries} webhook deliveries for ${CALLBACKS} uploads, expected ${2 * CALLBACKS}`);
    const ossConnections = internal.connections;

    const target = ossTarget(services.config(), ctx.credentials!);
    const viaFetch = { ...target, endpoint: byFetch.url };
    for (const u of uploads) await headObjectByFetch(viaFetch, u.key);
    const fetchConnections = byFetch.connections;

    const samples = { samples: profile.quick ? 100 : 1000 };
    const key = uploads[0].key;
    const kept = await latency(() => headObject({ ...target, endpoint: services.ossUrl }, key), profile, samples);
    const fresh = await latency(() => headObjectByFetch({ ...target, endpoint: services.ossUrl }, key), profile, samples);
    return [
      judge({
        group: 'connections',
        name: `callback function, ${CALLBACKS} uploads one after another (callback, then OSS event: ${2 * CALLBACKS} HeadObjects): connections to OSS`,
        value: ossConnections,
        unit: 'connections',
        comparison: { name: `the same ${CALLBACKS} callbacks' HeadObjects by Node's fetch (as before)`, value: fetchConnections },
        budget: { max: 2, text: `≤ 2 for ${CALLBACKS} callbacks` },
      }),
      judge({
        group: 'connections',
        name: `callback function, the same uploads: connections to the webhook (${2 * CALLBACKS} deliveries)`,
        value: webhookConnections,
        unit: 'connections',
      }),
      judge({
        group: 'connections',
        name: `HeadObject round trip to the local OSS on a kept connection (median of ${kept.samples.toLocaleString('en-US')})`,
        value: kept.medianUs,
        unit: 'µs',
        comparison: { name: "Node's fetch, a new connection each", value: fresh.medianUs },
      }),
    ];
  } finally {
    webhook.closeAllConnections();
    await new Promise<void>((r) => webhook.close(() => r()));
    await internal.close();
    await byFetch.close();
    await services.stop();
  }
}
