// What signing with the caller's own scope costs: the sign handler with scoped STS credentials from
// the credential cache (a hit, and a miss that makes one AssumeRole to the local STS in this process),
// beside the same request signed with the function role's own credentials, as /sign did before, in
// the same run; and how many AssumeRole calls token and sign make together.

import { httpEvent } from '../local/fc-event';
import { authenticate } from '../shared/auth';
import type { ConfigSource } from '../shared/config';
import { roleCredentials } from '../shared/http/event';
import { type FcHandler, httpHandler } from '../shared/http/handler';
import { readJson } from '../shared/http/request';
import { grantFor } from '../shared/policy/rules';
import { putPlan } from '../shared/policy/url-constraints';
import { bucketTarget, presignUrl, signingAt } from '../shared/signer/presign';
import { vendCredentials } from '../shared/sts';
import { UPLOAD_REQUEST } from './fixtures';
import { HANDLER_BUDGET, handlerRow, invokeOk } from './handlers';
import { judge, type Row } from './report';
import { STS_UNPACED, startBenchServices } from './services';
import { latency, type Profile } from './timing';

const USERS = 10;
const ROUNDS = 20;
const CONCURRENCY = 100;

/**
 * The comparison: the sign handler's presigned PUT as it was before scoped signing (the function role's
 * own credentials sign), built from the same modules, so the two differ only in where the credentials
 * come from. The callback's MAC is in both.
 */
function roleSigningHandler(config: ConfigSource): FcHandler {
  return httpHandler(
    {
      name: 'sign',
      methods: ['POST'],
      handle: async (req) => {
        const { uid } = await authenticate(req.header('authorization'), req.config.auth);
        const grant = grantFor(uid, 'upload', req.config.rules);
        const now = new Date(Math.floor(Date.now() / 1000) * 1000);
        const plan = putPlan(grant, readJson(req), { keys: req.config.callback.macKeys, now });
        const own = roleCredentials(req.context);
        if (!own) throw new Error('no role credentials');
        const { url, expiresAt } = presignUrl(signingAt(bucketTarget(req.config), own, now), plan);
        return { body: { method: plan.method, url, headers: plan.headers, key: plan.key, expiresAt } };
      },
    },
    config,
  );
}

export async function scopedBench(profile: Profile): Promise<Row[]> {
  const services = await startBenchServices();
  try {
    const sign = services.handlers.sign;
    const ctx = services.context('sign');
    const putFor = (jwt: string) => httpEvent({ path: '/sign', headers: { Authorization: `Bearer ${jwt}` }, body: { op: 'put', ...UPLOAD_REQUEST } });

    // Cache hit: alice's upload credentials are cached after the first request; the JWT is the same.
    const same = putFor(await services.jwt('alice'));
    await invokeOk(sign, same, ctx);
    const hit = await latency(() => invokeOk(sign, same, ctx), profile);

    // Today's signing, the same request and JWT, with the function role's credentials.
    const role = roleSigningHandler(services.config);
    const roleSigned = putFor(await services.jwt('alice'));
    await invokeOk(role, roleSigned, ctx);
    const withRole = await latency(() => invokeOk(role, roleSigned, ctx), profile);

    // Of which: the credential cache's part on a hit (compile the session policy, hash it, look up).
    const grant = grantFor('alice', 'upload', services.config().rules);
    const own = ctx.credentials!;
    const roleArn = services.config().sts.roleArn!;
    const vendHit = await latency(() => vendCredentials(grant, services.config(), roleArn, own, { useSeconds: 300 }), profile);

    // Cache miss: every request from a user the cache has not seen (JWTs made beforehand); one AssumeRole
    // each, the gate not binding (back to back, they would wait for its default pace instead).
    services.reconfigure(STS_UNPACED);
    const misses = { samples: profile.quick ? 20 : 200, warmup: 10 };
    const missEvents = await Promise.all(
      Array.from({ length: misses.samples + misses.warmup }, async (_, i) =>
        httpEvent({ path: '/sign', headers: { Authorization: `Bearer ${await services.jwt(`scoped-miss-${i}`)}` }, body: { op: 'put', ...UPLOAD_REQUEST, key: `users/scoped-miss-${i}/photo.jpg` } }),
      ),
    );
    let next = 0;
    const miss = await latency(() => invokeOk(sign, missEvents[next++], ctx), profile, misses);

    // Token and sign together, from a fresh cache: each user asks /token for upload and download
    // credentials and /sign for a PUT, a form and a GET, ROUNDS times, CONCURRENCY requests at a time.
    services.reconfigure();
    const token = services.handlers.token;
    const tokenCtx = services.context('token');
    const requests: { handler: FcHandler; event: Buffer; ctx: typeof ctx }[] = [];
    for (let u = 0; u < USERS; u++) {
      const auth = { Authorization: `Bearer ${await services.jwt(`together-${u}`)}` };
      const key = `users/together-${u}/photo.jpg`;
      requests.push(
        { handler: token, event: httpEvent({ path: '/token', headers: auth, body: { access: 'upload' } }), ctx: tokenCtx },
        { handler: token, event: httpEvent({ path: '/token', headers: auth, body: { access: 'download' } }), ctx: tokenCtx },
        { handler: sign, event: httpEvent({ path: '/sign', headers: auth, body: { op: 'put', key, contentType: 'image/jpeg', size: 1024 } }), ctx },
        { handler: sign, event: httpEvent({ path: '/sign', headers: auth, body: { op: 'post', key, contentType: 'image/jpeg' } }), ctx },
        { handler: sign, event: httpEvent({ path: '/sign', headers: auth, body: { op: 'get', key } }), ctx },
      );
    }
    const all = Array.from({ length: ROUNDS }, () => requests).flat();
    const before = services.stsSessions();
    for (let sent = 0; sent < all.length; sent += CONCURRENCY) {
      await Promise.all(all.slice(sent, sent + CONCURRENCY).map((r) => invokeOk(r.handler, r.event, r.ctx)));
    }
    const calls = services.stsSessions() - before;
    const scopes = USERS * 2;

    return [
      judge({
        group: 'scoped',
        name: `sign handler, presigned PUT, scoped credentials, cache hit, same JWT (median of ${hit.samples.toLocaleString('en-US')})`,
        value: hit.medianUs,
        unit: 'µs',
        comparison: { name: `the function role's credentials, as before (median of ${withRole.samples.toLocaleString('en-US')})`, value: withRole.medianUs, ratio: false },
        budget: HANDLER_BUDGET,
      }),
      handlerRow('scoped', 'of which: vendCredentials, cache hit (compile and hash the session policy, look up)', vendHit, false),
      judge({
        group: 'scoped',
        name: `sign handler, presigned PUT, scoped credentials, cache miss: one AssumeRole to the local STS, gate not binding (median of ${miss.samples})`,
        value: miss.medianUs,
        unit: 'µs',
        comparison: { name: 'p99', value: miss.p99Us, ratio: false },
      }),
      judge({
        group: 'scoped',
        name: `STS calls for ${all.length.toLocaleString('en-US')} token and sign requests (upload and download tokens, PUT, form, GET) from ${USERS} users, ${CONCURRENCY} at a time`,
        value: calls,
        unit: 'calls',
        comparison: { name: 'one per request', value: all.length },
        budget: { max: scopes, text: `≤ ${scopes} (one per user and scope: upload, download)` },
      }),
    ];
  } finally {
    await services.stop();
  }
}
