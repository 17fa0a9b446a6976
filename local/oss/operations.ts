// Which OSS operation a request names, and the handler that serves it. Anything else is answered
// 501 NotImplemented (an operation OSS has and this endpoint does not offer) or 405, so a client
// learns the boundary instead of getting a wrong success. README "What the local OSS serves" lists
// the same operations; a test holds the two together.

import { isSubresource } from '../../shared/signer';
import { getObjectAcl, putObjectAcl } from './acl';
import { appendObject } from './append';
import type { Ctx } from './context';
import { copyObject, uploadPartCopy } from './copy';
import { notServed, OssError } from './errors';
import { listObjects } from './list';
import { listMultipartUploads } from './list-uploads';
import { abortMultipartUpload, completeMultipartUpload, initiateMultipartUpload, listParts, uploadPart } from './multipart';
import { deleteObject, getObject, getObjectMeta, headObject, putObject } from './objects';
import { hasQuery, type OssRequest } from './request';
import { getSymlink, putSymlink } from './symlink';

/** The operations served, by OSS's names, behind the request signature check (PostObject has its own, see post-object.ts). */
export const HANDLERS = {
  PutObject: putObject,
  GetObject: getObject,
  HeadObject: headObject,
  GetObjectMeta: getObjectMeta,
  DeleteObject: deleteObject,
  CopyObject: copyObject,
  AppendObject: appendObject,
  PutSymlink: putSymlink,
  GetSymlink: getSymlink,
  PutObjectAcl: putObjectAcl,
  GetObjectAcl: getObjectAcl,
  ListObjects: listObjects,
  InitiateMultipartUpload: initiateMultipartUpload,
  UploadPart: uploadPart,
  UploadPartCopy: uploadPartCopy,
  CompleteMultipartUpload: completeMultipartUpload,
  AbortMultipartUpload: abortMultipartUpload,
  ListParts: listParts,
  ListMultipartUploads: listMultipartUploads,
} satisfies Record<string, (ctx: Ctx) => void | Promise<void>>;

export type OperationName = keyof typeof HANDLERS;

// The signature's own parameters, and the response-* overrides: they name no operation.
const SIGNATURE_AND_OVERRIDES = [
  'security-token', 'response-content-type', 'response-content-language', 'response-expires', 'response-cache-control',
  'response-content-disposition', 'response-content-encoding', 'x-oss-signature-version', 'x-oss-credential',
  'x-oss-date', 'x-oss-expires', 'x-oss-signature', 'x-oss-security-token', 'x-oss-additional-headers',
];
// Sub-resources of the operations served on a bucket and on an object; any other one names an
// operation this endpoint does not offer there (tagging, x-oss-process, bucket ?acl or ?cors…).
const BUCKET_SUBRESOURCES = new Set([...SIGNATURE_AND_OVERRIDES, 'uploads', 'continuation-token']);
const OBJECT_SUBRESOURCES = new Set([
  ...SIGNATURE_AND_OVERRIDES, 'objectMeta', 'uploads', 'uploadId', 'partNumber', 'callback', 'callback-var', 'acl', 'symlink', 'append', 'position',
]);

const methodNotAllowed = () => new OssError(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.');

/** The object operation a sub-resource names, by method (`?acl`, `?symlink`, `?objectMeta`). */
const BY_SUBRESOURCE: Record<string, Partial<Record<string, OperationName>>> = {
  acl: { PUT: 'PutObjectAcl', GET: 'GetObjectAcl' },
  symlink: { PUT: 'PutSymlink', GET: 'GetSymlink' },
  objectMeta: { HEAD: 'GetObjectMeta', GET: 'GetObjectMeta' },
  append: { POST: 'AppendObject' },
};

/** The served operation the request names; throws 501 NotImplemented or 405 MethodNotAllowed otherwise. */
export function operationOf(oss: OssRequest): OperationName {
  const m = oss.method;
  const served = oss.key ? OBJECT_SUBRESOURCES : BUCKET_SUBRESOURCES;
  const unserved = oss.query.find(([k]) => isSubresource(k) && !served.has(k));
  if (unserved) throw notServed(`the ${unserved[0]} operation${oss.key ? '' : ' on a bucket'}`);
  if (!oss.key) {
    if (m === 'GET') return hasQuery(oss, 'uploads') ? 'ListMultipartUploads' : 'ListObjects';
    if (m === 'PUT') throw notServed('PutBucket');
    if (m === 'DELETE') throw notServed('DeleteBucket');
    throw methodNotAllowed();
  }
  const named = Object.keys(BY_SUBRESOURCE).find((sub) => hasQuery(oss, sub));
  if (named) {
    const op = BY_SUBRESOURCE[named][m];
    if (!op) throw methodNotAllowed();
    return op;
  }
  const upload = hasQuery(oss, 'uploadId');
  // A copy names its source in a header; the rest of the request is a PutObject or an UploadPart.
  if (m === 'PUT' && oss.headers['x-oss-copy-source'] !== undefined) return upload ? 'UploadPartCopy' : 'CopyObject';
  if (m === 'PUT') return upload ? 'UploadPart' : 'PutObject';
  if (m === 'GET') return upload ? 'ListParts' : 'GetObject';
  if (m === 'HEAD') return 'HeadObject';
  if (m === 'DELETE') return upload ? 'AbortMultipartUpload' : 'DeleteObject';
  if (m === 'POST' && hasQuery(oss, 'uploads')) return 'InitiateMultipartUpload';
  if (m === 'POST' && upload) return 'CompleteMultipartUpload';
  throw methodNotAllowed();
}
