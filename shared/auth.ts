// Who is calling: a Bearer JWT verified with jose, against a JWKS (asymmetric algorithms only) or an
// HS256 secret (HS256 only), so a token can never choose the kind of key that checks it.

import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { Config } from './config';
import { HttpError, type Request } from './http';

export interface Identity {
  uid: string;
  claims: JWTPayload;
}

const ASYMMETRIC = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'EdDSA'];
const CHALLENGE = { 'WWW-Authenticate': 'Bearer' };

const jwksCache = new Map<string, JWTVerifyGetKey>();
// Imported once: handing jose the raw bytes would import the key again on every verification.
const secretCache = new Map<string, Promise<CryptoKey>>();

// Clients reuse one token for many requests, and verifying it again costs more than everything
// else a request does. A token already verified under this auth configuration is accepted again
// until it expires (or for a minute at most, so a key withdrawn from the JWKS stops working soon).
const VERIFIED_TTL_MS = 60_000;
const VERIFIED_MAX = 1024;
const verified = new WeakMap<Config['auth'], Map<string, { claims: JWTPayload; until: number }>>();

function verifiedClaims(auth: Config['auth'], token: string, now: number): JWTPayload | undefined {
  const hit = verified.get(auth)?.get(token);
  if (!hit) return undefined;
  if (hit.until > now) return hit.claims;
  verified.get(auth)?.delete(token);
  return undefined;
}

function remember(auth: Config['auth'], token: string, claims: JWTPayload, now: number): void {
  if (typeof claims.exp !== 'number') return;
  let entries = verified.get(auth);
  if (!entries) verified.set(auth, (entries = new Map()));
  if (entries.size >= VERIFIED_MAX) entries.clear();
  entries.set(token, { claims, until: Math.min(claims.exp * 1000, now + VERIFIED_TTL_MS) });
}

function unauthorized(code: string, message: string): HttpError {
  return new HttpError(401, code, message, CHALLENGE);
}

function bearer(req: Request): string {
  const header = req.header('authorization');
  if (!header) throw unauthorized('TokenMissing', 'send Authorization: Bearer <JWT>');
  const m = /^Bearer[ ]+([A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)[ ]*$/i.exec(header);
  if (!m) throw unauthorized('TokenMalformed', 'the Authorization header is not "Bearer <JWT>"');
  return m[1];
}

function providerUnavailable(): HttpError {
  return new HttpError(503, 'IdentityProviderUnavailable', 'the identity provider keys could not be fetched', { 'Retry-After': '5' });
}

function keySet(url: string): JWTVerifyGetKey {
  let jwks = jwksCache.get(url);
  if (!jwks) {
    const remote = createRemoteJWKSet(new URL(url), { timeoutDuration: 2000, cooldownDuration: 30000 });
    // A refused connection, a non-200 answer or an unusable key set is the provider's outage, not a bad token.
    jwks = async (header, token) => {
      try {
        return await remote(header, token);
      } catch (err) {
        if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys) throw err;
        throw providerUnavailable();
      }
    };
    jwksCache.set(url, jwks);
  }
  return jwks;
}

async function verify(token: string, auth: Config['auth']): Promise<JWTPayload> {
  const options = { issuer: auth.issuer, audience: auth.audience, clockTolerance: 30 };
  if (auth.jwksUrl) return (await jwtVerify(token, keySet(auth.jwksUrl), { ...options, algorithms: ASYMMETRIC })).payload;
  const secret = auth.hs256Secret as string;
  let key = secretCache.get(secret);
  if (!key) {
    key = crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
    secretCache.set(secret, key);
  }
  return (await jwtVerify(token, await key, { ...options, algorithms: ['HS256'] })).payload;
}

function translate(err: unknown): HttpError {
  if (err instanceof errors.JWTExpired) return unauthorized('TokenExpired', 'the token has expired');
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'nbf') return unauthorized('TokenNotYetValid', 'the token is not valid yet');
    return unauthorized('TokenClaimInvalid', `the token's "${err.claim}" claim is not accepted`);
  }
  if (err instanceof errors.JOSEAlgNotAllowed) return unauthorized('TokenAlgorithmNotAllowed', 'the token is signed with an algorithm that is not accepted');
  if (err instanceof HttpError) return err;
  if (err instanceof errors.JOSEError) return unauthorized('TokenInvalid', 'the token is not valid');
  return unauthorized('TokenInvalid', 'the token is not valid');
}

/** Verify the caller and name the user. Throws HttpError 401 (or 500 when auth is not configured). */
export async function authenticate(req: Request): Promise<Identity> {
  const auth = req.config.auth;
  if (!auth.jwksUrl && !auth.hs256Secret) {
    if (auth.anonymous) return { uid: 'anonymous', claims: {} };
    throw new HttpError(500, 'AuthNotConfigured', 'set AUTH_JWKS_URL or AUTH_HS256_SECRET (or AUTH_ANONYMOUS=true for an open demo)');
  }
  const token = bearer(req);
  const now = Date.now();
  let claims = verifiedClaims(auth, token, now);
  if (!claims) {
    try {
      claims = await verify(token, auth);
    } catch (err) {
      throw translate(err);
    }
    remember(auth, token, claims, now);
  }
  const uid = claims[auth.userClaim];
  if (typeof uid !== 'string' && typeof uid !== 'number') {
    throw unauthorized('TokenClaimMissing', `the token has no "${auth.userClaim}" claim naming the user`);
  }
  if (String(uid).length === 0) throw unauthorized('TokenClaimMissing', `the token's "${auth.userClaim}" claim is empty`);
  return { uid: String(uid), claims };
}
