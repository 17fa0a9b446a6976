// POST /callback, called by OSS after an upload: verify that OSS signed it, confirm the upload with
// OSS, check the rules, tell the app, and answer the uploader (through OSS) well inside OSS's 5 s.

import { ApiError } from '../../shared/api/errors';
import type { CallbackAnswer } from '../../shared/api/types';
import { verifyCallback } from '../../shared/callback-auth/verify';
import { ConfigError } from '../../shared/config';
import { roleCredentials } from '../../shared/http/event';
import type { Reply } from '../../shared/http/handler';
import type { Request } from '../../shared/http/request';
import { confirmUpload, type Outcome } from './confirm-upload';
import { deliverEvent } from './deliver';
import { downloadUrl } from './download-url';
import { OssRequestError } from './oss-client';
import { claimFromCallbackBody } from './upload-event';

/**
 * How long the answer waits for the app's webhook. OSS gives the whole callback 5 s and a hanging
 * webhook must not cost the uploader a 203: past this the answer says `delivered: false`, the event
 * is logged whole, and the OSS trigger event (the at-least-once path) delivers it again, same id.
 * Worst case inside the 5 s: a key fetch (1.5 s, only for a key other than the shipped one), the
 * HeadObject (1.5 s), then this wait or, for a violation, a DeleteObject (1.5 s).
 */
export const CALLBACK_WEBHOOK_WAIT_MS = 700;

function credentialsOf(req: Request) {
  const c = roleCredentials(req.context);
  if (!c) throw new ConfigError('context.credentials', 'the callback function needs a role (FC passes its credentials in the context)');
  return c;
}

/** The reported upload, confirmed with OSS and checked; throws ApiError (CallbackBody*, OssUnavailable). */
async function outcomeOf(req: Request, now: Date): Promise<Outcome> {
  try {
    const claim = claimFromCallbackBody(req.body, req.header('content-type'));
    req.note({ object: claim.key, etag: claim.etag });
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
  const outcome = await outcomeOf(req, now);

  if (outcome.kind === 'unconfirmed') {
    req.note({ refused: outcome.code });
    throw new ApiError(outcome.code, outcome.reason);
  }
  if (outcome.kind === 'violation') {
    req.note({ violation: outcome.code, user: outcome.user, action: outcome.action, flagged: outcome.action !== 'deleted' });
    const fate = outcome.action === 'deleted' ? 'the object was deleted' : 'the object is kept and flagged';
    throw new ApiError(outcome.code, `${outcome.reason}; ${fate}`);
  }

  const { event, owner } = outcome;
  const download = downloadUrl(req.config, credentialsOf(req), owner, event.key, now);
  const delivery = await deliverEvent(event, req.config, Math.min(req.config.webhook.timeoutMs, CALLBACK_WEBHOOK_WAIT_MS), 'callback');
  req.note({ eventId: event.id, user: event.user, delivered: delivery.delivered });
  const answer: CallbackAnswer = {
    key: event.key,
    size: event.size,
    etag: event.etag,
    mimeType: event.mimeType,
    user: event.user,
    url: download.url,
    expiresAt: download.expiresAt,
    eventId: event.id,
    delivered: delivery.delivered,
  };
  return { body: answer };
}
