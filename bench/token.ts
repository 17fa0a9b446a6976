// The token handler against the local STS: a cache hit (with a JWT jose must verify, and with one
// already verified), a cache miss (one AssumeRole through pop-core over loopback, to an STS running
// in this process, the rate gate not binding), and how many AssumeRole calls 1,000 requests from 10
// users make when they arrive 100 at a time. The calls are counted where the local STS issues
// sessions. Then throughput: 1,000 distinct users (misses) beside one user (hits); the misses both
// under the default STS_RATE_LIMIT (what one instance allows itself) and with the gate not binding
// (what the STS round trip itself allows).

import { httpEvent } from '../local/fc-event';
import { DEFAULTS } from '../shared/config';
import { HANDLER_BUDGET, handlerRow, invokeOk, withFreshTokens } from './handlers';
import { judge, type Row } from './report';
import { STS_UNPACED, startBenchServices } from './services';
import { latency, type Profile } from './timing';

const USERS = 10;
const REQUESTS = 1000;
const CONCURRENCY = 100;
const THROUGHPUT_REQUESTS = 1000;
const THROUGHPUT_CONCURRENCY = 16;

/** Requests per second over `items`, THROUGHPUT_CONCURRENCY in flight at a time. */
async function requestsPerSecond<T>(items: T[], send: (item: T) => Promise<void>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: THROUGHPUT_CONCURRENCY }, async () => {
      while (next < items.length) await send(items[next++]);
    }),
  );
  return items.length / ((performance.now() - started) / 1000);
}

export async function tokenBench(profile: Profile): Promise<Row[]> {
  const services = await startBenchServices();
  try {
    const ctx = services.context('token');
    const tokenHandler = services.handlers.token;
    const eventFor = (jwt: string) => httpEvent({ path: '/token', headers: { Authorization: `Bearer ${jwt}` }, body: { access: 'upload' } });
    const tokenEvent = async (user: string) => eventFor(await services.jwt(user));

    const same = await tokenEvent('alice');
    await invokeOk(tokenHandler, same, ctx);
    const hit = await withFreshTokens(services, 'alice', tokenHandler, eventFor, ctx, profile);
    const hitSameJwt = await latency(() => invokeOk(tokenHandler, same, ctx), profile);

    // Every miss is a user the cache has not seen; the JWTs are made beforehand. Back to back, they
    // would wait for the default gate's pace instead of measuring the call.
    services.reconfigure(STS_UNPACED);
    const misses = { samples: profile.quick ? 20 : 200, warmup: 20 };
    const missEvents = await Promise.all(Array.from({ length: misses.samples + misses.warmup }, (_, i) => tokenEvent(`miss-${i}`)));
    let next = 0;
    const miss = await latency(() => invokeOk(tokenHandler, missEvents[next++], ctx), profile, misses);

    // A new configuration starts with an empty cache.
    services.reconfigure();
    const userEvents = await Promise.all(Array.from({ length: USERS }, (_, i) => tokenEvent(`user-${i}`)));
    const before = services.stsSessions();
    for (let sent = 0; sent < REQUESTS; sent += CONCURRENCY) {
      await Promise.all(Array.from({ length: CONCURRENCY }, (_, i) => invokeOk(tokenHandler, userEvents[(sent + i) % USERS], ctx)));
    }
    const calls = services.stsSessions() - before;

    // Throughput: 1,000 requests, THROUGHPUT_CONCURRENCY at a time, each with a JWT of its own:
    // from 1,000 users the cache has not seen (every one an AssumeRole to the local STS) and from
    // one user (every one a hit after the first).
    const count = profile.quick ? 100 : THROUGHPUT_REQUESTS;
    const distinct = await Promise.all(Array.from({ length: count }, (_, i) => tokenEvent(`throughput-${i}`)));
    const oneUser = await Promise.all(Array.from({ length: count }, async (_, i) => eventFor(await services.jwt('throughput-one', `t-${i}`))));
    const missThroughput = async (changes: Record<string, string> = {}) => {
      services.reconfigure(changes);
      const sessionsBefore = services.stsSessions();
      const perSec = await requestsPerSecond(distinct, (e) => invokeOk(tokenHandler, e, ctx));
      const missCalls = services.stsSessions() - sessionsBefore;
      if (missCalls !== count) throw new Error(`${count} distinct users made ${missCalls} AssumeRole calls`);
      return perSec;
    };
    const missesPerSec = await missThroughput();
    const unpacedMissesPerSec = await missThroughput(STS_UNPACED);
    const hitsPerSec = await requestsPerSecond(oneUser, (e) => invokeOk(tokenHandler, e, ctx));

    return [
      judge({
        group: 'token',
        name: `token handler, cache hit, fresh JWT (median of ${hit.samples.toLocaleString('en-US')})`,
        value: hit.medianUs,
        unit: 'µs',
        comparison: { name: `cache miss, AssumeRole to local STS, gate not binding (median of ${miss.samples})`, value: miss.medianUs },
        budget: HANDLER_BUDGET,
      }),
      judge({ group: 'token', name: 'token handler, cache hit, fresh JWT: p99', value: hit.p99Us, unit: 'µs', comparison: { name: 'cache miss: p99', value: miss.p99Us } }),
      handlerRow('token', 'token handler, cache hit, same JWT', hitSameJwt),
      judge({
        group: 'token',
        name: `STS calls for ${REQUESTS.toLocaleString('en-US')} token requests from ${USERS} users, ${CONCURRENCY} at a time`,
        value: calls,
        unit: 'calls',
        comparison: { name: 'one per request', value: REQUESTS },
        budget: { max: USERS, text: `≤ ${USERS} (one per user and access level)` },
      }),
      judge({
        group: 'token',
        name: `token throughput, ${count.toLocaleString('en-US')} distinct users (all misses, AssumeRole to local STS), ${THROUGHPUT_CONCURRENCY} at a time, gate not binding`,
        value: unpacedMissesPerSec,
        unit: 'req/s',
        higherIsBetter: true,
        comparison: { name: 'one user (hits)', value: hitsPerSec },
      }),
      judge({
        group: 'token',
        name: `the same misses under the default STS_RATE_LIMIT (${DEFAULTS.STS_RATE_LIMIT} a second per instance)`,
        value: missesPerSec,
        unit: 'req/s',
        higherIsBetter: true,
        comparison: { name: 'gate not binding', value: unpacedMissesPerSec },
      }),
    ];
  } finally {
    await services.stop();
  }
}
