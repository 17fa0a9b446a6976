// An ali-oss client on STS credentials from a CredentialProvider.

import OSS from 'ali-oss';
import type { Credentials, CredentialProvider } from './credentials';

/** How object URLs are formed: `<bucket>.<endpoint host>`, `<endpoint>/<bucket>`, or the endpoint is the bucket's domain. */
export type Addressing = 'virtual-host' | 'path' | 'cname';

/** OSS's own endpoints take the bucket in the host name; any other host (a local OSS, a proxy) takes it in the path. */
export function addressingFor(endpoint: string): Addressing {
  return /(^|\.)aliyuncs\.com$/i.test(new URL(endpoint).hostname) ? 'virtual-host' : 'path';
}

export function ossClient(provider: CredentialProvider, creds: Credentials, addressing: Addressing = addressingFor(creds.endpoint)): OSS {
  return new OSS({
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
}
