// FC events and contexts for handler tests: the local runtime's builders, with the context's
// credentials registered with the log audit so a line that carries them fails the test.

import { FIXTURE_ROLE_CREDENTIALS, fcContext as localFcContext } from '../../local/fc-event';
import type { FcContext, FcCredentials } from '../../shared/http/event';
import { registerSecret } from '../setup/leaks';

export { httpEvent } from '../../local/fc-event';
export { FIXTURE_ROLE_CREDENTIALS };

/** The FC context a handler receives, its role credentials (the fixture's by default) known to the log audit. */
export function fcContext(opts: { requestId?: string; credentials?: FcCredentials } = {}): FcContext {
  const credentials = opts.credentials ?? FIXTURE_ROLE_CREDENTIALS;
  registerSecret(credentials.accessKeySecret, credentials.securityToken);
  return localFcContext({ ...opts, credentials });
}
