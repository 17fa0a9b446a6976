// Output 1: the RAM session policy passed to AssumeRole. It can only narrow the role's own policy.

import { ApiError } from '../api/errors';
import type { RuleAction } from '../api/types';
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

/** The object actions of each rule action: `write` keeps multipart's abort and part listing with it. */
const OBJECT_ACTIONS: Record<Exclude<RuleAction, 'list'>, readonly string[]> = {
  write: UPLOAD_ACTIONS,
  read: DOWNLOAD_ACTIONS,
  delete: DELETE_ACTIONS,
};

/** The order a statement lists object actions in. */
const OBJECT_ORDER = ['write', 'read', 'delete'] as const;

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

/** The RAM resource of an object pattern (`users/alice/*`) in the bucket. */
export function objectResource(bucket: string, pattern: string): string {
  return `acs:oss:*:*:${bucket}/${pattern}`;
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

/**
 * The session policy of one grant: per set of object patterns, the object actions granted on them
 * (actions granted on the same patterns share a statement), no public object ACL when it writes, and
 * ListObjects with an `oss:Prefix` condition for each pattern it may list.
 */
export function sessionPolicy(grant: Grant): PolicyDocument {
  const { bucket } = grant.rules;
  const { scope } = grant;
  const statements: PolicyStatement[] = [];
  const byPatterns = new Map<string, PolicyStatement>();
  for (const action of OBJECT_ORDER) {
    const patterns = scope[action];
    if (!patterns?.length) continue;
    const id = patterns.join('\n');
    const existing = byPatterns.get(id);
    if (existing) existing.Action.push(...OBJECT_ACTIONS[action]);
    else {
      const statement: PolicyStatement = { Effect: 'Allow', Action: [...OBJECT_ACTIONS[action]], Resource: patterns.map((p) => objectResource(bucket, p)) };
      byPatterns.set(id, statement);
      statements.push(statement);
    }
  }
  if (scope.write?.length) statements.push(PRIVATE_OBJECTS_ONLY);
  if (scope.list?.length) {
    statements.push({ Effect: 'Allow', Action: ['oss:ListObjects'], Resource: [`acs:oss:*:*:${bucket}`], Condition: { StringLike: { 'oss:Prefix': [...scope.list] } } });
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
      `the function is misconfigured: the session policy is ${json.length} characters; STS accepts ${SESSION_POLICY_MAX}; shorten UPLOAD_PREFIX or the storage rules' paths`,
    );
  }
  return json;
}
