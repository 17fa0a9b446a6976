// POST /token {"access"} (or GET /token?access=, for mobile SDK credential providers): STS
// credentials that reach only the caller's own prefix, in the shape the OSS mobile SDKs read.

import { authenticate } from '../../shared/auth';
import { ConfigError } from '../../shared/config';
import { HttpError, httpHandler, readJson, type Request } from '../../shared/http';
import { type Access, type Grant, grantFor, rulesFromConfig } from '../../shared/policy';
import { StsError, vendCredentials } from '../../shared/sts';

export { stsCallCount } from '../../shared/sts';

function grantOf(req: Request, uid: string): Grant {
  const access = req.method === 'GET' ? req.query.access : readJson(req).access;
  return grantFor(uid, access as Access, rulesFromConfig(req.config));
}

export const handler = httpHandler({
  name: 'token',
  methods: ['POST', 'GET'],
  async handle(req) {
    const roleArn = req.config.sts.roleArn;
    if (!roleArn) throw new ConfigError('STS_ROLE_ARN', 'is required by the token function: the ARN of the role whose credentials it hands out');
    const { uid } = await authenticate(req);
    const grant = grantOf(req, uid);
    req.note({ user: grant.user, access: grant.access });
    const own = req.context.credentials;
    if (!own) throw new HttpError(500, 'FunctionRoleMissing', 'the token function has no role credentials: give it a role in s.yaml');
    let vended;
    try {
      vended = await vendCredentials(grant, req.config, roleArn, own);
    } catch (err) {
      if (err instanceof StsError) req.note(err.log);
      throw err;
    }
    req.note({ cache: vended.cache, stsCalls: vended.stsCalls });
    const { rules } = grant;
    return {
      body: {
        StatusCode: 200,
        ...vended.credentials,
        bucket: rules.bucket,
        region: rules.region,
        endpoint: req.config.endpoint,
        prefix: grant.prefix,
      },
    };
  },
});
