// The log audit's secret finder lives beside the load script, which audits its runtime's log too.
export { findLeaks, noteConfiguredEnv, recordLine } from '../../scripts/log-leaks';
