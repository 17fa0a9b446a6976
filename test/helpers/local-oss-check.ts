// What the local OSS answers a signed request, from its own signature check (local/oss, which checks
// with local/verify, the implementation written apart from shared/signer): the tests of the signer
// ask it whether OSS would take what the signer made, with no server started.

import { IamStore } from '../../local/iam/store';
import { OssError, parsePath, parseQuery, verifyRequest } from '../../local/oss';
import type { Credentials } from '../../shared/signer/credentials';

const ALLOW_ALL = { Version: '1', Statement: [{ Effect: 'Allow' as const, Action: '*', Resource: '*' }] };

/** Where the local OSS is reached in these checks: path-style, so the bucket is the first path segment. */
export const LOCAL_ENDPOINT = 'http://localhost:9000';

/**
 * 'accepted', or the OSS error code (e.g. 'SignatureDoesNotMatch') the local OSS answers `method url`
 * sent with `headers` (any case) at `now`, when `credentials` are known to it. `url` is path-style on
 * LOCAL_ENDPOINT; the Authorization header, if any, is among `headers`.
 */
export function localOssAnswer(method: string, url: string, headers: Record<string, string>, credentials: Credentials, region: string, now: Date): string {
  const iam = new IamStore();
  iam.addKey({ accessKeyId: credentials.accessKeyId, accessKeySecret: credentials.accessKeySecret, securityToken: credentials.securityToken, name: 'signer-test', policies: [ALLOW_ALL] });
  const u = new URL(url);
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  try {
    const auth = verifyRequest({ method, ...parsePath(u.pathname), query: parseQuery(u.search.slice(1)), headers: lower }, { iam, region, now });
    return auth ? 'accepted' : 'anonymous';
  } catch (err) {
    if (err instanceof OssError) return err.code;
    throw err;
  }
}
