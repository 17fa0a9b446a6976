// V1 signs some query parameters (the sub-resources) and not others. The product signer and the
// local OSS's independent check (local/verify) each keep their own list; both are held here to the
// list OSS documents, so a URL the signer makes for any sub-resource is one OSS accepts, and a
// parameter OSS does not sign is not signed either (OSS would refuse such a URL).
// Sources: the OSS API reference's sub-resource list (help.aliyun.com/document_detail/31951.htm),
// and the parameters the official v2 SDKs' V1 signers add (local/verify/v1.ts names them).

import { v1SignsParameter, v1StringToSign } from '../../local/verify';
import { isSubresource, presignV1, stringToSignV1 } from '../../shared/signer/v1';

const DOCUMENTED = [
  'acl', 'uploads', 'location', 'cors', 'logging', 'website', 'referer', 'lifecycle', 'delete', 'append', 'tagging',
  'objectMeta', 'uploadId', 'partNumber', 'security-token', 'position', 'img', 'style', 'styleName', 'replication',
  'replicationProgress', 'replicationLocation', 'cname', 'bucketInfo', 'comp', 'qos', 'live', 'status', 'vod',
  'startTime', 'endTime', 'symlink', 'response-content-type', 'response-content-language', 'response-expires',
  'response-cache-control', 'response-content-disposition', 'response-content-encoding',
];
const ADDED_BY_V2_SDKS = [
  'stat', 'restore', 'callback', 'callback-var', 'versions', 'versioning', 'versionId', 'sequential',
  'continuation-token', 'regionList', 'cloudboxes', 'resourceGroup',
];
const NOT_SIGNED = ['prefix', 'marker', 'max-keys', 'delimiter', 'encoding-type', 'list-type', 'start-after', 'response-content-foo', 'ACL', 'x-oss', 'oss-process'];

const STS = { accessKeyId: 'STS.id', accessKeySecret: 'secret', securityToken: 'CAIS+token/=' };
const EXPIRES = 1714557900;

describe('a V1 presigned URL with a query parameter', () => {
  test.each([...DOCUMENTED, ...ADDED_BY_V2_SDKS, 'x-oss-process', 'x-oss-traffic-limit'])(
    '?%s is signed, and the signer\'s string to sign is the one the local OSS rebuilds',
    (name) => {
      const req = { method: 'GET', bucket: 'examplebucket', key: 'users/alice/a.png', query: [[name, 'v']] as [string, string][], headers: {} };
      expect([isSubresource(name), v1SignsParameter(name)]).toEqual([true, true]);
      const { stringToSign } = presignV1(req, STS, EXPIRES);
      expect(stringToSign).toContain(`${name}=v`);
      expect(stringToSign).toBe(v1StringToSign({ ...req, query: [...req.query, ['security-token', STS.securityToken]] }, String(EXPIRES)));
    },
  );

  test.each(NOT_SIGNED)('?%s is not signed, by either', (name) => {
    const req = { method: 'GET', bucket: 'examplebucket', key: 'a.png', query: [[name, 'v']] as [string, string][], headers: {} };
    expect([isSubresource(name), v1SignsParameter(name)]).toEqual([false, false]);
    expect(stringToSignV1(req, String(EXPIRES))).toBe(v1StringToSign(req, String(EXPIRES)));
    expect(stringToSignV1(req, String(EXPIRES)).endsWith('/examplebucket/a.png')).toBe(true);
  });
});
