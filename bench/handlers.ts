// Each handler end to end in this process: an FC 3.0 HTTP event (a JSON Buffer) in, the response
// struct out, the JWT verified with jose. Each call is timed on its own (median and p99). The
// callback handler confirms the upload with a HeadObject to the local OSS, which runs in this
// process too; that round trip is also timed alone so the handler's own share can be read off.

import { jwtVerify } from 'jose';
import { handler as callbackHandler } from '../functions/callback';
import { ossTarget } from '../functions/callback/confirm-upload';
import { handler as signHandler } from '../functions/sign';
import { getConfig } from '../shared/config';
import type { FcHandler, FcContext } from '../shared/http';
import { headObject } from '../shared/oss-client';
import { httpEvent } from '../test/helpers/events';
import { callbackBody, OSS_PUB_KEY_URL_HEADER, signCallback, UPLOAD_REQUEST } from './fixtures';
import { judge, type Row } from './report';
import { startBenchServices } from './services';
import { type Latency, latency, type Profile } from './timing';

const HANDLER_BUDGET = { max: 100, text: '≤ 100 µs median' };

/** Invoke once and insist on a 200, so a refused request is never what gets timed. */
export async function invokeOk(handler: FcHandler, event: Buffer, context: FcContext): Promise<void> {
  const res = await handler(event, context);
  if (res.statusCode !== 200) throw new Error(`handler answered ${res.statusCode}: ${res.body}`);
}

export function handlerRow(group: string, name: string, l: Latency, budgeted = true): Row {
  return judge({
    group,
    name: `${name} (median of ${l.samples})`,
    value: l.medianUs,
    unit: 'µs',
    comparison: { name: 'p99', value: l.p99Us, ratio: false },
    budget: budgeted ? HANDLER_BUDGET : undefined,
  });
}

export async function handlersBench(profile: Profile): Promise<Row[]> {
  const services = await startBenchServices();
  try {
    const token = await services.jwt('alice');
    const auth = { Authorization: `Bearer ${token}` };
    const rows: Row[] = [];

    const signCtx = services.context('sign');
    for (const op of ['put', 'post'] as const) {
      const event = httpEvent({ path: '/sign', headers: auth, body: { op, ...UPLOAD_REQUEST } });
      await invokeOk(signHandler, event, signCtx);
      rows.push(handlerRow('handlers', `sign handler, ${op === 'put' ? 'presigned PUT URL' : 'PostObject form'}`, await latency(() => invokeOk(signHandler, event, signCtx), profile)));
    }

    const key = 'users/alice/bench/callback.jpg';
    const bytes = Buffer.alloc(2048, 7);
    const etag = await services.putObject(key, bytes, 'image/jpeg');
    const body = callbackBody({ key, etag, size: bytes.length, mimeType: 'image/jpeg' });
    const callbackEvent = httpEvent({
      path: '/callback',
      headers: { Authorization: signCallback(services.callbackKey, '/callback', body), 'x-oss-pub-key-url': OSS_PUB_KEY_URL_HEADER, 'Content-Type': 'application/json' },
      body,
    });
    const callbackCtx = services.context('callback');
    await invokeOk(callbackHandler, callbackEvent, callbackCtx);
    const samples = profile.quick ? 200 : 2000;
    rows.push(handlerRow('handlers', 'callback handler (verify, HeadObject to local OSS, download URL)', await latency(() => invokeOk(callbackHandler, callbackEvent, callbackCtx), profile, { samples })));

    const target = ossTarget(getConfig(), callbackCtx.credentials!);
    rows.push(handlerRow('handlers', 'of which: HeadObject round trip to the local OSS alone', await latency(() => headObject(target, key), profile, { samples }), false));
    const secret = new TextEncoder().encode(getConfig().auth.hs256Secret);
    rows.push(handlerRow('handlers', 'of which: JWT verification alone (jose HS256)', await latency(() => jwtVerify(token, secret, { algorithms: ['HS256'] }), profile), false));
    return rows;
  } finally {
    await services.stop();
  }
}
