// The local runtime as tests start it: the same startLocalRuntime, with its generated secrets told to
// the log audit (they are in no environment it could read them from).

import { type LocalRuntime, type RuntimeOptions, startLocalRuntime } from '../../local/runtime';
import { noteConfiguredEnv } from '../setup/leaks';

export async function startTestRuntime(opts: RuntimeOptions = {}): Promise<LocalRuntime> {
  const rt = await startLocalRuntime(opts);
  noteConfiguredEnv(rt.env);
  const reconfigure = rt.reconfigure.bind(rt);
  rt.reconfigure = (changes) => {
    noteConfiguredEnv(changes);
    reconfigure(changes);
  };
  return rt;
}
