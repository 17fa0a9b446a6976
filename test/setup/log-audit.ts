// The log audit, run with every test file (jest setupFilesAfterEnv): every line logged through
// shared/log is kept, whatever sink a test installs, and a test fails when a line logged since the
// previous check holds a secret: a key secret or security token any local IamStore holds, the
// configured JWT or webhook secret, or anything shaped like a JWT, a webhook secret, an STS token
// or an unredacted signature. Lines logged after the file's last test are checked by the test
// environment (test/setup/audited-environment.ts) once the file's own afterAll hooks are done.

import { FINAL_AUDIT } from './final-audit';
import { findLeaks, recordLine } from './leaks';

type Sink = (line: string) => void;
type LogModule = typeof import('../../shared/log');

jest.mock('../../shared/log', () => {
  const actual = jest.requireActual<LogModule>('../../shared/log');
  const tapped = new WeakSet<Sink>();
  const tap = (sink: Sink): Sink => {
    if (tapped.has(sink)) return sink;
    const through: Sink = (line) => {
      recordLine(line);
      sink(line);
    };
    tapped.add(through);
    return through;
  };
  actual.setLogSink(tap(actual.setLogSink(() => undefined)));
  return { __esModule: true, ...actual, setLogSink: (next: Sink) => actual.setLogSink(tap(next)) };
});

function audit(when: string): void {
  const leaks = findLeaks();
  if (leaks.length > 0) throw new Error(`log audit (${when}): ${leaks.length} line(s) hold a secret:\n${leaks.join('\n')}`);
}

afterEach(() => audit('this test and the hooks before it'));
afterAll(() => audit('after the last test'));
// The file's own afterAll hooks run after this one; test/setup/audited-environment.ts checks what they log.
(globalThis as unknown as Record<symbol, () => string[]>)[FINAL_AUDIT] = () => findLeaks();
