// The STS API version the functions call (through @alicloud/pop-core, which also signs the calls)
// and the local STS answers. The POP signature itself is checked in local/verify/pop.ts.

/** The STS API version both sides speak. */
export const STS_API_VERSION = '2015-04-01';
