// The log audit's secret finder lives beside the load script, which audits its runtime's log too.
export { findLeaks, forgetSecret, noteConfiguredEnv, recordLine, registerSecret } from '../../scripts/log-leaks';
