// POST /callback, called by OSS after an upload: verify that OSS signed it and that the sign function
// pinned it for this object, confirm the upload with OSS, check the rules, tell the app, and answer
// the uploader (through OSS) well inside OSS's 5 s.

import { ApiError, type ApiErrorCode } from '../../shared/api/errors';
import type { CallbackAnswer } from '../../shared/api/types';
import { verifyCallbackMac } from '../../shared/callback-auth/mac';
import { verifyCallback } from '../../shared/callback-auth/verify';
import { ConfigError } from '../../shared/config';
import { roleCredentials } from '../../shared/http/event';
import type { Reply } from '../../shared/http/handler';
import type { Request } from '../../shared/http/request';
import { ownerOnlyWrites, writeRulesOf } from '../../shared/policy/grants';
import { confirmUpload, type Outcome } from './confirm-upload';
import { deliverEvent } from './deliver';
import { downloadSigner } from './download-url';
import { OssRequestError } from './oss-client';
import { type CallbackClaim, claimFromCallbackBody } from './upload-event';

/**
 * How long the answer waits for the app's webhook. OSS gives the whole callback 5 s and a hanging
 * webhook must not cost the uploader a 203: past this the answer says `delivered: false`, the event
 * is logged whole, and the OSS trigger event (the at-least-once path) delivers it again, same id.
 * Worst case inside the 5 s: a key fetch (1.5 s, only for a key other than the shipped one), the
 * HeadObject (1.5 s, with the STS call for the download URL beside it), then this wait or, for a
 * violation, a DeleteObject (1.5 s).
 */
export const CALLBACK_WEBHOOK_WAIT_MS = 700;

const MAC_REFUSALS: Record<'missing' | 'invalid' | 'expired', { code: ApiErrorCode; message: string }> = {
  missing: { code: 'CallbackMacMissing', message: 'the callback carries no MAC: it was not pinned by the sign function' },
  invalid: { code: 'CallbackMacInvalid', message: 'the callback MAC does not verify for this bucket, object and owner' },
  expired: { code: 'CallbackMacExpired', message: 'the callback MAC has expired' },
};

function credentialsOf(req: Request) {
  const c = roleCredentials(req.context);
  if (!c) throw new ConfigError('context.credentials', 'the callback function needs a role (FC passes its credentials in the context)');
  return c;
}

/**
 * The owner the MAC vouches for and the digest of the file name it binds (of x-oss-meta-filename,
 * when the upload was signed with one); throws ApiError CallbackMac* for a callback the sign function
 * did not pin for this bucket, object and owner. A genuine callback can be relayed: with STS
 * credentials a client writes the whole body, naming any object. Under a rule only its owner may
 * write, the owner must be the key's `{uid}`; under one others may write too, or whose path has no
 * `{uid}` (a team folder), the MAC, which binds the exact key, is what vouches.
 */
function pinnedOwner(req: Request, claim: CallbackClaim, now: Date): { user: string; filenameSha256?: string } {
  const keys = req.config.callback.macKeys;
  if (!keys) throw new ConfigError('CALLBACK_MAC_KEY', 'is required by the callback function: the key the sign function MACs its callbacks with');
  const verdict = verifyCallbackMac(keys, { bucket: claim.bucket, object: claim.key }, claim.pinned, now);
  const [under] = writeRulesOf(req.config.rules, claim.key);
  const ownerMismatch = !under || (ownerOnlyWrites(under.rule) && under.user !== '' && (!verdict.ok || under.user !== verdict.owner));
  const refusal = !verdict.ok ? MAC_REFUSALS[verdict.reason] : ownerMismatch ? MAC_REFUSALS.invalid : undefined;
  if (refusal || !verdict.ok) {
    req.note({ refused: refusal?.code });
    throw new ApiError(refusal?.code ?? 'CallbackMacInvalid', refusal?.message ?? MAC_REFUSALS.invalid.message);
  }
  return { user: verdict.owner, filenameSha256: verdict.filenameSha256 };
}

/** The reported upload, confirmed with OSS and checked; throws ApiError (OssUnavailable). */
async function outcomeOf(req: Request, claim: CallbackClaim, now: Date): Promise<Outcome> {
  try {
    return await confirmUpload(claim, req.config, credentialsOf(req), now);
  } catch (err) {
    if (err instanceof OssRequestError) {
      req.note({ oss: err.message });
      throw new ApiError('OssUnavailable', 'the upload could not be confirmed with OSS; the OSS event will report it');
    }
    throw err;
  }
}

/** POST /callback; every refusal is an ApiError, which OSS turns into 203 CallbackFailed for the uploader. */
export async function handleCallback(req: Request): Promise<Reply> {
  // FC passes only the parsed query, not the raw one the signature covers; refuse rather than guess.
  if (Object.keys(req.query).length > 0) {
    throw new ApiError('CallbackQueryNotSupported', 'the callback URL must not have a query string');
  }
  await verifyCallback(
    { path: req.path, body: req.body, authorization: req.header('authorization'), pubKeyUrl: req.header('x-oss-pub-key-url') },
    { trustedKeys: req.config.callback.trustedKeys },
  );
  const now = new Date();
  const claim = claimFromCallbackBody(req.body, req.header('content-type'));
  req.note({ object: claim.key, etag: claim.etag });
  const owner = pinnedOwner(req, claim, now);

  // Asked beside the HeadObject: a miss costs an AssumeRole, and both must fit OSS's 5 s. Never rejects.
  const download = downloadSigner(req.config, credentialsOf(req), owner, claim.key, now);
  let outcome: Outcome;
  try {
    outcome = await outcomeOf(req, { ...claim, signedFilenameSha256: owner.filenameSha256, signedOwner: owner.user }, now);
  } finally {
    // Nothing is left running once the answer is sent.
    await download;
  }

  if (outcome.kind === 'unconfirmed') {
    req.note({ refused: outcome.code });
    throw new ApiError(outcome.code, outcome.reason);
  }
  if (outcome.kind === 'violation') {
    req.note({ violation: outcome.code, user: outcome.user, action: outcome.action, flagged: outcome.action !== 'deleted' });
    const fate = outcome.action === 'deleted' ? 'the object was deleted' : 'the object is kept and flagged';
    throw new ApiError(outcome.code, `${outcome.reason}; ${fate}`);
  }

  const { event } = outcome;
  const url = (await download)(event.filename);
  if (url.url === null) req.note(url.detail === undefined ? { downloadUrl: url.failure } : { downloadUrl: url.failure, detail: url.detail });
  const delivery = await deliverEvent(event, req.config, Math.min(req.config.webhook.timeoutMs, CALLBACK_WEBHOOK_WAIT_MS), 'callback');
  req.note({ eventId: event.id, user: event.user, delivered: delivery.delivered });
  const answer: CallbackAnswer = {
    key: event.key,
    filename: event.filename,
    size: event.size,
    etag: event.etag,
    crc64: outcome.crc64 ?? null,
    mimeType: event.mimeType,
    user: event.user,
    url: url.url,
    expiresAt: url.expiresAt,
    eventId: event.id,
    delivered: delivery.delivered,
  };
  return { body: answer };
}
