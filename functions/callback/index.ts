// The callback function: OSS upload callbacks over its HTTP trigger, and the OSS object-created
// event over its OSS trigger. An HTTP trigger event always has rawPath and requestContext, so no
// HTTP request can pass for an OSS event.

import { type ConfigSource, configFrom } from '../../shared/config';
import { invocation } from '../../shared/http/event';
import { type FcHandler, httpHandler } from '../../shared/http/handler';
import { handleCallback } from './callback-route';
import { handleOssEvent } from './oss-events';
import { BUNDLED_RULES } from '../../shared/policy/bundled-rules';

/** The callback function on a configuration of its own (the local runtime's, a test's). */
export function callbackHandler(config: ConfigSource): FcHandler {
  const http = httpHandler({ name: 'callback', methods: ['POST'], cors: false, handle: handleCallback }, config);
  return async (event, context = {}) => {
    const payload = invocation(event);
    return 'oss' in payload ? handleOssEvent(payload.oss, context, config) : http(payload.http, context);
  };
}

/** The deployed function: configured from its environment and the rules file it was built with, read once. */
export const handler = callbackHandler(configFrom(process.env, BUNDLED_RULES));
