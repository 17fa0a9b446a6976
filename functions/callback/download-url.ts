// The short-lived signed GET URL the callback answer gives the uploader, signed as /sign signs: with
// STS credentials narrowed to what the rules let the owner read there, through the same credential cache, so
// OSS refuses it for anything outside that scope (a symlink to another user's object included). The
// call to STS gets one attempt and a short timeout inside OSS's 5 s: without an answer in time the
// callback answers with no URL, never with a 5xx. The credentials are asked for beside the
// HeadObject; the URL is signed after it, as an attachment under the file name the HeadObject found.

import type { ApiErrorCode } from '../../shared/api/errors';
import { ApiError } from '../../shared/api/errors';
import { type Config, ConfigError } from '../../shared/config';
import { guestsOnly } from '../../shared/auth';
import { callerOf, grantsAt } from '../../shared/policy/grants';
import { getPlan } from '../../shared/policy/url-constraints';
import type { Credentials } from '../../shared/signer/credentials';
import { bucketTarget, presignUrl, signingAt } from '../../shared/signer/presign';
import { signingCredentials, vendCredentials } from '../../shared/sts';

/**
 * The longest the callback waits for STS, in ms: a cache miss costs one AssumeRole. Worst case inside
 * OSS's 5 s: a key fetch (1.5 s), then HeadObject (1.5 s) with this call beside it, then the webhook
 * wait (0.7 s) or a DeleteObject (1.5 s).
 */
export const CALLBACK_STS_TIMEOUT_MS = 1000;

/** A signed URL, or none and why: `failure` is a catalogue code, `detail` the variable and what it lacks for a ConfigError (as a 500 Misconfigured logs it). */
export type DownloadUrl = { url: string; expiresAt: string } | { url: null; expiresAt: null; failure: ApiErrorCode; detail?: string };

/** Signs the download once the file name is known; never throws. */
export type DownloadSigner = (filename: string) => DownloadUrl;

function failed(err: unknown): DownloadUrl {
  if (err instanceof ConfigError) return { url: null, expiresAt: null, failure: 'Misconfigured', detail: err.message };
  return { url: null, expiresAt: null, failure: err instanceof ApiError ? err.code : 'InternalError' };
}

/**
 * The signer of a presigned GET of `key` for its owner, made once the owner's download credentials
 * are in hand; when they are not (an outage, a misconfiguration), a signer that answers no URL and
 * why. Never rejects.
 */
export async function downloadSigner(config: Config, own: Credentials, owner: { user: string }, key: string, at: Date): Promise<DownloadSigner> {
  try {
    const roleArn = config.sts.roleArn;
    if (!roleArn) throw new ConfigError('STS_ROLE_ARN', 'is required by the callback function to sign download URLs');
    // The owner is known by its key segment only (the MAC names it): its claims are not, so a path only
    // claims open (a team folder) gives it no download URL here.
    const caller = callerOf({ uid: owner.user, guest: guestsOnly(config.auth) }, config.rules, owner.user);
    const [grant] = grantsAt(config.rules, caller, 'read', key);
    const expiresIn = Math.min(config.callback.downloadUrlSeconds, config.rules.maxUrlExpiresSeconds);
    const useSeconds = getPlan(grant, { key, expiresIn }).expiresSeconds;
    const timeoutMs = Math.min(config.sts.timeoutMs, CALLBACK_STS_TIMEOUT_MS);
    const vended = await vendCredentials(grant, config, roleArn, own, { useSeconds, attempts: 1, timeoutMs, budgetMs: timeoutMs });
    const signing = signingAt(bucketTarget(config), signingCredentials(vended.credentials), at);
    return (filename) => {
      try {
        return presignUrl(signing, getPlan(grant, { key, filename, expiresIn }));
      } catch (err) {
        return failed(err);
      }
    };
  } catch (err) {
    return () => failed(err);
  }
}
