// The local OSS-compatible endpoint (see server.ts); verifyRequest is exported for direct checks.
export { startLocalOss, type LocalOss } from './server';
export type { LocalOssOptions } from './context';
export { verifyRequest, type Authenticated, type AuthKind, type VerifyOptions } from './auth';
export { OssError } from './errors';
export { parseQuery, parsePath, type OssRequest } from './request';
