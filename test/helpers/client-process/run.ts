// Runs test/helpers/client-process/upload.ts in a Node process of its own, with its clock skewed.

import { execFile } from 'node:child_process';
import { join } from 'node:path';

export interface ClientOutcome {
  ok: boolean;
  listed?: boolean;
  intact?: boolean;
  code?: string;
  message?: string;
  clockOffsetMs?: number;
}

/** The upload task (see upload.ts) run with this machine's clock `clockOffsetMs` away from real time. */
export function runSkewedClient(task: Record<string, unknown>, clockOffsetMs: number): Promise<ClientOutcome> {
  const args = ['--require', join(__dirname, 'skewed-clock.cjs'), '--import', 'tsx', join(__dirname, 'upload.ts'), JSON.stringify(task)];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { env: { PATH: process.env.PATH, CLOCK_OFFSET_MS: String(clockOffsetMs) }, timeout: 60_000 }, (err, stdout, stderr) => {
      const line = stdout.trim().split('\n').at(-1) ?? '';
      try {
        resolve(JSON.parse(line) as ClientOutcome);
      } catch {
        reject(new Error(`the client process printed no outcome: ${err?.message ?? ''} ${stderr}`));
      }
    });
  });
}
