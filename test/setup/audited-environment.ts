// The Node test environment with one more log audit, after everything in a test file has run: lines
// logged in the file's own afterAll hooks (which run after the audit's), or by work still finishing
// when they end, are checked too. A leak found here fails the file ("Test suite failed to run").

import NodeEnvironment from 'jest-environment-node';
import { FINAL_AUDIT } from './final-audit';

export default class AuditedEnvironment extends NodeEnvironment {
  override async teardown(): Promise<void> {
    const finalAudit = (this.global as unknown as Record<symbol, (() => string[]) | undefined>)[FINAL_AUDIT];
    // Work a test started may still log on the next turns of the event loop.
    await new Promise((resolve) => setImmediate(resolve));
    const leaks = finalAudit?.() ?? [];
    await super.teardown();
    if (leaks.length > 0) throw new Error(`log audit (after the file's last hook): ${leaks.length} line(s) hold a secret:\n${leaks.join('\n')}`);
  }
}
