import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import { authenticate } from '../../shared/auth';
import { httpHandler } from '../../shared/http/handler';
import type { HttpResponse } from '../../shared/http/response';
import { setLogSink } from '../../shared/log';
import { switchableConfig } from '../helpers/config';
import { fcContext, httpEvent } from '../helpers/events';

const ISSUER = 'https://id.example';
const AUDIENCE = 'photos-app';
const HS_SECRET = 'test-hs256-secret-of-at-least-32-bytes!';
const BASE = { OSS_BUCKET: 'photos-prod', OSS_REGION: 'cn-hangzhou', AUTH_ISSUER: ISSUER, AUTH_AUDIENCE: AUDIENCE };

const { source, configure } = switchableConfig();
const whoami = httpHandler({ name: 'whoami', methods: ['POST'], handle: async (req) => ({ body: await authenticate(req.header('authorization'), req.config.auth) }) }, source);

let lines: string[];
let restoreSink: (line: string) => void;

beforeEach(() => {
  lines = [];
  restoreSink = setLogSink((line) => lines.push(line));
});

afterEach(() => {
  setLogSink(restoreSink);
});

/** A response body: an error, or the identity the route answered with. */
interface Body {
  error: { code: string; message: string };
  uid?: string;
  claims?: JWTPayload;
}

async function call(authorization?: string): Promise<{ res: HttpResponse; body: Body }> {
  const res = await whoami(httpEvent({ path: '/whoami', headers: authorization === undefined ? {} : { Authorization: authorization } }), fcContext());
  return { res, body: JSON.parse(res.body) };
}

/** Refused with `status` and `code`, and a message that says, in words, `says` when given. */
async function expectRefused(authorization: string | undefined, status: number, code: string, says?: string): Promise<{ res: HttpResponse; body: Body }> {
  const { res, body } = await call(authorization);
  expect({ status: res.statusCode, code: body.error?.code }).toEqual({ status, code });
  if (says !== undefined) expect(body.error.message).toContain(says);
  return { res, body };
}

const now = () => Math.floor(Date.now() / 1000);

/** A token with the usual claims for alice, which `claims` may override (undefined removes one). */
function token(alg: string, claims: JWTPayload = {}, header: Record<string, unknown> = {}): SignJWT {
  const payload: JWTPayload = { sub: 'alice', iss: ISSUER, aud: AUDIENCE, iat: now(), exp: now() + 300, ...claims };
  for (const [k, v] of Object.entries(payload)) if (v === undefined) delete payload[k];
  return new SignJWT(payload).setProtectedHeader({ alg, ...header });
}

const hsKey = new TextEncoder().encode(HS_SECRET);
const hs = (claims?: JWTPayload) => token('HS256', claims).sign(hsKey);

function unsigned(claims: JWTPayload): string {
  const part = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part({ sub: 'alice', iss: ISSUER, aud: AUDIENCE, exp: now() + 300, ...claims })}.`;
}

describe('with AUTH_HS256_SECRET', () => {
  beforeAll(() => configure({ ...BASE, AUTH_HS256_SECRET: HS_SECRET }));

  test('a valid HS256 token names the user from its sub claim', async () => {
    const { res, body } = await call(`Bearer ${await hs()}`);
    expect(res.statusCode).toBe(200);
    expect(body.uid).toBe('alice');
    expect(body.claims).toMatchObject({ sub: 'alice', iss: ISSUER, aud: AUDIENCE });
  });

  test('the Bearer scheme is matched without regard to case', async () => {
    const { res } = await call(`bearer ${await hs()}`);
    expect(res.statusCode).toBe(200);
  });

  test('the token may be set off by several spaces, before and after (RFC 6750: "Bearer" 1*SP token)', async () => {
    const { res, body } = await call(`Bearer   ${await hs()}  `);
    expect([res.statusCode, body.uid]).toEqual([200, 'alice']);
  });

  test('a header with anything but a JWT after "Bearer " is refused with 401 TokenMalformed', async () => {
    const jwt = await hs();
    for (const header of [`Bearer${jwt}`, `Basic ${jwt}`, `Bearer ${jwt} x`, `x Bearer ${jwt}`, `Bearer ${jwt}.x`, `Bearer ${jwt.replace('.', '.=')}`]) {
      await expectRefused(header, 401, 'TokenMalformed', 'not "Bearer <JWT>"');
    }
  });

  test('an expired token is refused with 401 TokenExpired and a Bearer challenge', async () => {
    const { res } = await expectRefused(`Bearer ${await hs({ iat: now() - 7200, exp: now() - 3600 })}`, 401, 'TokenExpired', 'expired');
    expect(res.headers['WWW-Authenticate']).toBe('Bearer');
  });

  test('a token that expired within the 30 s clock tolerance is still accepted', async () => {
    const { res } = await call(`Bearer ${await hs({ exp: now() - 10 })}`);
    expect(res.statusCode).toBe(200);
  });

  test('a token that is not valid yet is refused with 401 TokenNotYetValid', async () => {
    await expectRefused(`Bearer ${await hs({ nbf: now() + 3600 })}`, 401, 'TokenNotYetValid', 'not valid yet');
  });

  test('a token from another issuer is refused with 401 TokenClaimInvalid naming iss', async () => {
    const { body } = await expectRefused(`Bearer ${await hs({ iss: 'https://evil.example' })}`, 401, 'TokenClaimInvalid');
    expect(body.error.message).toContain('"iss"');
  });

  test('a token for another audience is refused with 401 TokenClaimInvalid naming aud', async () => {
    const { body } = await expectRefused(`Bearer ${await hs({ aud: 'other-app' })}`, 401, 'TokenClaimInvalid');
    expect(body.error.message).toContain('"aud"');
  });

  test('an unsigned token (alg none) is refused with 401 TokenAlgorithmNotAllowed', async () => {
    await expectRefused(`Bearer ${unsigned({})}`, 401, 'TokenAlgorithmNotAllowed', 'algorithm that is not accepted');
  });

  test('an RS256 token is refused with 401 TokenAlgorithmNotAllowed', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    await expectRefused(`Bearer ${await token('RS256').sign(privateKey)}`, 401, 'TokenAlgorithmNotAllowed');
  });

  test('a token signed with another secret is refused with 401 TokenInvalid', async () => {
    const forged = await token('HS256').sign(new TextEncoder().encode('another-secret-of-at-least-32-bytes!!'));
    await expectRefused(`Bearer ${forged}`, 401, 'TokenInvalid', 'not valid');
  });

  test('a token whose payload was changed after signing is refused with 401 TokenInvalid', async () => {
    const [header, , signature] = (await hs()).split('.');
    const payload = Buffer.from(JSON.stringify({ sub: 'bob', iss: ISSUER, aud: AUDIENCE, exp: now() + 300 })).toString('base64url');
    await expectRefused(`Bearer ${header}.${payload}.${signature}`, 401, 'TokenInvalid');
  });

  test('a token without a sub claim is refused with 401 TokenClaimMissing', async () => {
    await expectRefused(`Bearer ${await hs({ sub: undefined })}`, 401, 'TokenClaimMissing');
  });

  test('a token with an empty sub claim is refused with 401 TokenClaimMissing', async () => {
    await expectRefused(`Bearer ${await hs({ sub: '' })}`, 401, 'TokenClaimMissing');
  });

  test('a numeric sub claim is refused with 401 TokenClaimMissing: the user is named by a string', async () => {
    await expectRefused(`Bearer ${await hs({ sub: 123 as unknown as string })}`, 401, 'TokenClaimMissing');
  });

  test('a request without Authorization is refused with 401 TokenMissing', async () => {
    const { res } = await expectRefused(undefined, 401, 'TokenMissing', 'Authorization: Bearer <JWT>');
    expect(res.headers['WWW-Authenticate']).toBe('Bearer');
  });

  test.each([['Basic YWxpY2U6cGFzcw=='], ['Bearer'], ['Bearer not-a-jwt'], ['Token a.b.c']])('Authorization "%s" is refused with 401 TokenMalformed', async (value) => {
    await expectRefused(value, 401, 'TokenMalformed');
  });

  test('neither the token nor the secret appears in the response or the log line', async () => {
    const jwt = await hs({ iss: 'https://evil.example' });
    const { res } = await call(`Bearer ${jwt}`);
    expect(lines).toHaveLength(1);
    for (const text of [res.body, lines[0]]) {
      expect(text).not.toContain(jwt.split('.')[2]);
      expect(text).not.toContain(HS_SECRET);
    }
  });
});

describe('the times a token claims', () => {
  beforeAll(() => configure({ ...BASE, AUTH_HS256_SECRET: HS_SECRET }));

  test('a token without exp is refused with 401 TokenClaimInvalid naming exp: it would be valid forever', async () => {
    const { body } = await expectRefused(`Bearer ${await hs({ exp: undefined })}`, 401, 'TokenClaimInvalid');
    expect(body.error.message).toContain('"exp"');
    expect(body.error.message).toContain('missing');
  });

  test('a token expiring more than 24 hours ahead is refused with 401 TokenClaimInvalid naming exp', async () => {
    const { body } = await expectRefused(`Bearer ${await hs({ exp: now() + 24 * 3600 + 120 })}`, 401, 'TokenClaimInvalid');
    expect(body.error.message).toContain('"exp"');
  });

  test('a token expiring just under 24 hours ahead is accepted', async () => {
    expect((await call(`Bearer ${await hs({ exp: now() + 24 * 3600 - 60 })}`)).body.uid).toBe('alice');
  });

  test('a token issued in the future (iat beyond the 30 s skew) is refused with 401 TokenClaimInvalid naming iat', async () => {
    const { body } = await expectRefused(`Bearer ${await hs({ iat: now() + 120 })}`, 401, 'TokenClaimInvalid');
    expect(body.error.message).toContain('"iat"');
  });

  test('a token issued within the 30 s skew ahead, or without iat, is accepted', async () => {
    expect((await call(`Bearer ${await hs({ iat: now() + 10 })}`)).body.uid).toBe('alice');
    expect((await call(`Bearer ${await hs({ iat: undefined })}`)).body.uid).toBe('alice');
  });

  describe('at the edges, on a clock held still', () => {
    const T = 1_780_000_000; // whole seconds: the checks compare seconds
    beforeEach(() => jest.useFakeTimers({ now: T * 1000 + 500, doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] }));
    afterEach(() => jest.useRealTimers());

    test('a token expiring 24 hours and 30 s ahead is accepted; one second later, it is refused as lying "more than 24 hours ahead"', async () => {
      expect((await call(`Bearer ${await hs({ iat: T, exp: T + 24 * 3600 + 30 })}`)).body.uid).toBe('alice');
      const { body } = await expectRefused(`Bearer ${await hs({ iat: T, exp: T + 24 * 3600 + 31 })}`, 401, 'TokenClaimInvalid');
      expect(body.error.message).toContain('more than 24 hours ahead');
    });

    test('a token issued 30 s ahead is accepted; 31 s ahead, it is refused naming iat', async () => {
      expect((await call(`Bearer ${await hs({ iat: T + 30, exp: T + 300 })}`)).body.uid).toBe('alice');
      const { body } = await expectRefused(`Bearer ${await hs({ iat: T + 31, exp: T + 300 })}`, 401, 'TokenClaimInvalid', 'in the future');
      expect(body.error.message).toContain('"iat"');
    });
  });

  test('a token whose nbf is not a number is refused with 401 TokenClaimInvalid naming nbf, not TokenNotYetValid: waiting will not help', async () => {
    const { body } = await expectRefused(`Bearer ${await hs({ nbf: 'soon' as unknown as number })}`, 401, 'TokenClaimInvalid');
    expect(body.error.message).toContain('"nbf"');
  });

  test('a token whose nbf lies beyond the 30 s skew is refused with 401 TokenNotYetValid; within it, accepted', async () => {
    await expectRefused(`Bearer ${await hs({ nbf: now() + 120 })}`, 401, 'TokenNotYetValid');
    expect((await call(`Bearer ${await hs({ nbf: now() + 10 })}`)).body.uid).toBe('alice');
  });
});

describe('a token presented again', () => {
  beforeEach(() => configure({ ...BASE, AUTH_HS256_SECRET: HS_SECRET }));
  afterEach(() => jest.useRealTimers());

  test('is refused once it has expired, although it was accepted before', async () => {
    const jwt = await hs({ exp: now() + 40 });
    expect((await call(`Bearer ${jwt}`)).body.uid).toBe('alice');
    jest.useFakeTimers({ now: Date.now() + 120_000, doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    await expectRefused(`Bearer ${jwt}`, 401, 'TokenExpired');
  });

  test('is refused once past its exp and the 30 s tolerance, though it was accepted less than a minute before', async () => {
    const jwt = await hs({ exp: now() + 10 });
    expect((await call(`Bearer ${jwt}`)).body.uid).toBe('alice');
    jest.useFakeTimers({ now: Date.now() + 55_000, doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    await expectRefused(`Bearer ${jwt}`, 401, 'TokenExpired');
  });

  test('within a minute, is accepted without its signature being checked again (that costs more than the rest of a request); after a minute, it is checked again', async () => {
    const [a, b] = [await hs(), await hs({ sub: 'bob' })];
    const verifySpy = jest.spyOn(crypto.subtle, 'verify');
    const importSpy = jest.spyOn(crypto.subtle, 'importKey');
    try {
      for (const jwt of [a, b]) expect((await call(`Bearer ${jwt}`)).res.statusCode).toBe(200);
      expect(verifySpy).toHaveBeenCalledTimes(2);
      for (const jwt of [a, b, a, b]) expect((await call(`Bearer ${jwt}`)).res.statusCode).toBe(200);
      expect(verifySpy).toHaveBeenCalledTimes(2);
      jest.useFakeTimers({ now: Date.now() + 61_000, doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
      expect((await call(`Bearer ${a}`)).body.uid).toBe('alice');
      expect(verifySpy).toHaveBeenCalledTimes(3);
      // The secret, imported once for this configuration, is not imported again for each token.
      expect(importSpy.mock.calls.length).toBeLessThanOrEqual(1);
    } finally {
      verifySpy.mockRestore();
      importSpy.mockRestore();
    }
  });

  test('with one character changed is verified afresh and refused', async () => {
    const jwt = await hs();
    expect((await call(`Bearer ${jwt}`)).body.uid).toBe('alice');
    const flipped = jwt.slice(0, -2) + (jwt.at(-2) === 'A' ? 'B' : 'A') + jwt.at(-1);
    await expectRefused(`Bearer ${flipped}`, 401, 'TokenInvalid');
  });

  test('is refused after the secret changes, although it was accepted under the old one', async () => {
    const jwt = await hs();
    expect((await call(`Bearer ${jwt}`)).body.uid).toBe('alice');
    configure({ ...BASE, AUTH_HS256_SECRET: 'another-hs256-secret-of-32-bytes-or-more' });
    await expectRefused(`Bearer ${jwt}`, 401, 'TokenInvalid');
  });
});

describe('with AUTH_USER_CLAIM', () => {
  beforeAll(() => configure({ ...BASE, AUTH_HS256_SECRET: HS_SECRET, AUTH_USER_CLAIM: 'user_id' }));

  test('the user comes from that claim, not from sub', async () => {
    const { body } = await call(`Bearer ${await hs({ sub: 'auth0|123', user_id: 'u-777' })}`);
    expect(body.uid).toBe('u-777');
  });

  test('a numeric user claim is refused with 401 TokenClaimMissing, so 42 and "42" cannot be one user', async () => {
    const { body } = await expectRefused(`Bearer ${await hs({ user_id: 42 })}`, 401, 'TokenClaimMissing');
    expect(body.error.message).toContain('"user_id"');
    expect((await call(`Bearer ${await hs({ user_id: '42' })}`)).body.uid).toBe('42');
  });

  test('a token without that claim is refused with 401 TokenClaimMissing naming it', async () => {
    const { body } = await expectRefused(`Bearer ${await hs()}`, 401, 'TokenClaimMissing');
    expect(body.error.message).toContain('"user_id"');
  });

  test('a user claim that is an object is refused with 401 TokenClaimMissing', async () => {
    await expectRefused(`Bearer ${await hs({ user_id: { id: 'alice' } })}`, 401, 'TokenClaimMissing');
  });
});

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

describe('with AUTH_JWKS_URL', () => {
  let server: Server;
  let privateKey: CryptoKey;
  let publicPem: string;
  let jwksRequests = 0;
  let jwk: Record<string, unknown>;
  let jwksUrl: string;

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256', { extractable: true });
    privateKey = pair.privateKey;
    publicPem = await exportSPKI(pair.publicKey);
    jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    server = createServer((req, res) => {
      jwksRequests++;
      if (req.url !== '/.well-known/jwks.json') return void res.writeHead(404).end();
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
    });
    jwksUrl = `${await listen(server)}/.well-known/jwks.json`;
    configure({ ...BASE, AUTH_JWKS_URL: jwksUrl });
  });

  afterAll(() => close(server));

  const rs = (claims?: JWTPayload) => token('RS256', claims, { kid: 'k1' }).sign(privateKey);

  test('an RS256 token signed by a key in the JWKS names the user', async () => {
    const { res, body } = await call(`Bearer ${await rs()}`);
    expect(res.statusCode).toBe(200);
    expect(body.uid).toBe('alice');
  });

  test('the key set is fetched once, not on every request', async () => {
    expect((await call(`Bearer ${await rs()}`)).res.statusCode).toBe(200);
    const before = jwksRequests;
    // Different tokens, so that none is answered from the memory of tokens already verified.
    for (let i = 0; i < 3; i++) expect((await call(`Bearer ${await rs({ sub: `user-${i}` })}`)).res.statusCode).toBe(200);
    expect(jwksRequests - before).toBe(0);
  });

  test('a key withdrawn from the JWKS stops verifying new tokens within a minute', async () => {
    let served = [jwk];
    const rotating = createServer((_, res) => res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ keys: served })));
    configure({ ...BASE, AUTH_JWKS_URL: `${await listen(rotating)}/rotating.json` });
    const clock = jest.spyOn(Date, 'now');
    try {
      expect((await call(`Bearer ${await rs({ sub: 'before-withdrawal' })}`)).res.statusCode).toBe(200);
      served = [{ ...(await exportJWK((await generateKeyPair('RS256', { extractable: true })).publicKey)), kid: 'k2', alg: 'RS256', use: 'sig' }];
      const withdrawnAt = Date.now();
      clock.mockImplementation(() => withdrawnAt + 61_000);
      // A token not seen before, so only the key set can vouch for it.
      await expectRefused(`Bearer ${await rs({ sub: 'after-withdrawal' })}`, 401, 'TokenInvalid');
    } finally {
      clock.mockRestore();
      configure({ ...BASE, AUTH_JWKS_URL: jwksUrl });
      await close(rotating);
    }
  });

  test('a token that names no key, while the JWKS holds two that could have signed it, is refused with 401 TokenInvalid: not an outage', async () => {
    const other = await exportJWK((await generateKeyPair('RS256', { extractable: true })).publicKey);
    const keys = [{ ...other, kid: 'a' }, { ...other, kid: 'b' }];
    const two = createServer((_, res) => res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ keys })));
    configure({ ...BASE, AUTH_JWKS_URL: `${await listen(two)}/two.json` });
    try {
      await expectRefused(`Bearer ${await token('RS256').sign((await generateKeyPair('RS256')).privateKey)}`, 401, 'TokenInvalid');
    } finally {
      configure({ ...BASE, AUTH_JWKS_URL: jwksUrl });
      await close(two);
    }
  });

  test('the key set is fetched through the function\'s own keep-alive client, never the global fetch', async () => {
    const fresh = createServer((_, res) => res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ keys: [jwk] })));
    let requests = 0;
    fresh.on('request', () => requests++);
    configure({ ...BASE, AUTH_JWKS_URL: `${await listen(fresh)}/fresh.json` });
    const fetchSpy = jest.spyOn(globalThis, 'fetch');
    try {
      expect((await call(`Bearer ${await rs()}`)).res.statusCode).toBe(200);
      expect([requests, fetchSpy.mock.calls.length]).toEqual([1, 0]);
    } finally {
      fetchSpy.mockRestore();
      configure({ ...BASE, AUTH_JWKS_URL: jwksUrl });
      await close(fresh);
    }
  });

  test('an HS256 token signed with the RSA public key as its secret is refused with 401 TokenAlgorithmNotAllowed', async () => {
    const confused = await token('HS256', {}, { kid: 'k1' }).sign(new TextEncoder().encode(publicPem));
    await expectRefused(`Bearer ${confused}`, 401, 'TokenAlgorithmNotAllowed');
  });

  test('an unsigned token (alg none) is refused with 401 TokenAlgorithmNotAllowed', async () => {
    await expectRefused(`Bearer ${unsigned({})}`, 401, 'TokenAlgorithmNotAllowed');
  });

  test('an RS256 token signed by another key under the same kid is refused with 401 TokenInvalid', async () => {
    const other = await generateKeyPair('RS256');
    await expectRefused(`Bearer ${await token('RS256', {}, { kid: 'k1' }).sign(other.privateKey)}`, 401, 'TokenInvalid');
  });

  test('an RS256 token naming a key the JWKS does not hold is refused with 401 TokenInvalid', async () => {
    const other = await generateKeyPair('RS256');
    await expectRefused(`Bearer ${await token('RS256', {}, { kid: 'k2' }).sign(other.privateKey)}`, 401, 'TokenInvalid');
  });

  test('an expired RS256 token is refused with 401 TokenExpired', async () => {
    await expectRefused(`Bearer ${await rs({ iat: now() - 7200, exp: now() - 3600 })}`, 401, 'TokenExpired');
  });

  test('an RS256 token from another issuer is refused with 401 TokenClaimInvalid', async () => {
    await expectRefused(`Bearer ${await rs({ iss: 'https://evil.example' })}`, 401, 'TokenClaimInvalid');
  });
});

describe('with AUTH_JWKS_URL, a provider signing with any of the asymmetric algorithms in use', () => {
  const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'EdDSA'];
  let server: Server;
  const privateKeys = new Map<string, CryptoKey>();

  beforeAll(async () => {
    const keys: Record<string, unknown>[] = [];
    for (const alg of ALGORITHMS) {
      const pair = await generateKeyPair(alg, { extractable: true });
      privateKeys.set(alg, pair.privateKey);
      keys.push({ ...(await exportJWK(pair.publicKey)), kid: alg, alg, use: 'sig' });
    }
    server = createServer((_, res) => res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ keys })));
    configure({ ...BASE, AUTH_JWKS_URL: `${await listen(server)}/jwks.json` });
  });

  afterAll(() => close(server));

  test.each(ALGORITHMS)('%s: a token signed by a key in the JWKS names the user', async (alg) => {
    const signed = await token(alg, {}, { kid: alg }).sign(privateKeys.get(alg) as CryptoKey);
    const { res, body } = await call(`Bearer ${signed}`);
    expect([res.statusCode, body.uid]).toEqual([200, 'alice']);
  });
});

describe('when the identity provider’s keys cannot be fetched', () => {
  let down: Server;
  let refusing: string;

  beforeAll(async () => {
    down = createServer((_, res) => res.writeHead(500, { 'Content-Type': 'text/plain' }).end('upstream error'));
    const closed = createServer();
    refusing = await listen(closed);
    await close(closed);
  });

  afterAll(() => close(down));

  const anyRs256 = async () => token('RS256', {}, { kid: 'k1' }).sign((await generateKeyPair('RS256')).privateKey);

  test('a JWKS endpoint answering 500 gives 503 IdentityProviderUnavailable, not a 401 blaming the token', async () => {
    configure({ ...BASE, AUTH_JWKS_URL: `${await listen(down)}/jwks.json` });
    const { res } = await expectRefused(`Bearer ${await anyRs256()}`, 503, 'IdentityProviderUnavailable', 'identity provider keys could not be fetched');
    expect(res.headers['Retry-After']).toBe('5');
  });

  test('an unreachable JWKS endpoint gives 503 IdentityProviderUnavailable, not a 401 blaming the token', async () => {
    configure({ ...BASE, AUTH_JWKS_URL: `${refusing}/jwks.json` });
    await expectRefused(`Bearer ${await anyRs256()}`, 503, 'IdentityProviderUnavailable');
  });
});

describe('without any verifier configured', () => {
  test('a request is answered 500 AuthNotConfigured, whatever token it carries', async () => {
    configure(BASE);
    await expectRefused(`Bearer ${await hs()}`, 500, 'AuthNotConfigured', 'set AUTH_JWKS_URL or AUTH_HS256_SECRET');
  });

  test('with AUTH_ANONYMOUS=true every caller is the anonymous user', async () => {
    configure({ ...BASE, AUTH_ANONYMOUS: 'true' });
    const { res, body } = await call();
    expect(res.statusCode).toBe(200);
    expect(body).toEqual({ uid: 'anonymous', claims: {} });
  });

  test('AUTH_ANONYMOUS=true does not bypass a configured verifier', async () => {
    configure({ ...BASE, AUTH_ANONYMOUS: 'true', AUTH_HS256_SECRET: HS_SECRET });
    await expectRefused(undefined, 401, 'TokenMissing');
  });
});
