// V1 presigned URLs: their parameters in name order, as the official v2 SDKs write them (vector
// V1-Q2-STS), and a request V1 cannot sign faithfully refused with a message naming every header
// it would have left unbound.

import { type BucketTarget, presignObjectUrl } from '../../shared/signer/presign';
import { UnsignableRequest } from '../../shared/signer/signature-version';
import { objectUrl } from '../../shared/signer/url';
import { presignV1 } from '../../shared/signer/v1';
import { signatureVectors } from '../helpers/vectors';

const V1_TARGET: BucketTarget = { bucket: 'examplebucket', region: 'cn-hangzhou', endpoint: 'https://oss-cn-hangzhou.aliyuncs.com', pathStyle: false, version: 'v1' };

test('a V1 URL lists its parameters in name order, as the v2 SDKs\' URL in V1-Q2-STS', () => {
  const v = signatureVectors.find((s) => s.id === 'V1-Q2-STS')!;
  const { query } = presignV1(v.request, { accessKeyId: v.accessKeyId, accessKeySecret: v.accessKeySecret, securityToken: v.securityToken ?? undefined }, v.request.expires!);
  const url = objectUrl({ endpoint: 'http://oss-cn-hangzhou.aliyuncs.com', pathStyle: false }, v.request.bucket, v.request.key, query);
  expect([...new URL(url).searchParams.keys()]).toEqual([...new URL(v.expected.url).searchParams.keys()]);
});

test('a V1 URL that must bind two headers is refused, naming both', () => {
  const request = { method: 'PUT', key: 'a.txt', headers: {}, query: [] as [string, string][], additionalHeaders: ['content-length', 'cache-control'] };
  expect(() => presignObjectUrl(V1_TARGET, request, { accessKeyId: 'LTAI.v1', accessKeySecret: 'v1-secret' }, new Date('2024-05-01T10:00:00Z'), 60)).toThrow(
    new UnsignableRequest('V1 signatures cannot bind content-length, cache-control'),
  );
});
