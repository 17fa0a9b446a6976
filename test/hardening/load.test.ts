// The load mix of `npm run load` (scripts/load.ts), smaller: concurrent token, sign and forged
// callback requests against the local runtime all get their own status, with no error or timeout.
// The full run (10,000 requests at 64 connections, with the runtime's memory) is `npm run load`.

import type { LocalRuntime } from '../../local/runtime';
import { startTestRuntime } from '../helpers/runtime';
import { setLogSink } from '../../shared/log';
import { requestMix, runMix, type Target } from '../../scripts/load';

let rt: LocalRuntime;
let target: Target;
let restoreSink: (line: string) => void;

beforeAll(async () => {
  restoreSink = setLogSink(() => undefined);
  rt = await startTestRuntime();
  const user = 'load-alice';
  target = { url: rt.appUrl.replace('localhost', '127.0.0.1'), jwt: await rt.login(user), user };
});

afterAll(async () => {
  await rt?.stop();
  setLogSink(restoreSink);
});

test('600 mixed requests over 16 connections: every one answered with its kind\'s status, no error, no timeout', async () => {
  const r = await runMix(target, 600, 16);
  expect({ unexpected: r.unexpected, errors: r.errors, timeouts: r.timeouts }).toEqual({ unexpected: 0, errors: 0, timeouts: 0 });
  const answered = Object.fromEntries(requestMix(target).map((k) => [k.name, Object.keys(r.statuses[k.name] ?? {}).map(Number)]));
  expect(answered).toEqual(Object.fromEntries(requestMix(target).map((k) => [k.name, [k.expected]])));
}, 60_000);
