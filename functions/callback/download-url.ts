// The short-lived signed GET URL the callback answer gives the uploader, signed with the callback
// function's own role (which may read under the prefix root) and bound by the same rules as /sign.

import type { Config } from '../../shared/config';
import { getPlan, rulesFromConfig, type Grant } from '../../shared/policy';
import { objectUrl, presignV1, presignV4, type Credentials, type QueryPairs } from '../../shared/signer';

export function downloadUrl(config: Config, credentials: Credentials, owner: { user: string; prefix: string }, key: string, now: Date) {
  const grant: Grant = { uid: owner.user, user: owner.user, prefix: owner.prefix, access: 'download', rules: rulesFromConfig(config) };
  const plan = getPlan(grant, { key, expiresIn: Math.min(config.callback.downloadUrlSeconds, config.maxUrlExpiresSeconds) });
  const req = { method: 'GET', bucket: config.bucket, key, query: Object.entries(plan.query) as QueryPairs, headers: plan.headers };
  const query =
    config.signatureVersion === 'v4'
      ? presignV4({ ...req, additionalHeaders: plan.additionalHeaders }, credentials, config.region, now, plan.expiresSeconds).query
      : presignV1(req, credentials, Math.floor(now.getTime() / 1000) + plan.expiresSeconds).query;
  return {
    url: objectUrl({ endpoint: config.endpoint, pathStyle: config.pathStyle }, config.bucket, key, query),
    expiresAt: new Date(now.getTime() + plan.expiresSeconds * 1000).toISOString(),
  };
}
