// POST /sign: a presigned PUT or GET URL, or a PostObject form, for one key under the caller's prefix.
// A request that breaks the rules leaves as the policy's PolicyError, which the HTTP layer makes a 400.

import { authenticate } from '../../shared/auth';
import { HttpError, httpHandler, readJson, type Request } from '../../shared/http';
import { type Access, getPlan, grantFor, postPlan, putPlan, rulesFromConfig } from '../../shared/policy';
import { formResponse, type FormResponse, signingFor, urlResponse, type UrlResponse } from './respond';

const ACCESS: Record<string, Access> = { put: 'upload', post: 'upload', get: 'download' };

async function sign(req: Request): Promise<UrlResponse | FormResponse> {
  const { uid } = await authenticate(req);
  const body = readJson(req);
  const op = body.op;
  if (typeof op !== 'string' || !Object.hasOwn(ACCESS, op)) throw new HttpError(400, 'InvalidOperation', 'op must be "put", "get" or "post"');
  const signing = signingFor(req.config, req.context.credentials, new Date());
  const grant = grantFor(uid, ACCESS[op], rulesFromConfig(req.config));
  req.note({ op });
  if (op === 'post') {
    const plan = postPlan(grant, body);
    req.note({ object: plan.key });
    return formResponse(plan, signing);
  }
  const plan = op === 'put' ? putPlan(grant, body) : getPlan(grant, body);
  req.note({ object: plan.key });
  return urlResponse(plan, signing);
}

export const handler = httpHandler({
  name: 'sign',
  methods: ['POST'],
  handle: async (req) => ({ body: await sign(req) }),
});
