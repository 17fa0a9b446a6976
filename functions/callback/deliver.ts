// Handing the upload event to the app: the configured webhook, or the structured log when none is.
//
// Each upload reaches the app twice by default, once from the callback and once from the OSS event
// (same webhook-id). With WEBHOOK_SKIP_DUPLICATES the second path does not deliver an id this
// instance has already delivered, or is delivering now and then does deliver: the skip only ever
// follows a 2xx from the app for that id, so every event is still delivered at least once. It is
// this instance's memory only: when the callback and the OSS event run in different instances, both
// deliver (a store shared by instances would be needed to skip those; none is built).

import { UPLOAD_EVENT_TYPE, type UploadEvent } from '../../shared/api/types';
import type { Config } from '../../shared/config';
import { log } from '../../shared/log';
import { uploadEventLogFields } from './upload-event';
import { deliverWebhook, type DeliveryResult } from './webhook';

export type Delivery = DeliveryResult | { delivered: true; via: 'log' } | { delivered: true; via: 'earlier delivery' };

/** Event ids this instance has delivered (oldest first), bounded. */
const delivered = new Set<string>();
const DELIVERED_MAX = 10_000;
/** Deliveries under way, by event id: whether the app took it. */
const underWay = new Map<string, Promise<boolean>>();

function remember(id: string): void {
  if (delivered.size >= DELIVERED_MAX) delivered.delete(delivered.values().next().value as string);
  delivered.add(id);
}

/** Whether `pending` (another path's delivery of the same id) reached the app within `waitMs`; undefined if it is still under way then. */
async function within(pending: Promise<boolean>, waitMs: number): Promise<boolean | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), waitMs)));
  try {
    return await Promise.race([pending, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Never throws; an event the webhook did not take is logged whole, so it is not lost. */
export async function deliverEvent(event: UploadEvent, config: Config, waitMs: number, source: string): Promise<Delivery> {
  const { url, secret, skipDuplicates } = config.webhook;
  if (!url || !secret) {
    log('info', { fn: 'callback', msg: 'upload event', source, upload: uploadEventLogFields(event) });
    return { delivered: true, via: 'log' };
  }
  let wait = waitMs;
  // Looked up and registered without an await in between, so two paths starting together see each other.
  if (skipDuplicates && delivered.has(event.id)) return alreadyDelivered(event, source);
  const pending = skipDuplicates ? underWay.get(event.id) : undefined;
  if (pending) {
    const started = performance.now();
    const took = await within(pending, waitMs);
    if (took) return alreadyDelivered(event, source);
    wait = Math.max(0, waitMs - (performance.now() - started));
    // Still under way past our wait: that delivery goes on (and the OSS event path retries until one succeeds).
    if (took === undefined || wait === 0) return report(event, source, { delivered: false, reason: 'timeout', ms: Math.round(waitMs) });
    if (skipDuplicates && delivered.has(event.id)) return alreadyDelivered(event, source);
  }
  const attempt = deliverWebhook({ url, secret }, { id: event.id, type: UPLOAD_EVENT_TYPE, data: event }, wait);
  if (skipDuplicates && !underWay.has(event.id)) {
    const took = attempt.then((r) => r.delivered);
    underWay.set(event.id, took);
    void took.then((ok) => {
      underWay.delete(event.id);
      if (ok) remember(event.id);
    });
  }
  return report(event, source, await attempt);
}

function alreadyDelivered(event: UploadEvent, source: string): Delivery {
  log('info', { fn: 'callback', msg: 'upload event already delivered by this instance; not sent again', source, eventId: event.id });
  return { delivered: true, via: 'earlier delivery' };
}

function report(event: UploadEvent, source: string, result: DeliveryResult): DeliveryResult {
  if (!result.delivered) {
    log('warn', { fn: 'callback', msg: 'upload event not delivered', source, reason: result.reason, status: result.status, ms: result.ms, upload: uploadEventLogFields(event) });
  }
  return result;
}
