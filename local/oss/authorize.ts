// RAM authorisation of one operation: the action OSS maps it to, the resource it touches, and the
// condition keys it sets, checked against every policy the principal carries.

import { isAllowed, type RequestContext } from '../iam/evaluate';
import type { Principal } from '../iam/store';
import { accessDenied } from './errors';

export type Operation =
  | 'PutObject'
  | 'PostObject'
  | 'GetObject'
  | 'HeadObject'
  | 'GetObjectMeta'
  | 'DeleteObject'
  | 'InitiateMultipartUpload'
  | 'UploadPart'
  | 'CompleteMultipartUpload'
  | 'AbortMultipartUpload'
  | 'ListParts'
  | 'ListMultipartUploads'
  | 'ListObjects';

// OSS's action mapping (RAM Policy overview): writes share oss:PutObject, reads oss:GetObject.
const ACTIONS: Record<Operation, string> = {
  PutObject: 'oss:PutObject',
  PostObject: 'oss:PutObject',
  InitiateMultipartUpload: 'oss:PutObject',
  UploadPart: 'oss:PutObject',
  CompleteMultipartUpload: 'oss:PutObject',
  GetObject: 'oss:GetObject',
  HeadObject: 'oss:GetObject',
  GetObjectMeta: 'oss:GetObject',
  DeleteObject: 'oss:DeleteObject',
  AbortMultipartUpload: 'oss:AbortMultipartUpload',
  ListParts: 'oss:ListParts',
  ListMultipartUploads: 'oss:ListMultipartUploads',
  ListObjects: 'oss:ListObjects',
};

export interface Target {
  bucket: string;
  /** Absent for bucket-level operations. */
  key?: string;
  context?: RequestContext;
}

export function resourceOf(t: Target): string {
  return t.key === undefined ? `acs:oss:*:*:${t.bucket}` : `acs:oss:*:*:${t.bucket}/${t.key}`;
}

export function authorize(principal: Principal | undefined, op: Operation, target: Target): void {
  if (!principal) throw accessDenied('You have no right to access this object because of bucket acl.');
  if (!isAllowed(principal.policies, ACTIONS[op], resourceOf(target), target.context ?? {})) {
    throw accessDenied('You are not authorized to do this action. You should be authorized by RAM.', {
      Action: ACTIONS[op],
      Resource: resourceOf(target),
    });
  }
}
