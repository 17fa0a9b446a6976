// The client's STS credential cache, against a loopback /token that counts its calls.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiClient, CredentialProvider, UploadError } from '../../client';

interface TokenServer {
  api: ApiClient;
  calls: () => number;
  close: () => Promise<void>;
}

const MINUTE = 60_000;

/** A /token that issues credentials living `lifetimeMs` on its own clock; `answers` overrides the first calls. */
async function tokenServer(lifetimeMs: number, answers: { status: number; body: unknown }[] = []): Promise<TokenServer> {
  let count = 0;
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      count += 1;
      const scripted = answers.shift();
      const body = scripted?.body ?? {
        StatusCode: 200,
        AccessKeyId: `STS.id-${count}`,
        AccessKeySecret: 'secret',
        SecurityToken: 'token',
        Expiration: new Date(Date.now() + lifetimeMs).toISOString(),
        bucket: 'b',
        region: 'cn-hangzhou',
        endpoint: 'http://localhost:1',
        prefix: 'users/alice/',
      };
      // Let concurrent callers pile up while the answer is on its way.
      setTimeout(() => {
        res.writeHead(scripted?.status ?? 200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(body));
      }, 30);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    api: new ApiClient({ baseUrl: `http://127.0.0.1:${port}/api`, authToken: () => 'jwt' }),
    calls: () => count,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A clock the test moves; it starts at real time (plus an optional skew) so it agrees with the server's Date. */
function clock(skewMs = 0) {
  let offset = skewMs;
  return { now: () => Date.now() + offset, advance: (ms: number) => void (offset += ms) };
}

let srv: TokenServer | undefined;
afterEach(async () => {
  await srv?.close();
  srv = undefined;
});

test('concurrent callers share one /token call and get the same credentials', async () => {
  srv = await tokenServer(15 * MINUTE);
  const provider = new CredentialProvider({ fetch: () => srv!.api.token('upload') });
  const all = await Promise.all(Array.from({ length: 20 }, () => provider.get()));
  expect(srv.calls()).toBe(1);
  expect(new Set(all.map((c) => c.AccessKeyId))).toEqual(new Set(['STS.id-1']));
});

test('credentials are reused until the margin before expiry, then refreshed once', async () => {
  srv = await tokenServer(15 * MINUTE);
  const t = clock();
  const provider = new CredentialProvider({ fetch: () => srv!.api.token('upload'), marginMs: 5 * MINUTE, now: t.now });
  expect((await provider.get()).AccessKeyId).toBe('STS.id-1');
  t.advance(9 * MINUTE + 58_000);
  expect((await provider.get()).AccessKeyId).toBe('STS.id-1');
  t.advance(3_000); // now inside the last 5 minutes
  const refreshed = await Promise.all([provider.get(), provider.get(), provider.get()]);
  expect(refreshed.map((c) => c.AccessKeyId)).toEqual(['STS.id-2', 'STS.id-2', 'STS.id-2']);
  expect(srv.calls()).toBe(2);
});

test('short-lived credentials are refreshed halfway through their life rather than on every call', async () => {
  srv = await tokenServer(2 * MINUTE);
  const t = clock();
  const provider = new CredentialProvider({ fetch: () => srv!.api.token('upload'), marginMs: 5 * MINUTE, now: t.now });
  await provider.get();
  t.advance(55_000);
  await provider.get();
  expect(srv.calls()).toBe(1);
  t.advance(10_000);
  expect((await provider.get()).AccessKeyId).toBe('STS.id-2');
});

test("a client clock an hour fast still uses the credentials for their lifetime on the server's clock", async () => {
  srv = await tokenServer(15 * MINUTE);
  const t = clock(60 * MINUTE);
  const provider = new CredentialProvider({ fetch: () => srv!.api.token('upload'), marginMs: 5 * MINUTE, now: t.now });
  const first = await provider.get();
  expect(first.expiresAt - t.now()).toBeGreaterThan(14 * MINUTE);
  t.advance(9 * MINUTE);
  await provider.get();
  expect(srv.calls()).toBe(1);
});

test('a failed refresh is not cached: the error reaches every waiting caller and the next call asks again', async () => {
  srv = await tokenServer(15 * MINUTE, [{ status: 503, body: { error: { code: 'StsUnavailable', message: 'STS did not answer', requestId: 'r1' } } }]);
  const provider = new CredentialProvider({ fetch: () => srv!.api.token('upload') });
  const failures = await Promise.allSettled([provider.get(), provider.get()]);
  for (const f of failures) {
    expect(f.status).toBe('rejected');
    expect((f as PromiseRejectedResult).reason).toMatchObject({ code: 'Busy', detail: { status: 503, serverCode: 'StsUnavailable', requestId: 'r1' } });
  }
  expect(srv.calls()).toBe(1);
  expect((await provider.get()).AccessKeyId).toBe('STS.id-2');
});

test("credentials that have already expired on the server's clock are refused as Expired", async () => {
  srv = await tokenServer(-5_000);
  const provider = new CredentialProvider({ fetch: () => srv!.api.token('upload') });
  const err = await provider.get().catch((e: unknown) => e);
  expect(err).toBeInstanceOf(UploadError);
  expect((err as UploadError).code).toBe('Expired');
});

test('invalidate() makes the next call fetch fresh credentials', async () => {
  srv = await tokenServer(15 * MINUTE);
  const provider = new CredentialProvider({ fetch: () => srv!.api.token('upload') });
  await provider.get();
  provider.invalidate();
  expect((await provider.get()).AccessKeyId).toBe('STS.id-2');
});
