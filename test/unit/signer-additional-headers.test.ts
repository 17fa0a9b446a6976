// Headers a V4 signature binds beyond the default ones (Content-Type, Content-MD5, x-oss-*) are
// named in the Authorization header's AdditionalHeaders, separated by ';' (oss-protocol.md §2);
// OSS rebuilds the canonical request from that list. The local OSS's check, written apart from the
// signer, is the judge.

import { authorizeV4 } from '../../shared/signer/v4';
import { LOCAL_ENDPOINT, localOssAnswer } from '../helpers/local-oss-check';

const NOW = new Date('2024-05-01T10:00:00Z');
const CREDS = { accessKeyId: 'LTAI.additional', accessKeySecret: 'additional-secret' };
const URL_PATH = `${LOCAL_ENDPOINT}/examplebucket/users/alice/a.txt`;
const SENT = { 'Content-Length': '5', 'Cache-Control': 'no-cache' };

describe('a V4 Authorization header binding two additional headers', () => {
  const request = { method: 'PUT', bucket: 'examplebucket', key: 'users/alice/a.txt', query: [] as [string, string][], headers: SENT, additionalHeaders: ['Content-Length', 'cache-control'] };

  test('names both, sorted and separated by ";", and is accepted by the local OSS', () => {
    const { headers } = authorizeV4(request, CREDS, 'cn-hangzhou', NOW);
    expect(headers.Authorization).toContain(',AdditionalHeaders=cache-control;content-length,');
    expect(localOssAnswer('PUT', URL_PATH, { ...SENT, ...headers }, CREDS, 'cn-hangzhou', NOW)).toBe('accepted');
  });

  test.each([
    ['Content-Length', '6'],
    ['Cache-Control', 'max-age=60'],
  ])('is refused when %s arrives with another value', (name, value) => {
    const { headers } = authorizeV4(request, CREDS, 'cn-hangzhou', NOW);
    expect(localOssAnswer('PUT', URL_PATH, { ...SENT, [name]: value, ...headers }, CREDS, 'cn-hangzhou', NOW)).toBe('SignatureDoesNotMatch');
  });
});
