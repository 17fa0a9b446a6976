// Principals for the local OSS's permission tests, each with a policy the test states in full, so a
// refusal or an allowance is the local OSS's RAM evaluation of exactly that policy (and not of the
// project's upload role, which other work narrows). Requests without a signature, as a browser or
// curl sends them.

import type { RamPolicy, RamStatement } from '../../local/iam/evaluate';
import { encodePath } from '../../shared/signer';
import { BUCKET, type Creds, type TestOss } from './local-oss-setup';

/** An Allow of `actions` on the objects under `prefix` of the test bucket. */
export function allowOn(prefix: string, actions: string[]): RamStatement {
  return { Effect: 'Allow', Action: actions, Resource: [`acs:oss:*:*:${BUCKET}/${prefix}*`] };
}

/**
 * OSS's Scenario 10 (Common examples of RAM policies): deny writes and ACL changes unless the object
 * ACL is private or default.
 */
export const SCENARIO_10_DENY: RamStatement = {
  Effect: 'Deny',
  Action: ['oss:PutObject', 'oss:PutObjectAcl'],
  Resource: '*',
  Condition: { StringNotEquals: { 'oss:x-oss-object-acl': ['private', 'default'] } },
};

const policy = (statements: RamStatement[]): RamPolicy => ({ Version: '1', Statement: statements });

let roles = 0;

/**
 * STS credentials for `name` under a role of its own whose policy is `role`, narrowed by the
 * session policy `session` when given (both must allow a request; a Deny in either refuses it).
 */
export function stsSession(t: TestOss, name: string, role: RamStatement[], session?: RamStatement[]): Creds {
  const def = { arn: `acs:ram::${t.account.iam.accountId}:role/local-oss-test-${++roles}`, trusted: [], policy: policy(role), maxSessionDuration: 3600 };
  t.account.iam.addRole(def);
  const p = t.account.iam.issueSession(def, name, 3600, session ? policy(session) : undefined);
  return { accessKeyId: p.accessKeyId, accessKeySecret: p.accessKeySecret, securityToken: p.securityToken };
}

/** A request without any signature. */
export function anonymous(t: TestOss, method: string, key: string, init: { headers?: Record<string, string>; body?: string; query?: string } = {}): Promise<Response> {
  return fetch(`${t.oss.url}/${BUCKET}/${encodePath(key)}${init.query ?? ''}`, { method, headers: init.headers, body: init.body });
}
