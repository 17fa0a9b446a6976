// Which OSS operation a request names, and the handler that serves it. Anything else is answered
// 501 NotImplemented (an operation OSS has and this endpoint does not offer) or 405, so a client
// learns the boundary instead of getting a wrong success. README "What the local OSS serves" lists
// the same operations; a test holds the two together.

import { isSubresource } from '../../shared/signer';
import type { Ctx } from './context';
import { OssError } from './errors';
import { listObjects } from './list';
import { listMultipartUploads } from './list-uploads';
import { abortMultipartUpload, completeMultipartUpload, initiateMultipartUpload, listParts, uploadPart } from './multipart';
import { deleteObject, getObject, getObjectMeta, headObject, putObject } from './objects';
import { hasQuery, type OssRequest } from './request';

/** The operations served, by OSS's names, behind the request signature check (PostObject has its own, see post-object.ts). */
export const HANDLERS = {
  PutObject: putObject,
  GetObject: getObject,
  HeadObject: headObject,
  GetObjectMeta: getObjectMeta,
  DeleteObject: deleteObject,
  ListObjects: listObjects,
  InitiateMultipartUpload: initiateMultipartUpload,
  UploadPart: uploadPart,
  CompleteMultipartUpload: completeMultipartUpload,
  AbortMultipartUpload: abortMultipartUpload,
  ListParts: listParts,
  ListMultipartUploads: listMultipartUploads,
} satisfies Record<string, (ctx: Ctx) => void | Promise<void>>;

export type OperationName = keyof typeof HANDLERS;

// Sub-resources of the operations served here (and the signature parameters); any other one names
// an operation this endpoint does not offer (acl, tagging, append, symlink, x-oss-process…).
const SERVED_SUBRESOURCES = new Set([
  'objectMeta', 'uploads', 'uploadId', 'partNumber', 'security-token', 'callback', 'callback-var', 'continuation-token',
  'response-content-type', 'response-content-language', 'response-expires', 'response-cache-control',
  'response-content-disposition', 'response-content-encoding', 'x-oss-signature-version', 'x-oss-credential',
  'x-oss-date', 'x-oss-expires', 'x-oss-signature', 'x-oss-security-token', 'x-oss-additional-headers',
]);

const notServed = (what: string) => new OssError(501, 'NotImplemented', `The local OSS does not implement ${what}.`);
const methodNotAllowed = () => new OssError(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.');

/** The served operation the request names; throws 501 NotImplemented or 405 MethodNotAllowed otherwise. */
export function operationOf(oss: OssRequest): OperationName {
  const m = oss.method;
  const unserved = oss.query.find(([k]) => isSubresource(k) && !SERVED_SUBRESOURCES.has(k));
  if (unserved) throw notServed(`the ${unserved[0]} operation`);
  if (!oss.key) {
    if (m === 'GET') return hasQuery(oss, 'uploads') ? 'ListMultipartUploads' : 'ListObjects';
    if (m === 'PUT') throw notServed('PutBucket');
    if (m === 'DELETE') throw notServed('DeleteBucket');
    throw methodNotAllowed();
  }
  if (hasQuery(oss, 'objectMeta')) {
    if (m === 'HEAD' || m === 'GET') return 'GetObjectMeta';
    throw methodNotAllowed();
  }
  const upload = hasQuery(oss, 'uploadId');
  // A copy names its source in a header; served as a PutObject it would store an empty object.
  if (m === 'PUT' && oss.headers['x-oss-copy-source'] !== undefined) throw notServed(upload ? 'UploadPartCopy' : 'CopyObject');
  if (m === 'PUT') return upload ? 'UploadPart' : 'PutObject';
  if (m === 'GET') return upload ? 'ListParts' : 'GetObject';
  if (m === 'HEAD') return 'HeadObject';
  if (m === 'DELETE') return upload ? 'AbortMultipartUpload' : 'DeleteObject';
  if (m === 'POST' && hasQuery(oss, 'uploads')) return 'InitiateMultipartUpload';
  if (m === 'POST' && upload) return 'CompleteMultipartUpload';
  throw methodNotAllowed();
}
