// The callback function: OSS upload callbacks over its HTTP trigger, and the OSS object-created
// event over its OSS trigger. An HTTP trigger event always has rawPath and requestContext, so no
// HTTP request can pass for an OSS event.

import { httpHandler, type FcHandler } from '../../shared/http';
import { isOssTriggerEvent } from '../../shared/upload-event';
import { handleCallback } from './callback-route';
import { handleOssEvent } from './oss-events';

const http = httpHandler({ name: 'callback', methods: ['POST'], cors: false, handle: handleCallback });

function parsed(event: unknown): unknown {
  if (!Buffer.isBuffer(event) && typeof event !== 'string') return event;
  try {
    return JSON.parse(event.toString());
  } catch {
    return event;
  }
}

export const handler: FcHandler = async (event, context = {}) => {
  const value = parsed(event);
  return isOssTriggerEvent(value) ? handleOssEvent(value, context) : http(value, context);
};
