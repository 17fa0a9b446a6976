// POST /sign: a presigned PUT or GET URL, or a PostObject form, for one key under the caller's prefix,
// signed with the function role's credentials. A request that breaks the rules leaves as the
// policy's ApiError (a 400).

import { ApiError } from '../../shared/api/errors';
import type { Access, SignedFormResponse, SignedUrlResponse, SignOperation } from '../../shared/api/types';
import { authenticate } from '../../shared/auth';
import { type ConfigSource, configFrom } from '../../shared/config';
import { roleCredentials } from '../../shared/http/event';
import { type FcHandler, httpHandler } from '../../shared/http/handler';
import { readJson, type Request } from '../../shared/http/request';
import { postPlan } from '../../shared/policy/post-conditions';
import { grantFor } from '../../shared/policy/rules';
import { getPlan, putPlan } from '../../shared/policy/url-constraints';
import { bucketTarget, presignUrl, signForm, signingAt } from '../../shared/signer/presign';

const ACCESS: Record<SignOperation, Access> = { put: 'upload', post: 'upload', get: 'download' };

async function sign(req: Request): Promise<SignedUrlResponse | SignedFormResponse> {
  const { uid } = await authenticate(req.header('authorization'), req.config.auth);
  const body = readJson(req);
  const op = body.op;
  if (typeof op !== 'string' || !Object.hasOwn(ACCESS, op)) throw new ApiError('InvalidOperation', 'op must be "put", "get" or "post"');
  const credentials = roleCredentials(req.context);
  if (!credentials) {
    throw new ApiError('NoSigningCredentials', 'the function has no role credentials to sign with; give it a role with oss:PutObject and oss:GetObject');
  }
  const signing = signingAt(bucketTarget(req.config), credentials, new Date());
  const grant = grantFor(uid, ACCESS[op as SignOperation], req.config.rules);
  req.note({ op });
  if (op === 'post') {
    const plan = postPlan(grant, body);
    req.note({ object: plan.key });
    const form = signForm(signing, plan);
    return { url: form.url, fields: form.fields, key: plan.key, expiresAt: form.expiresAt, maxSize: plan.maxSize };
  }
  const plan = op === 'put' ? putPlan(grant, body) : getPlan(grant, body);
  req.note({ object: plan.key });
  const { url, expiresAt } = presignUrl(signing, plan);
  return { method: plan.method, url, headers: plan.headers, key: plan.key, expiresAt };
}

/** The sign function on a configuration of its own (the local runtime's, a test's). */
export function signHandler(config: ConfigSource): FcHandler {
  return httpHandler({ name: 'sign', methods: ['POST'], handle: async (req) => ({ body: await sign(req) }) }, config);
}

/** The deployed function: configured from its environment, read once. */
export const handler = signHandler(configFrom(process.env));
