// A child process's log: JSON lines on its stdout, parsed as they arrive and each passed through the
// log audit (test/setup/leaks.ts), as the functions' log lines reach Function Compute's log.

import type { Readable } from 'node:stream';
import { recordLine } from '../setup/leaks';

/**
 * The JSON lines `stream` carries, parsed into `log` as each line completes. `flush()` audits a last
 * line the child left unterminated (call it once the child has exited).
 */
export function collectJsonLog(stream: Readable): { log: Record<string, unknown>[]; flush(): void } {
  const log: Record<string, unknown>[] = [];
  let partial = '';
  stream.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop()!;
    for (const line of lines) {
      if (!line.trim()) continue;
      recordLine(line);
      log.push(JSON.parse(line) as Record<string, unknown>);
    }
  });
  return {
    log,
    flush: () => {
      if (partial.trim()) recordLine(partial);
    },
  };
}
