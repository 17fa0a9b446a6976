// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- the declaration bundler compiles from client/index.ts alone: this brings the ali-oss typings into its program
/// <reference path="./ali-oss.d.ts" />
// An ali-oss client on STS credentials from a CredentialProvider.

import OSS from 'ali-oss';
import type { Credentials, CredentialProvider } from './credentials';
import { clockSkewedError, errorFromAliOss, type UploadError } from './errors';

/** How object URLs are formed: `<bucket>.<endpoint host>`, `<endpoint>/<bucket>`, or the endpoint is the bucket's domain. */
type Addressing = 'virtual-host' | 'path' | 'cname';

/** OSS's own endpoints take the bucket in the host name; any other host (a local OSS, a proxy) takes it in the path. */
function addressingFor(endpoint: string): Addressing {
  return /(^|\.)aliyuncs\.com$/i.test(new URL(endpoint).hostname) ? 'virtual-host' : 'path';
}

/**
 * An ali-oss client on `creds`, refreshing them from `provider`. Requests are dated on the server's
 * clock when the credentials measured it: ali-oss's browser build corrects the date only after OSS
 * refused one (RequestTimeTooSkewed) and its Node build never does, though both honour
 * `amendTimeSkewed` (ms added to this machine's clock).
 */
export function ossClient(provider: CredentialProvider, creds: Credentials, addressing: Addressing = addressingFor(creds.endpoint)): OSS {
  const client = new OSS({
    endpoint: creds.endpoint,
    bucket: creds.bucket,
    region: `oss-${creds.region}`,
    secure: creds.endpoint.startsWith('https:'),
    sldEnable: addressing === 'path',
    cname: addressing === 'cname',
    authorizationV4: true,
    accessKeyId: creds.AccessKeyId,
    accessKeySecret: creds.AccessKeySecret,
    stsToken: creds.SecurityToken,
    // Interval 0: ali-oss asks before every request. The provider answers from its cache and
    // refreshes once, ahead of expiry, for every part in flight.
    refreshSTSToken: async () => {
      const c = await provider.get();
      return { accessKeyId: c.AccessKeyId, accessKeySecret: c.AccessKeySecret, stsToken: c.SecurityToken };
    },
    refreshSTSTokenInterval: 0,
  });
  // After construction: the browser build's constructor resets it to 0.
  if (creds.clockOffsetMs) client.options.amendTimeSkewed = creds.clockOffsetMs;
  return client;
}

/**
 * What ali-oss threw, as an UploadError. OSS's RequestTimeTooSkewed becomes ClockSkewed with the
 * offset: the one the credentials measured, else OSS's own Date header (a HEAD of the endpoint).
 */
export async function ossFailure(err: unknown, creds: Credentials): Promise<UploadError> {
  const failure = errorFromAliOss(err);
  if (failure.code !== 'ClockSkewed') return failure;
  return clockSkewedError(creds.clockOffsetMs ?? (await offsetFrom(creds.endpoint)), failure.detail);
}

async function offsetFrom(endpoint: string): Promise<number | undefined> {
  try {
    const sent = Date.now();
    const res = await fetch(endpoint, { method: 'HEAD' });
    const date = Date.parse(res.headers.get('date') ?? '');
    return Number.isNaN(date) ? undefined : date - (sent + Date.now()) / 2;
  } catch {
    return undefined;
  }
}
