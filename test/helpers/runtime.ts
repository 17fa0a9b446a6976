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

/** POST /api/<path> with a JSON body as `user` (signed in through the runtime's development sign-in): status and parsed answer. */
export async function postAs<T>(rt: LocalRuntime, user: string, path: string, body: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${rt.appUrl}/api/${path}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${await rt.login(user)}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as T };
}
