// The log audit itself: it sees lines whatever sink a test installs, and it recognises the secrets
// the run produced and the shapes of secrets, without repeating them in its report.

import { IamStore } from '../../local/iam/store';
import { log, setLogSink } from '../../shared/log';
import { findLeaks } from '../setup/leaks';

const store = new IamStore();
const role = { arn: 'acs:ram::1234567890123456:role/audit', trusted: ['root'], policy: { Version: '1', Statement: [] }, maxSessionDuration: 3600 };

test('a secret an IamStore issued, logged through a field the redactor does not know, is reported and masked', () => {
  const restore = setLogSink(() => undefined);
  const session = store.issueSession(role, 'audit', 900);
  log('info', { note: `copied ${session.accessKeySecret} by mistake` });
  setLogSink(restore);
  const leaks = findLeaks();
  expect(leaks).toHaveLength(1);
  expect(leaks[0]).toContain('a held or configured secret');
  expect(leaks[0]).not.toContain(session.accessKeySecret);
});
