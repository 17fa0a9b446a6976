// Bearer tokens of every broken kind for a runtime's HS256 secret: each is refused, and none is
// taken for another user. Listed up front (tests are named after them), made when the secret is known.

import { createHmac, generateKeyPairSync } from 'node:crypto';
import { SignJWT, type JWTPayload } from 'jose';

export interface BrokenToken {
  what: string;
  status: number;
  code: string;
  /** The whole Authorization header value, for this secret and user. */
  header(secret: string, user: string): Promise<string>;
}

const b64url = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

/** A compact JWS over any header and payload (a string is used as the payload text), HMAC-SHA256. */
function hs256(header: unknown, payload: unknown, secret: string): string {
  const input = `${b64url(header)}.${b64url(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

function signed(payload: JWTPayload, secret: string, alg = 'HS256'): Promise<string> {
  return new SignJWT(payload).setProtectedHeader({ alg }).sign(new TextEncoder().encode(secret));
}

const valid = (secret: string, user: string) => signed({ sub: user, exp: now() + 600 }, secret);

function refused(what: string, code: string, header: BrokenToken['header']): BrokenToken {
  return { what, status: 401, code, header };
}

export const BROKEN_TOKENS: BrokenToken[] = [
  refused('no scheme, just the JWT', 'TokenMalformed', valid),
  refused('Basic credentials', 'TokenMalformed', async (_, user) => `Basic ${Buffer.from(`${user}:password`).toString('base64')}`),
  refused('"Bearer" and nothing else', 'TokenMalformed', async () => 'Bearer'),
  refused('two segments', 'TokenMalformed', async (s, u) => `Bearer ${(await valid(s, u)).split('.').slice(0, 2).join('.')}`),
  refused('four segments', 'TokenMalformed', async (s, u) => `Bearer ${await valid(s, u)}.AAAA`),
  refused('a space inside the token', 'TokenMalformed', async (s, u) => `Bearer ${(await valid(s, u)).replace('.', ' .')}`),
  refused('standard Base64 characters (+ and /)', 'TokenMalformed', async (s, u) => `Bearer ${await valid(s, u)}+/`),
  refused('two tokens, comma-joined as a repeated header arrives', 'TokenMalformed', async (s, u) => `Bearer ${await valid(s, u)}, Bearer ${await valid(s, u)}`),
  refused('three segments of garbage', 'TokenInvalid', async () => 'Bearer aaaa.bbbb.cccc'),
  refused('a signature cut short', 'TokenInvalid', async (s, u) => `Bearer ${(await valid(s, u)).slice(0, -6)}`),
  refused('the payload swapped for another user, signature kept', 'TokenInvalid', async (s, u) => {
    const [head, , sig] = (await valid(s, u)).split('.');
    return `Bearer ${head}.${b64url({ sub: 'alice', exp: now() + 600 })}.${sig}`;
  }),
  refused('signed with another secret', 'TokenInvalid', async (_, u) => `Bearer ${await valid('another-secret-of-at-least-32-bytes!', u)}`),
  refused('alg none, no signature', 'TokenAlgorithmNotAllowed', async (_, u) => `Bearer ${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ sub: u, exp: now() + 600 })}.`),
  refused('alg "None" with an HS256 signature', 'TokenAlgorithmNotAllowed', async (s, u) => `Bearer ${hs256({ alg: 'None' }, { sub: u, exp: now() + 600 }, s)}`),
  refused('HS512 with the right secret', 'TokenAlgorithmNotAllowed', async (s, u) => `Bearer ${await signed({ sub: u, exp: now() + 600 }, s, 'HS512')}`),
  refused('RS256 with a key of its own', 'TokenAlgorithmNotAllowed', async (_, u) => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    return `Bearer ${await new SignJWT({ sub: u, exp: now() + 600 }).setProtectedHeader({ alg: 'RS256' }).sign(privateKey)}`;
  }),
  refused('an alg with a Cyrillic look-alike letter (H\u0405256)', 'TokenAlgorithmNotAllowed', async (s, u) => `Bearer ${hs256({ alg: 'H\u0405256' }, { sub: u, exp: now() + 600 }, s)}`),
  refused('an unknown critical header', 'TokenInvalid', async (s, u) => `Bearer ${hs256({ alg: 'HS256', crit: ['x-must-understand'], 'x-must-understand': true }, { sub: u, exp: now() + 600 }, s)}`),
  refused('a payload that is a JSON string, not an object', 'TokenInvalid', async (s) => `Bearer ${hs256({ alg: 'HS256' }, '"just a string"', s)}`),
  refused('a payload that is not JSON', 'TokenInvalid', async (s) => `Bearer ${hs256({ alg: 'HS256' }, 'sub=mallory', s)}`),
  refused('a header that is not JSON', 'TokenInvalid', async (s, u) => {
    const [, body, sig] = (await valid(s, u)).split('.');
    return `Bearer ${b64url('{alg:HS256')}.${body}.${sig}`;
  }),
  refused('8 KB of segments', 'TokenInvalid', async () => `Bearer ${'A'.repeat(4096)}.${'B'.repeat(4096)}.CCCC`),
  refused('expired beyond the clock tolerance', 'TokenExpired', (s, u) => signed({ sub: u, exp: now() - 120 }, s).then((t) => `Bearer ${t}`)),
  refused('not valid for another hour', 'TokenNotYetValid', (s, u) => signed({ sub: u, nbf: now() + 3600, exp: now() + 7200 }, s).then((t) => `Bearer ${t}`)),
  refused('exp written as a string', 'TokenClaimInvalid', async (s, u) => `Bearer ${hs256({ alg: 'HS256' }, { sub: u, exp: String(now() + 600) }, s)}`),
  refused('no sub claim', 'TokenClaimMissing', (s) => signed({ exp: now() + 600 }, s).then((t) => `Bearer ${t}`)),
  refused('an empty sub claim', 'TokenClaimMissing', async (s) => `Bearer ${hs256({ alg: 'HS256' }, { sub: '', exp: now() + 600 }, s)}`),
  refused('a sub claim that is an object', 'TokenClaimMissing', async (s, u) => `Bearer ${hs256({ alg: 'HS256' }, { sub: { id: u }, exp: now() + 600 }, s)}`),
  refused('a numeric sub claim (123 and "123" must not be one user)', 'TokenClaimMissing', async (s) => `Bearer ${hs256({ alg: 'HS256' }, { sub: 123, exp: now() + 600 }, s)}`),
  refused('no exp claim (valid forever)', 'TokenClaimInvalid', (s, u) => signed({ sub: u }, s).then((t) => `Bearer ${t}`)),
  refused('exp two days ahead', 'TokenClaimInvalid', (s, u) => signed({ sub: u, exp: now() + 2 * 86400 }, s).then((t) => `Bearer ${t}`)),
  refused('issued an hour in the future', 'TokenClaimInvalid', (s, u) => signed({ sub: u, iat: now() + 3600, exp: now() + 7200 }, s).then((t) => `Bearer ${t}`)),
  // Signed correctly, for a user id no key may carry: the upload rules refuse it, not the signature.
  {
    what: 'a sub claim with a lone surrogate',
    status: 400,
    code: 'InvalidUser',
    header: async (s) => `Bearer ${hs256({ alg: 'HS256' }, `{"sub":"a\\ud800","exp":${now() + 600}}`, s)}`,
  },
];
