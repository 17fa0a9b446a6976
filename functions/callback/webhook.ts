// Events to the app, signed the Standard Webhooks way (webhook-id, webhook-timestamp,
// webhook-signature), with a hard time limit: a slow app must not hold up whoever is waiting. Sent
// through the instance's keep-alive pool (shared/outbound).

import { Webhook } from 'standardwebhooks';
import type { WebhookPayload } from '../../shared/api/types';
import { OutboundError, request } from '../../shared/outbound';

export interface WebhookTarget {
  url: string;
  /** `whsec_<Base64>` */
  secret: string;
}

export interface WebhookMessage {
  /** Sent as webhook-id; the same for every delivery of one event, so the app can de-duplicate. */
  id: string;
  type: string;
  data: unknown;
}

export type DeliveryResult =
  | { delivered: true; status: number; ms: number }
  | { delivered: false; reason: 'timeout' | 'unreachable' | 'status'; status?: number; ms: number };

const signers = new Map<string, Webhook>();

function signer(secret: string): Webhook {
  let w = signers.get(secret);
  if (!w) {
    w = new Webhook(secret);
    signers.set(secret, w);
  }
  return w;
}

/** The body and headers of one delivery attempt. */
export function signedWebhook(target: WebhookTarget, msg: WebhookMessage, now: Date): { body: string; headers: Record<string, string> } {
  const payload: WebhookPayload<unknown> = { type: msg.type, timestamp: now.toISOString(), data: msg.data };
  const body = JSON.stringify(payload);
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'webhook-id': msg.id,
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': signer(target.secret).sign(msg.id, now, body),
    },
  };
}

/**
 * One attempt, answered by a 2xx within `timeoutMs`; never throws. Redirects are not followed. The
 * answer's body means nothing to us and is not waited for (the connection is kept for the next
 * delivery when the body ends within the time limit).
 */
export async function deliverWebhook(target: WebhookTarget, msg: WebhookMessage, timeoutMs: number, now = new Date()): Promise<DeliveryResult> {
  const started = performance.now();
  const ms = () => Math.round(performance.now() - started);
  const { body, headers } = signedWebhook(target, msg, now);
  try {
    const res = await request({ method: 'POST', url: target.url, headers, body, timeoutMs, maxBodyBytes: 0 });
    if (res.status >= 200 && res.status < 300) return { delivered: true, status: res.status, ms: ms() };
    return { delivered: false, reason: 'status', status: res.status, ms: ms() };
  } catch (err) {
    return { delivered: false, reason: err instanceof OutboundError && err.reason === 'timeout' ? 'timeout' : 'unreachable', ms: ms() };
  }
}
