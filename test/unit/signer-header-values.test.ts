// OSS reads a header's value without its leading and trailing blanks (HTTP drops them on the wire)
// and signs it so (oss-protocol.md §2): a signer that signed the blanks would make URLs and
// Authorization headers OSS refuses with SignatureDoesNotMatch. The local OSS's check, written
// apart from the signer, is the judge.

import { type BucketTarget, presignObjectUrl } from '../../shared/signer/presign';
import { authorizeV4 } from '../../shared/signer/v4';
import { LOCAL_ENDPOINT, localOssAnswer } from '../helpers/local-oss-check';

const NOW = new Date('2024-05-01T10:00:00Z');
const CREDS = { accessKeyId: 'LTAI.values', accessKeySecret: 'values-secret' };
const LOCAL: BucketTarget = { bucket: 'examplebucket', region: 'cn-hangzhou', endpoint: LOCAL_ENDPOINT, pathStyle: true, version: 'v4' };
const SPACED = { 'Content-Type': ' text/plain ', 'x-oss-meta-note': '  spaced  ', 'Content-Length': ' 5' };
const AS_SENT = { 'Content-Type': 'text/plain', 'x-oss-meta-note': 'spaced', 'Content-Length': '5' };

test('a V4 URL signed with blanks around header values is accepted with the values as sent', () => {
  const url = presignObjectUrl(LOCAL, { method: 'PUT', key: 'users/alice/a.txt', headers: SPACED, query: [], additionalHeaders: ['content-length'] }, CREDS, NOW, 60);
  expect(localOssAnswer('PUT', url, AS_SENT, CREDS, 'cn-hangzhou', NOW)).toBe('accepted');
});

test('a V4 Authorization header signed with blanks around header values is accepted with the values as sent', () => {
  const request = { method: 'PUT', bucket: 'examplebucket', key: 'users/alice/a.txt', query: [] as [string, string][], headers: SPACED };
  const { headers } = authorizeV4(request, CREDS, 'cn-hangzhou', NOW);
  expect(localOssAnswer('PUT', `${LOCAL_ENDPOINT}/examplebucket/users/alice/a.txt`, { ...AS_SENT, ...headers }, CREDS, 'cn-hangzhou', NOW)).toBe('accepted');
});
