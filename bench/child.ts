// Child processes for groups whose servers must not share the bench's event loop (the local
// runtime, the emulated link): the parent forks a script and calls named commands over IPC; the
// child answers them until the parent disconnects.

import { fork } from 'node:child_process';

type Handlers = Record<string, (arg: never) => unknown>;

export interface Child<H extends Handlers> {
  call<K extends keyof H & string>(command: K, ...arg: Parameters<H[K]>): Promise<Awaited<ReturnType<H[K]>>>;
  stop(): void;
}

interface Reply {
  id: number;
  value?: unknown;
  error?: string;
}

/** Fork `script` (TypeScript, through tsx) and wait until it reports ready. */
export async function forkChild<H extends Handlers>(script: string, args: string[] = []): Promise<Child<H>> {
  const child = fork(script, args, { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let next = 0;
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`${script} exited (${code}) before it was ready`)));
  });
  child.on('message', (m: Reply) => {
    const w = waiting.get(m.id);
    waiting.delete(m.id);
    if (m.error !== undefined) w?.reject(new Error(m.error));
    else w?.resolve(m.value);
  });
  child.on('exit', (code) => {
    for (const w of waiting.values()) w.reject(new Error(`${script} exited (${code})`));
    waiting.clear();
  });
  return {
    call(command, ...arg) {
      const id = ++next;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
        child.send({ id, command, arg: arg[0] });
      });
    },
    stop() {
      if (child.connected) child.disconnect();
    },
  };
}

/** In the child: answer the parent's commands; runs `onExit` and exits when the parent disconnects. */
export function answerParent(handlers: Handlers, onExit: () => void = () => {}): void {
  process.on('message', (m: { id: number; command: string; arg: never }) => {
    Promise.resolve()
      .then(() => handlers[m.command](m.arg))
      .then(
        (value) => process.send?.({ id: m.id, value }),
        (err: unknown) => process.send?.({ id: m.id, error: err instanceof Error ? err.message : String(err) }),
      );
  });
  process.on('disconnect', () => {
    onExit();
    process.exit(0);
  });
  process.send?.('ready');
}
