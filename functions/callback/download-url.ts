// The short-lived signed GET URL the callback answer gives the uploader, signed with the callback
// function's own role (which may read under the prefix root) and bound by the same rules as /sign.

import type { Config } from '../../shared/config';
import { getPlan, rulesFromConfig, type Grant } from '../../shared/policy';
import { credentialSecondsLeft, presignObjectUrl, type Credentials, type QueryPairs } from '../../shared/signer';

export function downloadUrl(config: Config, credentials: Credentials, owner: { user: string; prefix: string }, key: string, at: Date) {
  // V4 timestamps carry whole seconds; sign at a whole second so expiresAt is exact.
  const now = new Date(Math.floor(at.getTime() / 1000) * 1000);
  const grant: Grant = { uid: owner.user, user: owner.user, prefix: owner.prefix, access: 'download', rules: rulesFromConfig(config) };
  const plan = getPlan(grant, { key, expiresIn: Math.min(config.callback.downloadUrlSeconds, config.maxUrlExpiresSeconds) });
  // A URL cannot outlive the credentials that signed it.
  const expires = Math.max(1, Math.min(plan.expiresSeconds, credentialSecondsLeft(credentials, now)));
  const target = { bucket: config.bucket, region: config.region, endpoint: config.endpoint, pathStyle: config.pathStyle, version: config.signatureVersion };
  const request = { method: plan.method, key, headers: plan.headers, query: Object.entries(plan.query) as QueryPairs, additionalHeaders: plan.additionalHeaders };
  return {
    url: presignObjectUrl(target, request, credentials, now, expires),
    expiresAt: new Date(now.getTime() + expires * 1000).toISOString(),
  };
}
