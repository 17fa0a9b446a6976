// POST /sign: a presigned PUT, GET or DELETE URL, or a PostObject form, for one key, decided by the
// storage rule that matches the key (the first, in the file's order, that lets the caller do it and
// whose limits the request keeps) and signed with STS credentials narrowed to that rule's pattern for
// the caller and that one action, so OSS itself refuses anything outside it, symlink targets
// included. Or, for an upload the client makes with its own STS credentials, the key and the pinned
// callback. A request that breaks the rules leaves as the policy's ApiError (a 400, or 403 RuleDenied).
// A body with `files` is a batch (./batch.ts): each entry answered by the same path as a single request.

import { ApiError } from '../../shared/api/errors';
import type { RuleAction, SignBatchResponse, SignedCallbackResponse, SignOperation, SignResponse } from '../../shared/api/types';
import { authenticate, guestsOnly, type Identity } from '../../shared/auth';
import { ConfigError, type ConfigSource, configFrom } from '../../shared/config';
import { roleCredentials } from '../../shared/http/event';
import { type FcHandler, httpHandler } from '../../shared/http/handler';
import { readJson, type Request } from '../../shared/http/request';
import type { Pinning } from '../../shared/policy/callback';
import { exactFilename } from '../../shared/policy/filename';
import { type Caller, callerOf, grantsAt } from '../../shared/policy/grants';
import { validateKey } from '../../shared/policy/keys';
import { FILENAME_PLACEHOLDER, postPlan } from '../../shared/policy/post-conditions';
import { type Grant, prefixFor, type Rules } from '../../shared/policy/rules';
import { callbackPlan, deletePlan, getPlan, putPlan, type UrlPlan } from '../../shared/policy/url-constraints';
import { bucketTarget, presignUrl, signForm, type Signing, signingAt } from '../../shared/signer/presign';
import { signingCredentials, vendCredentials } from '../../shared/sts';
import { BUNDLED_RULES } from '../../shared/policy/bundled-rules';
import { isBatch, signBatch } from './batch';

/** The action each operation signs for: its scope is that one action, never one widened to share a cached credential. */
const ACTION: Record<SignOperation, RuleAction> = { put: 'write', post: 'write', get: 'read', callback: 'write', delete: 'delete' };

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

/**
 * What the rules decide on for a request: the key a GET or DELETE names, a client's key, or the folder
 * a key is made in (`path`, the caller's own folder by default, or what precedes a form key's
 * `${filename}`). Checked as keys are (InvalidKey) before any rule is asked; KeyRequired for a GET or
 * DELETE without a key; a write's file name first, as the plans check it first.
 */
function targetOf(op: SignOperation, body: Record<string, unknown>, caller: Caller, rules: Rules): { target: string; folder: boolean } {
  if (op === 'get' || op === 'delete') {
    if (body.key === undefined) throw new ApiError('KeyRequired', `give the key to ${op === 'get' ? 'download' : 'delete'}`);
    return { target: validateKey(body.key), folder: false };
  }
  exactFilename(body.filename);
  if (body.key !== undefined) {
    if (body.path !== undefined) throw new ApiError('InvalidKey', 'give key or path, not both');
    if (op === 'post' && typeof body.key === 'string' && body.key.endsWith(FILENAME_PLACEHOLDER)) {
      const start = body.key.slice(0, -FILENAME_PLACEHOLDER.length);
      validateKey(`${start}f`);
      return { target: start, folder: true };
    }
    return { target: validateKey(body.key), folder: false };
  }
  const folder = body.path ?? (rules.prefixTemplate === '' ? undefined : prefixFor(caller.user, rules.prefixTemplate));
  if (typeof folder !== 'string' || !folder.endsWith('/')) throw new ApiError('InvalidKey', 'path must be the folder to make the key in, ending in "/"');
  validateKey(`${folder}f`);
  return { target: folder, folder: true };
}

/** The first grant whose plan the request keeps; when none does, the first one's refusal. */
function firstPlan<T>(grants: Grant[], plan: (grant: Grant) => T): { grant: Grant; plan: T } {
  let refusal: unknown;
  for (const grant of grants) {
    try {
      return { grant, plan: plan(grant) };
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      refusal ??= err;
    }
  }
  throw refusal;
}

async function sign(req: Request): Promise<SignResponse | SignBatchResponse> {
  const identity = await authenticate(req.header('authorization'), req.config.auth);
  const body = readJson(req);
  if (isBatch(body)) return signBatch(req, body, (fileReq, file) => signFile(fileReq, identity, file));
  return signFile(req, identity, body);
}

/** One file's plan, signed: the single request's whole answer, and each entry's of a batch. Throws ApiError. */
async function signFile(req: Request, identity: Identity, body: Record<string, unknown>): Promise<SignResponse> {
  const op = body.op;
  if (typeof op !== 'string' || !Object.hasOwn(ACTION, op)) throw new ApiError('InvalidOperation', 'op must be "put", "get", "post", "callback" or "delete"');
  const { rules } = req.config;
  const caller = callerOf({ ...identity, guest: guestsOnly(req.config.auth) }, rules);
  const { target, folder } = targetOf(op as SignOperation, body, caller, rules);
  const grants = grantsAt(rules, caller, ACTION[op as SignOperation], target, folder);
  const now = new Date(Math.floor(Date.now() / 1000) * 1000);
  const pin: Pinning = { keys: req.config.callback.macKeys, now };
  req.note({ op });
  if (op === 'callback') {
    const { plan: answer } = firstPlan(grants, (grant) => callbackAnswer(grant, body, pin));
    req.note({ object: answer.key });
    return answer;
  }
  if (op === 'post') {
    const { grant, plan } = firstPlan(grants, (g) => postPlan(g, body, pin));
    req.note({ object: plan.key, rule: grant.rule?.path });
    const form = signForm(await scopedSigning(req, grant, plan.expiresSeconds, now), plan);
    return { url: form.url, fields: form.fields, key: plan.key, expiresAt: form.expiresAt, maxSize: plan.maxSize };
  }
  const { grant, plan } = firstPlan(grants, (g) => URL_PLANS[op as keyof typeof URL_PLANS](g, body, pin));
  req.note({ object: plan.key, rule: grant.rule?.path });
  const { url, expiresAt } = presignUrl(await scopedSigning(req, grant, plan.expiresSeconds, now), plan);
  return { method: plan.method, url, headers: plan.headers, key: plan.key, expiresAt };
}

/** The sign function on a configuration of its own (the local runtime's, a test's). */
export function signHandler(config: ConfigSource): FcHandler {
  return httpHandler({ name: 'sign', methods: ['POST'], handle: async (req) => ({ body: await sign(req) }) }, config);
}

/** The deployed function: configured from its environment and the rules file it was built with, read once. */
export const handler = signHandler(configFrom(process.env, BUNDLED_RULES));
