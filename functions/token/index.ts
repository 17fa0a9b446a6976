// POST /token {"access"}: STS credentials that reach only the caller's own prefix, in the shape the
// OSS mobile SDKs read. POST only: the SDKs' URL providers make a bare GET that cannot carry the
// caller's token, so a GET route would only widen what an attacker can reach.

import { ApiError } from '../../shared/api/errors';
import type { Access, TokenResponse } from '../../shared/api/types';
import { authenticate } from '../../shared/auth';
import { ConfigError, type ConfigSource, configFrom } from '../../shared/config';
import { roleCredentials } from '../../shared/http/event';
import { type FcHandler, httpHandler } from '../../shared/http/handler';
import { readJson, type Request } from '../../shared/http/request';
import { type Grant, grantFor } from '../../shared/policy/rules';
import { vendCredentials } from '../../shared/sts';

/**
 * Seconds a client still uses credentials after it receives them: the mobile SDKs and ali-oss
 * refresh 300 s before expiry (ali-oss refreshSTSTokenInterval, 300000 ms), so a token answer must
 * carry credentials that live at least that long, plus the cache's margin.
 */
export const CLIENT_REFRESH_WINDOW_SECONDS = 300;

/**
 * Ms a token request may spend getting its credentials: its turn at STS under the quota, another
 * instance's call for the same credential, every attempt and backoff. The token function's timeout
 * (10 s in s.yaml) less a JWKS fetch (2 s) and half a second for the rest, so no caller waits past it.
 */
export const TOKEN_STS_BUDGET_MS = 7500;

function grantOf(req: Request, uid: string): Grant {
  return grantFor(uid, readJson(req).access as Access, req.config.rules);
}

async function token(req: Request): Promise<TokenResponse> {
  const roleArn = req.config.sts.roleArn;
  if (!roleArn) throw new ConfigError('STS_ROLE_ARN', 'is required by the token function: the ARN of the role whose credentials it hands out');
  const { uid } = await authenticate(req.header('authorization'), req.config.auth);
  const grant = grantOf(req, uid);
  req.note({ user: grant.user, access: grant.access });
  const own = roleCredentials(req.context);
  if (!own) throw new ApiError('FunctionRoleMissing', 'the token function has no role credentials: give it a role in s.yaml');
  const vended = await vendCredentials(grant, req.config, roleArn, own, { useSeconds: CLIENT_REFRESH_WINDOW_SECONDS, budgetMs: TOKEN_STS_BUDGET_MS });
  req.note({ cache: vended.cache, stsCalls: vended.stsCalls });
  const { rules } = grant;
  return { StatusCode: 200, ...vended.credentials, bucket: rules.bucket, region: rules.region, endpoint: req.config.endpoint, prefix: grant.prefix };
}

/** The token function on a configuration of its own (the local runtime's, a test's). */
export function tokenHandler(config: ConfigSource): FcHandler {
  return httpHandler({ name: 'token', methods: ['POST'], handle: async (req) => ({ body: await token(req) }) }, config);
}

/** The deployed function: configured from its environment, read once. */
export const handler = tokenHandler(configFrom(process.env));
