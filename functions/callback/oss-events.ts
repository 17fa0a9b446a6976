// The at-least-once path: the Function Compute OSS trigger event for the same uploads. It runs the
// same confirmation and checks and delivers the same event (same id) with the full webhook timeout;
// a failed delivery fails the invocation so that Function Compute retries it.

import { randomUUID } from 'node:crypto';
import { ApiError } from '../../shared/api/errors';
import type { ConfigSource } from '../../shared/config';
import { type FcContext, type OssTriggerEvent, roleCredentials } from '../../shared/http/event';
import { errorResponse, type HttpResponse, jsonResponse } from '../../shared/http/response';
import { log } from '../../shared/log';
import { confirmUpload } from './confirm-upload';
import { deliverEvent } from './deliver';
import { type OssEventRecord, recordsFromOssEvent } from './upload-event';

export class DeliveryFailed extends Error {
  override name = 'DeliveryFailed';
}

/**
 * One OSS trigger invocation. Throws (so FC retries the invocation) when OSS cannot be asked or an
 * event was not delivered; a malformed event is answered 400 and not retried.
 */
export async function handleOssEvent(event: OssTriggerEvent, context: FcContext, configSource: ConfigSource): Promise<HttpResponse> {
  const config = configSource();
  const credentials = roleCredentials(context);
  if (!credentials) throw new Error('the callback function needs a role (FC passes its credentials in the context)');
  let records: OssEventRecord[];
  try {
    records = recordsFromOssEvent(event);
  } catch (err) {
    // A malformed event does not improve on retry: log it and let it go.
    if (!(err instanceof ApiError)) throw err;
    log('error', { fn: 'callback', source: 'oss-event', requestId: context.requestId, code: err.code, reason: err.message });
    return errorResponse(err, context.requestId ?? randomUUID()).response;
  }
  const results: Record<string, unknown>[] = [];
  let failed = 0;
  for (const record of records) {
    const fields: Record<string, unknown> = { fn: 'callback', source: 'oss-event', requestId: context.requestId, eventName: record.eventName };
    if (!record.claim) {
      log('info', { ...fields, outcome: 'ignored' });
      results.push({ eventName: record.eventName, outcome: 'ignored' });
      continue;
    }
    // An OSS that cannot be asked throws: the invocation fails and is retried.
    const outcome = await confirmUpload(record.claim, config, credentials, record.time);
    fields.object = record.claim.key;
    if (outcome.kind === 'accepted') {
      const delivery = await deliverEvent(outcome.event, config, config.webhook.timeoutMs, 'oss-event');
      if (!delivery.delivered) failed++;
      log(delivery.delivered ? 'info' : 'warn', { ...fields, outcome: outcome.kind, eventId: outcome.event.id, delivered: delivery.delivered });
      results.push({ outcome: outcome.kind, eventId: outcome.event.id, delivered: delivery.delivered });
    } else {
      const flagged = outcome.kind === 'violation' && outcome.action !== 'deleted';
      const violation = outcome.kind === 'violation' ? { violation: outcome.code, user: outcome.user, action: outcome.action, flagged } : {};
      log('warn', { ...fields, outcome: outcome.kind, code: outcome.code, reason: outcome.reason, ...violation });
      results.push({ outcome: outcome.kind, code: outcome.code });
    }
  }
  if (failed > 0) throw new DeliveryFailed(`${failed} upload event(s) not delivered; Function Compute retries the invocation`);
  return jsonResponse(200, { results });
}
