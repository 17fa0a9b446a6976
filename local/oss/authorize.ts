// RAM authorisation of one operation: the action OSS maps it to, the resource it touches, and the
// condition keys it sets, checked against every policy the principal carries; and, for a request
// that carries no signature, the object ACL.

import { isAllowed, type RequestContext } from '../iam/evaluate';
import type { Principal } from '../iam/store';
import type { ObjectAcl } from './acl';
import { accessDenied } from './errors';

// OSS's action mapping (RAM Policy overview; the PutSymlink, AppendObject, CopyObject and
// UploadPartCopy API pages): writes share oss:PutObject, reads oss:GetObject. CopyObject and
// UploadPartCopy name their destination here; the read of their source is a GetObject of its own.
const ACTIONS = {
  PutObject: 'oss:PutObject',
  PostObject: 'oss:PutObject',
  InitiateMultipartUpload: 'oss:PutObject',
  UploadPart: 'oss:PutObject',
  CompleteMultipartUpload: 'oss:PutObject',
  AppendObject: 'oss:PutObject',
  PutSymlink: 'oss:PutObject',
  CopyObject: 'oss:PutObject',
  UploadPartCopy: 'oss:PutObject',
  GetObject: 'oss:GetObject',
  HeadObject: 'oss:GetObject',
  GetObjectMeta: 'oss:GetObject',
  GetSymlink: 'oss:GetObject',
  DeleteObject: 'oss:DeleteObject',
  AbortMultipartUpload: 'oss:AbortMultipartUpload',
  ListParts: 'oss:ListParts',
  ListMultipartUploads: 'oss:ListMultipartUploads',
  ListObjects: 'oss:ListObjects',
  PutObjectAcl: 'oss:PutObjectAcl',
  GetObjectAcl: 'oss:GetObjectAcl',
  // Not an operation served here: what a write that sets x-oss-tagging needs besides oss:PutObject
  // (PutObject, AppendObject, CopyObject, PutSymlink pages: "oss:PutObjectTagging … when you
  // specify object tags through x-oss-tagging").
  PutObjectTagging: 'oss:PutObjectTagging',
} as const;

export type Operation = keyof typeof ACTIONS;

/** The actions whose requests carry oss:x-oss-object-acl (OSS's RAM condition keys; Scenario 10 denies both). */
const ACL_KEYED: ReadonlySet<string> = new Set(['oss:PutObject', 'oss:PutObjectAcl']);

/**
 * What a request without a signature may do, by the ACL that applies to the object (PutObjectACL:
 * reads are GetObject and HeadObject, writes PutObject and DeleteObject). Nothing else is open to
 * it: the local buckets are private, and where the API reference does not say that an anonymous
 * request may (GetObjectMeta, the ?acl and ?symlink operations, copies, appends, multipart), the
 * stricter reading refuses.
 */
const ANONYMOUS: Partial<Record<Operation, readonly ObjectAcl[]>> = {
  GetObject: ['public-read', 'public-read-write'],
  HeadObject: ['public-read', 'public-read-write'],
  PutObject: ['public-read-write'],
  DeleteObject: ['public-read-write'],
};

/** Every bucket of the local OSS is private, so an object whose ACL is `default` (or unset) is private. */
const BUCKET_ACL = 'private';

function effectiveAcl(acl: ObjectAcl | undefined): ObjectAcl {
  return acl === undefined || acl === 'default' ? BUCKET_ACL : acl;
}

export interface Target {
  bucket: string;
  /** Absent for bucket-level operations. */
  key?: string;
  /** Condition keys of the request besides oss:x-oss-object-acl (oss:Prefix, oss:Delimiter…). */
  context?: RequestContext;
  /** The object ACL the request asks for (x-oss-object-acl); absent when it asks for none. */
  requestedAcl?: ObjectAcl;
  /** The object the request touches as stored: its ACL decides for a request without a signature. */
  stored?: { acl?: ObjectAcl };
}

export function resourceOf(t: Target): string {
  return t.key === undefined ? `acs:oss:*:*:${t.bucket}` : `acs:oss:*:*:${t.bucket}/${t.key}`;
}

/**
 * The condition keys RAM sees. On every write (oss:PutObject) and ACL change, oss:x-oss-object-acl
 * is the ACL asked for, and `default` when the request asks for none: an object written without the
 * header gets the bucket's ACL, which is what `default` names, and it is the only reading under
 * which OSS's own Scenario 10 ("Deny oss:PutObject and oss:PutObjectAcl when oss:x-oss-object-acl is
 * StringNotEquals [private, default]", Common examples of RAM policies) still lets a plain upload
 * through.
 */
function conditionKeys(action: string, target: Target): RequestContext {
  if (!ACL_KEYED.has(action)) return target.context ?? {};
  return { ...target.context, 'oss:x-oss-object-acl': target.requestedAcl ?? 'default' };
}

const ACL_REFUSAL = 'You have no right to access this object because of bucket acl.';

/**
 * Throws 403 AccessDenied unless the principal's policies all allow `op` on the target (an explicit
 * Deny in any wins). A request without a signature is decided by the stored object's ACL alone
 * (ANONYMOUS); with a signature, by RAM alone: an ACL never adds to what RAM allows, the stricter
 * reading of OSS's permission model for the signed requests this project makes.
 */
export function authorize(principal: Principal | undefined, op: Operation, target: Target): void {
  if (!principal) {
    const open = ANONYMOUS[op];
    if (open && target.stored && open.includes(effectiveAcl(target.stored.acl))) return;
    throw accessDenied(ACL_REFUSAL);
  }
  const action = ACTIONS[op];
  if (!isAllowed(principal.policies, action, resourceOf(target), conditionKeys(action, target))) {
    throw accessDenied('You are not authorized to do this action. You should be authorized by RAM.', {
      Action: action,
      Resource: resourceOf(target),
    });
  }
}
