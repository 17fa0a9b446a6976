// URLs signed within one second share x-oss-date, and the signer reuses the encoded query of the
// last URL while its parameters are the same (shared/signer/v4.ts). Each URL must still sign its
// own parameters: one signed with another URL's query would be refused by OSS with
// SignatureDoesNotMatch. The local OSS's check, written apart from the signer, is the judge.

import { type BucketTarget, presignObjectUrl } from '../../shared/signer/presign';
import type { Credentials } from '../../shared/signer/credentials';
import { LOCAL_ENDPOINT, localOssAnswer } from '../helpers/local-oss-check';

const NOW = new Date('2024-05-01T10:00:00Z');
const KEY = { accessKeyId: 'LTAI.second', accessKeySecret: 'second-secret' };
const STS = { ...KEY, securityToken: 'CAIS+second/Token=' };
const LOCAL: BucketTarget = { bucket: 'examplebucket', region: 'cn-hangzhou', endpoint: LOCAL_ENDPOINT, pathStyle: true, version: 'v4' };

interface Signed {
  query: [string, string][];
  credentials: Credentials;
  expires: number;
}

const get = (query: [string, string][], credentials: Credentials = KEY, expires = 60): Signed => ({ query, credentials, expires });

test.each<[string, Signed, Signed]>([
  ['another parameter name with the same value', get([['response-content-type', 'text/plain']]), get([['response-content-language', 'text/plain']])],
  ['another value of the same parameter', get([['response-content-type', 'text/plain']]), get([['response-content-type', 'image/png']])],
  ['another lifetime', get([], KEY, 60), get([], KEY, 120)],
  ['an STS token after a URL signed without one', get([], KEY), get([], STS)],
])('two GET URLs signed in the same second, the second with %s, each carry their own query and are accepted by the local OSS', (_what, first, second) => {
  for (const s of [first, second]) {
    const url = presignObjectUrl(LOCAL, { method: 'GET', key: 'users/alice/a.txt', headers: {}, query: s.query }, s.credentials, NOW, s.expires);
    const carried = new URL(url).searchParams;
    expect(s.query.map(([name]) => [name, carried.get(name)])).toEqual(s.query);
    expect([carried.get('x-oss-expires'), carried.get('x-oss-security-token')]).toEqual([String(s.expires), s.credentials.securityToken ?? null]);
    expect(localOssAnswer('GET', url, {}, s.credentials, 'cn-hangzhou', NOW)).toBe('accepted');
  }
});
