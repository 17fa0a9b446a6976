// The local OSS-compatible endpoint (see server.ts); verifyRequest is exported for direct checks.
export { startLocalOss, type LocalOss } from './server';
export { verifyRequest } from './auth';
export { OssError } from './errors';
export { parseQuery, parsePath, type OssRequest } from './request';
