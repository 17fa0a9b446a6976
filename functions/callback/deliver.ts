// Handing the upload event to the app: the configured webhook, or the structured log when none is.

import { UPLOAD_EVENT_TYPE, type UploadEvent } from '../../shared/api/types';
import type { Config } from '../../shared/config';
import { log } from '../../shared/log';
import { uploadEventLogFields } from './upload-event';
import { deliverWebhook, type DeliveryResult } from './webhook';

export type Delivery = DeliveryResult | { delivered: true; via: 'log' };

/** Never throws; an event the webhook did not take is logged whole, so it is not lost. */
export async function deliverEvent(event: UploadEvent, config: Config, waitMs: number, source: string): Promise<Delivery> {
  const { url, secret } = config.webhook;
  if (!url || !secret) {
    log('info', { fn: 'callback', msg: 'upload event', source, upload: uploadEventLogFields(event) });
    return { delivered: true, via: 'log' };
  }
  const result = await deliverWebhook({ url, secret }, { id: event.id, type: UPLOAD_EVENT_TYPE, data: event }, waitMs);
  if (!result.delivered) {
    log('warn', { fn: 'callback', msg: 'upload event not delivered', source, reason: result.reason, status: result.status, upload: uploadEventLogFields(event) });
  }
  return result;
}
