// Who is calling: a Bearer JWT verified with jose, against a JWKS (asymmetric algorithms only) or an
// HS256 secret (HS256 only), so a token can never choose the kind of key that checks it.

import { createRemoteJWKSet, customFetch, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { ApiError } from './api/errors';
import type { AuthConfig } from './config';
import { jwksFetch } from './outbound';

export interface Identity {
  uid: string;
  claims: JWTPayload;
}

/**
 * Whether every caller is a guest (the storage rules' `guest`, the user `anonymous`): AUTH_ANONYMOUS,
 * and no way of verifying a token configured.
 */
export function guestsOnly(auth: AuthConfig): boolean {
  return auth.anonymous && !auth.jwksUrl && !auth.hs256Secret;
}

const ASYMMETRIC = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'EdDSA'];

const jwksCache = new Map<string, JWTVerifyGetKey>();
const JWKS_TIMEOUT_MS = 2000;
// Providers' key sets are a few KB (several keys with certificate chains stay under 64 KB).
const JWKS_MAX_BYTES = 256 * 1024;
// Imported once: handing jose the raw bytes would import the key again on every verification.
const secretCache = new Map<string, Promise<CryptoKey>>();

// Clients reuse one token for many requests, and verifying it again costs more than everything
// else a request does. A token already verified under this auth configuration is accepted again
// until it expires (or for a minute at most, so a key withdrawn from the JWKS stops working soon).
const VERIFIED_TTL_MS = 60_000;
const VERIFIED_MAX = 1024;
const verified = new WeakMap<AuthConfig, Map<string, { claims: JWTPayload; until: number }>>();

function verifiedClaims(auth: AuthConfig, token: string, now: number): JWTPayload | undefined {
  const hit = verified.get(auth)?.get(token);
  if (!hit) return undefined;
  if (hit.until > now) return hit.claims;
  verified.get(auth)?.delete(token);
  return undefined;
}

function remember(auth: AuthConfig, token: string, claims: JWTPayload, now: number): void {
  if (typeof claims.exp !== 'number') return;
  let entries = verified.get(auth);
  if (!entries) verified.set(auth, (entries = new Map()));
  if (entries.size >= VERIFIED_MAX) entries.clear();
  entries.set(token, { claims, until: Math.min(claims.exp * 1000, now + VERIFIED_TTL_MS) });
}

function bearer(header: string | undefined): string {
  if (!header) throw new ApiError('TokenMissing', 'send Authorization: Bearer <JWT>');
  const m = /^Bearer[ ]+([A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)[ ]*$/i.exec(header);
  if (!m) throw new ApiError('TokenMalformed', 'the Authorization header is not "Bearer <JWT>"');
  return m[1];
}

function providerUnavailable(): ApiError {
  return new ApiError('IdentityProviderUnavailable', 'the identity provider keys could not be fetched');
}

function keySet(url: string): JWTVerifyGetKey {
  let jwks = jwksCache.get(url);
  if (!jwks) {
    // Through the instance's keep-alive pool rather than jose's default, the global fetch.
    // jose keeps a key set 10 minutes unless told otherwise; a key the provider withdraws must stop
    // working as soon as a verified token's memory (VERIFIED_TTL_MS) lets it, not ten minutes later.
    const remote = createRemoteJWKSet(new URL(url), {
      timeoutDuration: JWKS_TIMEOUT_MS,
      cooldownDuration: 30000,
      cacheMaxAge: VERIFIED_TTL_MS,
      [customFetch]: jwksFetch(JWKS_TIMEOUT_MS, JWKS_MAX_BYTES),
    });
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

/** Seconds two clocks may disagree by: a token's times are accepted this far on the wrong side. */
export const CLOCK_SKEW_SECONDS = 30;
/**
 * How far ahead a token's `exp` may lie. A token valid for longer is a credential nobody can take
 * back (the functions keep no revocation list), so one that claims more than a day is refused.
 */
export const MAX_TOKEN_LIFETIME_SECONDS = 24 * 3600;

function claimInvalid(claim: string, why: string): ApiError {
  return new ApiError('TokenClaimInvalid', `the token's "${claim}" claim is not accepted: ${why}`);
}

/**
 * What jose leaves to us: `exp` bounded, `iat` not in the future. jose checks exp, nbf, iss and aud,
 * and requires exp (requiredClaims), but accepts any exp ahead and any iat unless maxTokenAge is set,
 * which would also require iat of providers that leave it out.
 */
function checkTimes(claims: JWTPayload, nowSeconds: number): void {
  if ((claims.exp as number) > nowSeconds + MAX_TOKEN_LIFETIME_SECONDS + CLOCK_SKEW_SECONDS) {
    throw claimInvalid('exp', `it lies more than ${MAX_TOKEN_LIFETIME_SECONDS / 3600} hours ahead`);
  }
  if (claims.iat !== undefined && claims.iat > nowSeconds + CLOCK_SKEW_SECONDS) throw claimInvalid('iat', 'it lies in the future');
}

async function verify(token: string, auth: AuthConfig): Promise<JWTPayload> {
  const options = { issuer: auth.issuer, audience: auth.audience, clockTolerance: CLOCK_SKEW_SECONDS, requiredClaims: ['exp'] };
  if (auth.jwksUrl) return (await jwtVerify(token, keySet(auth.jwksUrl), { ...options, algorithms: ASYMMETRIC })).payload;
  const secret = auth.hs256Secret as string;
  let key = secretCache.get(secret);
  if (!key) {
    key = crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
    secretCache.set(secret, key);
  }
  return (await jwtVerify(token, await key, { ...options, algorithms: ['HS256'] })).payload;
}

function translate(err: unknown): ApiError {
  if (err instanceof errors.JWTExpired) return new ApiError('TokenExpired', 'the token has expired');
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'nbf' && err.reason === 'check_failed') return new ApiError('TokenNotYetValid', 'the token is not valid yet');
    if (err.reason === 'missing') return claimInvalid(err.claim, 'it is missing');
    return new ApiError('TokenClaimInvalid', `the token's "${err.claim}" claim is not accepted`);
  }
  if (err instanceof errors.JOSEAlgNotAllowed) return new ApiError('TokenAlgorithmNotAllowed', 'the token is signed with an algorithm that is not accepted');
  if (err instanceof ApiError) return err;
  return new ApiError('TokenInvalid', 'the token is not valid');
}

/**
 * Verify the caller from its `Authorization` header and name the user. The token must carry `exp`,
 * at most MAX_TOKEN_LIFETIME_SECONDS ahead; `iat` and `nbf` must not lie in the future (beyond
 * CLOCK_SKEW_SECONDS); the user claim must be a non-empty string. Throws ApiError: a Token* code
 * (401), IdentityProviderUnavailable (503) when the JWKS cannot be fetched, AuthNotConfigured (500)
 * when no way of verifying is configured.
 */
export async function authenticate(authorization: string | undefined, auth: AuthConfig): Promise<Identity> {
  if (!auth.jwksUrl && !auth.hs256Secret) {
    if (auth.anonymous) return { uid: 'anonymous', claims: {} };
    throw new ApiError('AuthNotConfigured', 'set AUTH_JWKS_URL or AUTH_HS256_SECRET (or AUTH_ANONYMOUS=true for an open demo)');
  }
  const token = bearer(authorization);
  const now = Date.now();
  let claims = verifiedClaims(auth, token, now);
  if (!claims) {
    try {
      claims = await verify(token, auth);
    } catch (err) {
      throw translate(err);
    }
    checkTimes(claims, Math.floor(now / 1000));
    remember(auth, token, claims, now);
  }
  const uid = claims[auth.userClaim];
  // Only a non-empty string names a user: were 123 accepted too, it and "123" would be one user.
  if (typeof uid !== 'string' || uid === '') {
    throw new ApiError('TokenClaimMissing', `the token has no "${auth.userClaim}" claim naming the user as a non-empty string`);
  }
  return { uid, claims };
}
