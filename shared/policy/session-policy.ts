// Output 1: the RAM session policy passed to AssumeRole. It can only narrow the role's own policy.

import { ApiError } from '../api/errors';
import type { Access } from '../api/types';
import type { Grant } from './rules';

/**
 * Characters STS accepts in AssumeRole's Policy parameter: 2048 since the upgrade of 26-30 September
 * 2022 ("Notification of Request Parameters Length Constraints Upgrade of STS APIs", Alibaba Cloud,
 * 19 September 2022: "from 1~1024 characters to 1~2048 characters", AssumeRole, AssumeRoleWithSAML,
 * AssumeRoleWithOIDC; also @alicloud/sts20150401 1.2.0's AssumeRoleRequest model). The 2021 AssumeRole
 * page still says 1024: it predates the change.
 */
export const SESSION_POLICY_MAX = 2048;

export const UPLOAD_ACTIONS = ['oss:PutObject', 'oss:AbortMultipartUpload', 'oss:ListParts'] as const;
export const DOWNLOAD_ACTIONS = ['oss:GetObject'] as const;
export const DELETE_ACTIONS = ['oss:DeleteObject'] as const;

/**
 * The object actions of each access level on the caller's prefix. `readwrite` manages the user's own
 * files (list, read, write), so it may delete them too; `delete` is the narrow scope `/sign` signs a
 * presigned DELETE with. `upload` cannot delete: an uploader that could would undo
 * x-oss-forbid-overwrite by deleting first.
 */
const OBJECT_ACTIONS: Record<Access, readonly string[]> = {
  upload: UPLOAD_ACTIONS,
  download: DOWNLOAD_ACTIONS,
  readwrite: [...UPLOAD_ACTIONS, ...DOWNLOAD_ACTIONS, ...DELETE_ACTIONS],
  delete: DELETE_ACTIONS,
};

/** Whether the level writes objects (and so carries the Scenario 10 Deny). */
const WRITES: Record<Access, boolean> = { upload: true, download: false, readwrite: true, delete: false };

export interface PolicyStatement {
  Effect: 'Allow' | 'Deny';
  Action: string[];
  Resource: string[];
  Condition?: Record<string, Record<string, string[]>>;
}

export interface PolicyDocument {
  Version: '1';
  Statement: PolicyStatement[];
}

export function objectResource(bucket: string, prefix: string): string {
  return `acs:oss:*:*:${bucket}/${prefix}*`;
}

/**
 * OSS's Scenario 10 ("Prevent public ACL settings for buckets and objects", Configure authorization
 * policies with RAM Policy, https://www.alibabacloud.com/help/en/oss/user-guide/how-oss-works-with-ram):
 * deny every write whose object ACL is not private or default. RAM reads oss:x-oss-object-acl as
 * `default` for a write that names no ACL, so plain uploads pass. Grants never include
 * oss:PutObjectAcl; it is denied too, as in the scenario, so no later grant can make an object public.
 * The upload role's policy carries the same statement (deploy/ram/upload-role-policy.json).
 */
export const PRIVATE_OBJECTS_ONLY: PolicyStatement = {
  Effect: 'Deny',
  Action: ['oss:PutObject', 'oss:PutObjectAcl'],
  Resource: ['*'],
  Condition: { StringNotEquals: { 'oss:x-oss-object-acl': ['private', 'default'] } },
};

/** The session policy of one grant: its actions on its prefix, listing for readwrite, and no public object ACL for writes. */
export function sessionPolicy(grant: Grant): PolicyDocument {
  const { bucket } = grant.rules;
  const objects = objectResource(bucket, grant.prefix);
  const statements: PolicyStatement[] = [{ Effect: 'Allow', Action: [...OBJECT_ACTIONS[grant.access]], Resource: [objects] }];
  if (WRITES[grant.access]) statements.push(PRIVATE_OBJECTS_ONLY);
  if (grant.access === 'readwrite') {
    statements.push({
      Effect: 'Allow',
      Action: ['oss:ListObjects'],
      Resource: [`acs:oss:*:*:${bucket}`],
      Condition: { StringLike: { 'oss:Prefix': [`${grant.prefix}*`] } },
    });
  }
  return { Version: '1', Statement: statements };
}

/**
 * The minified session policy, checked against STS's size limit before it is sent. Too long is the
 * deployment's fault (UPLOAD_PREFIX), not the caller's: ApiError SessionPolicyTooLarge, a 500.
 */
export function sessionPolicyJson(grant: Grant): string {
  const json = JSON.stringify(sessionPolicy(grant));
  if (json.length > SESSION_POLICY_MAX) {
    throw new ApiError(
      'SessionPolicyTooLarge',
      `the function is misconfigured: the session policy is ${json.length} characters; STS accepts ${SESSION_POLICY_MAX}; shorten UPLOAD_PREFIX`,
    );
  }
  return json;
}
