// ali-oss on a user's own STS credentials, as /token of the local runtime hands them out: what an app
// holding upload credentials (multipart in a browser, the mobile SDKs) can do with them.

import type { LocalRuntime } from '../../local/runtime';
import { postAs } from './runtime';

/** What an ali-oss call resolves to: the HTTP answer and, for XML answers, the parsed body. */
export interface AliOssResult {
  res: { status: number; headers: Record<string, string> };
  data?: unknown;
}

/**
 * An ali-oss client (V4, path-style to the local OSS, no retries) on `user`'s credentials for `access`
 * (`readwrite` by default), typed as the caller's own view `T` of the methods it uses.
 */
export async function stsAliOss<T>(rt: LocalRuntime, user: string, bucket: string, access = 'readwrite'): Promise<T> {
  const { body: c } = await postAs<{ AccessKeyId: string; AccessKeySecret: string; SecurityToken: string }>(rt, user, 'token', { access });
  const OSS = require('ali-oss') as new (options: Record<string, unknown>) => T;
  return new OSS({ endpoint: rt.ossUrl, sldEnable: true, bucket, region: 'oss-cn-hangzhou', accessKeyId: c.AccessKeyId, accessKeySecret: c.AccessKeySecret, stsToken: c.SecurityToken, authorizationV4: true, retryMax: 0 });
}
