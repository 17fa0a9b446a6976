/** Where the log audit (inside a test file's sandbox) leaves its final check for the test environment (outside it) to call. */
export const FINAL_AUDIT = Symbol.for('oss-direct-upload.log-audit.final');
