// POST /sign: a presigned PUT, GET or DELETE URL, or a PostObject form, for one key under the caller's prefix,
// signed with STS credentials narrowed to the caller's own scope (the session policy /token would
// send for the same access), so OSS itself refuses anything outside that scope, symlink targets
// included. Or, for an upload the client makes with its own STS credentials, the key and the pinned
// callback. A request that breaks the rules leaves as the policy's ApiError (a 400).

import { ApiError } from '../../shared/api/errors';
import type { Access, SignedCallbackResponse, SignedFormResponse, SignedUrlResponse, SignOperation } from '../../shared/api/types';
import { authenticate } from '../../shared/auth';
import { ConfigError, type ConfigSource, configFrom } from '../../shared/config';
import { roleCredentials } from '../../shared/http/event';
import { type FcHandler, httpHandler } from '../../shared/http/handler';
import { readJson, type Request } from '../../shared/http/request';
import type { Pinning } from '../../shared/policy/callback';
import { postPlan } from '../../shared/policy/post-conditions';
import { type Grant, grantFor } from '../../shared/policy/rules';
import { callbackPlan, deletePlan, getPlan, putPlan, type UrlPlan } from '../../shared/policy/url-constraints';
import { bucketTarget, presignUrl, signForm, type Signing, signingAt } from '../../shared/signer/presign';
import { signingCredentials, vendCredentials } from '../../shared/sts';

/** The scope each operation signs with: the narrowest that allows it, never one widened to share a cached credential. */
const ACCESS: Record<SignOperation, Access> = { put: 'upload', post: 'upload', get: 'download', callback: 'upload', delete: 'delete' };

const URL_PLANS: Record<'put' | 'get' | 'delete', (grant: Grant, body: Record<string, unknown>, pin: Pinning) => UrlPlan> = {
  put: putPlan,
  get: (grant, body) => getPlan(grant, body),
  delete: (grant, body) => deletePlan(grant, body),
};

/** Ms /sign may spend getting credentials: its 5 s timeout (s.yaml) less a JWKS fetch (2 s) and half a second. */
export const SIGN_STS_BUDGET_MS = 2500;

/** The caller's own STS credentials, lasting `useSeconds` (the signature's lifetime), through the credential cache. */
async function scopedSigning(req: Request, grant: Grant, useSeconds: number, now: Date): Promise<Signing> {
  const roleArn = req.config.sts.roleArn;
  if (!roleArn) throw new ConfigError('STS_ROLE_ARN', "is required by the sign function: the upload role whose credentials, narrowed to the caller's scope, sign");
  const own = roleCredentials(req.context);
  if (!own) throw new ApiError('NoSigningCredentials', 'the function has no role credentials to call STS with; give it a role with sts:AssumeRole on STS_ROLE_ARN');
  const vended = await vendCredentials(grant, req.config, roleArn, own, { useSeconds, budgetMs: SIGN_STS_BUDGET_MS });
  req.note({ cache: vended.cache, stsCalls: vended.stsCalls });
  return signingAt(bucketTarget(req.config), signingCredentials(vended.credentials), now);
}

function callbackAnswer(grant: Grant, body: Record<string, unknown>, pin: Pinning): SignedCallbackResponse {
  const plan = callbackPlan(grant, body, pin);
  return { key: plan.key, headers: plan.headers, callback: plan.callback?.base64 ?? null, callbackParams: plan.callback?.param ?? null, expiresAt: plan.expiresAt ?? null };
}

async function sign(req: Request): Promise<SignedUrlResponse | SignedFormResponse | SignedCallbackResponse> {
  const { uid } = await authenticate(req.header('authorization'), req.config.auth);
  const body = readJson(req);
  const op = body.op;
  if (typeof op !== 'string' || !Object.hasOwn(ACCESS, op)) throw new ApiError('InvalidOperation', 'op must be "put", "get", "post", "callback" or "delete"');
  const grant = grantFor(uid, ACCESS[op as SignOperation], req.config.rules);
  const now = new Date(Math.floor(Date.now() / 1000) * 1000);
  const pin: Pinning = { keys: req.config.callback.macKeys, now };
  req.note({ op });
  if (op === 'callback') {
    const answer = callbackAnswer(grant, body, pin);
    req.note({ object: answer.key });
    return answer;
  }
  if (op === 'post') {
    const plan = postPlan(grant, body, pin);
    req.note({ object: plan.key });
    const form = signForm(await scopedSigning(req, grant, plan.expiresSeconds, now), plan);
    return { url: form.url, fields: form.fields, key: plan.key, expiresAt: form.expiresAt, maxSize: plan.maxSize };
  }
  const plan = URL_PLANS[op as keyof typeof URL_PLANS](grant, body, pin);
  req.note({ object: plan.key });
  const { url, expiresAt } = presignUrl(await scopedSigning(req, grant, plan.expiresSeconds, now), plan);
  return { method: plan.method, url, headers: plan.headers, key: plan.key, expiresAt };
}

/** The sign function on a configuration of its own (the local runtime's, a test's). */
export function signHandler(config: ConfigSource): FcHandler {
  return httpHandler({ name: 'sign', methods: ['POST'], handle: async (req) => ({ body: await sign(req) }) }, config);
}

/** The deployed function: configured from its environment, read once. */
export const handler = signHandler(configFrom(process.env));
