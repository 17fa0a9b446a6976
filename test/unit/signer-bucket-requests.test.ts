// A request for the bucket itself (no object key: GetBucketAcl, ListObjects) names the path
// `/bucket/` in its V4 canonical request, as OSS rebuilds it (oss-protocol.md §2; the official v2
// SDKs sign it so). The local OSS's check, written apart from the signer, is the judge.

import { authorizeV4 } from '../../shared/signer/v4';
import { LOCAL_ENDPOINT, localOssAnswer } from '../helpers/local-oss-check';

const NOW = new Date('2024-05-01T10:00:00Z');
const CREDS = { accessKeyId: 'LTAI.bucket', accessKeySecret: 'bucket-secret' };

test('a V4 Authorization header for the bucket itself (GET ?acl, no key) is accepted by the local OSS', () => {
  const request = { method: 'GET', bucket: 'examplebucket', query: [['acl', '']] as [string, string][], headers: {} };
  const { headers, canonicalRequest } = authorizeV4(request, CREDS, 'cn-hangzhou', NOW);
  expect(canonicalRequest.split('\n')[1]).toBe('/examplebucket/');
  expect(localOssAnswer('GET', `${LOCAL_ENDPOINT}/examplebucket/?acl`, headers, CREDS, 'cn-hangzhou', NOW)).toBe('accepted');
});
