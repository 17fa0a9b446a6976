// Each handler end to end in this process: an FC 3.0 HTTP event (a JSON Buffer) in, the response
// struct out. Each call is timed on its own (median and p99).
//
// shared/auth accepts a token it has already verified (for up to a minute), so a client reusing its
// JWT skips jose. Both cases are measured: "fresh JWT" sends a token never seen before on every
// request (jose verifies each one, as the budget's "JWT verify" says), "same JWT" reuses one.
//
// The callback handler confirms the upload with a HeadObject to the local OSS, which runs in this
// process too; that round trip is also timed alone so the handler's own share can be read off.

import { ossTarget } from '../functions/callback/confirm-upload';
import { headObject } from '../functions/callback/oss-client';
import { httpEvent } from '../local/fc-event';
import { authenticate } from '../shared/auth';
import type { FcContext } from '../shared/http/event';
import type { FcHandler } from '../shared/http/handler';
import { callbackBody, OSS_PUB_KEY_URL_HEADER, signCallback, UPLOAD_REQUEST } from './fixtures';
import { judge, type Row } from './report';
import { type BenchServices, startBenchServices } from './services';
import { type Latency, latency, type LatencyOptions, type Profile } from './timing';

export const HANDLER_BUDGET = { max: 100, text: '≤ 100 µs median' };

/** Invoke once and insist on a 200, so a refused request is never what gets timed. */
export async function invokeOk(handler: FcHandler, event: Buffer, context: FcContext): Promise<void> {
  const res = await handler(event, context);
  if (res.statusCode !== 200) throw new Error(`handler answered ${res.statusCode}: ${res.body}`);
}

export function handlerRow(group: string, name: string, l: Latency, budgeted = true): Row {
  return judge({
    group,
    name: `${name} (median of ${l.samples.toLocaleString('en-US')})`,
    value: l.medianUs,
    unit: 'µs',
    comparison: { name: 'p99', value: l.p99Us, ratio: false },
    budget: budgeted ? HANDLER_BUDGET : undefined,
  });
}

/** The call counts for requests that each need an event of their own. */
export function freshCounts(profile: Profile): Required<LatencyOptions> {
  return profile.quick ? { samples: 300, warmup: 100 } : { samples: 3000, warmup: 1000 };
}

/**
 * Latency of `handler` over one event per call, each carrying a JWT never sent before; `event`
 * builds a request around a token.
 */
export async function withFreshTokens(
  services: BenchServices,
  user: string,
  handler: FcHandler,
  event: (jwt: string) => Buffer,
  context: FcContext,
  profile: Profile,
): Promise<Latency> {
  const counts = freshCounts(profile);
  const events = await Promise.all(Array.from({ length: counts.samples + counts.warmup }, async (_, i) => event(await services.jwt(user, `fresh-${i}`))));
  let next = 0;
  return latency(() => invokeOk(handler, events[next++], context), profile, counts);
}

/** shared/auth's authenticate() alone, on tokens it has not seen: what "fresh JWT" adds. */
async function authenticateFresh(services: BenchServices, profile: Profile): Promise<Latency> {
  const counts = freshCounts(profile);
  const { auth } = services.config();
  const headers = await Promise.all(Array.from({ length: counts.samples + counts.warmup }, async (_, i) => `Bearer ${await services.jwt('alice', `auth-${i}`)}`));
  let next = 0;
  return latency(() => authenticate(headers[next++], auth), profile, counts);
}

export async function handlersBench(profile: Profile): Promise<Row[]> {
  const services = await startBenchServices();
  try {
    const rows: Row[] = [];
    const { sign: signHandler, callback: callbackHandler } = services.handlers;
    const signCtx = services.context('sign');
    const token = await services.jwt('alice');
    for (const op of ['put', 'post'] as const) {
      const what = op === 'put' ? 'presigned PUT URL' : 'PostObject form';
      const signEvent = (jwt: string) => httpEvent({ path: '/sign', headers: { Authorization: `Bearer ${jwt}` }, body: { op, ...UPLOAD_REQUEST } });
      const same = signEvent(token);
      await invokeOk(signHandler, same, signCtx);
      rows.push(handlerRow('handlers', `sign handler, ${what}, fresh JWT`, await withFreshTokens(services, 'alice', signHandler, signEvent, signCtx, profile)));
      rows.push(handlerRow('handlers', `sign handler, ${what}, same JWT`, await latency(() => invokeOk(signHandler, same, signCtx), profile)));
    }
    rows.push(handlerRow('handlers', 'of which: authenticate() alone, fresh JWT (jose HS256)', await authenticateFresh(services, profile), false));

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
    const samples = { samples: profile.quick ? 200 : 2000 };
    rows.push(handlerRow('handlers', 'callback handler (verify, HeadObject to local OSS, download URL)', await latency(() => invokeOk(callbackHandler, callbackEvent, callbackCtx), profile, samples)));
    const target = ossTarget(services.config(), callbackCtx.credentials!);
    rows.push(handlerRow('handlers', 'of which: HeadObject round trip to the local OSS alone', await latency(() => headObject(target, key), profile, samples), false));
    return rows;
  } finally {
    await services.stop();
  }
}
