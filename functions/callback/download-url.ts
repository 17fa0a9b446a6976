// The short-lived signed GET URL the callback answer gives the uploader, signed with the callback
// function's own role (which may read under the prefix root) and bound by the same rules, and the
// same credential margin, as /sign.

import type { Credentials } from '../../shared/signer/credentials';
import type { Config } from '../../shared/config';
import type { Grant } from '../../shared/policy/rules';
import { getPlan } from '../../shared/policy/url-constraints';
import { bucketTarget, presignUrl, signingAt } from '../../shared/signer/presign';

/** A presigned GET of `key` for its owner; throws ApiError SigningCredentialsExpiring as /sign does. */
export function downloadUrl(config: Config, credentials: Credentials, owner: { user: string; prefix: string }, key: string, at: Date): { url: string; expiresAt: string } {
  const grant: Grant = { uid: owner.user, user: owner.user, prefix: owner.prefix, access: 'download', rules: config.rules };
  const plan = getPlan(grant, { key, expiresIn: Math.min(config.callback.downloadUrlSeconds, config.rules.maxUrlExpiresSeconds) });
  return presignUrl(signingAt(bucketTarget(config), credentials, at), plan);
}
