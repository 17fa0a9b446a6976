// AssumeRole as STS answers it: parameter rules, the role's existence, the caller's permission and
// the role's trust, then credentials bound to role policy ∩ session policy.

import { createHash } from 'node:crypto';
import type { PopParams } from '../verify';
import { isAllowed } from '../iam/evaluate';
import type { IamStore, Principal } from '../iam/store';
import { invalidParameter, missing, StsApiError } from './errors';
import { parseSessionPolicy } from './session-policy';

export const MIN_DURATION_SECONDS = 900;
const DEFAULT_DURATION_SECONDS = 3600;

const ROLE_ARN = /^acs:ram::(\d+):role\/([A-Za-z0-9.@_-]{1,64})$/;
const SESSION_NAME = /^[A-Za-z0-9.@_-]{2,64}$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;

export interface AssumeRoleResult {
  RequestId: string;
  AssumedRoleUser: { Arn: string; AssumedRoleId: string };
  Credentials: { AccessKeyId: string; AccessKeySecret: string; SecurityToken: string; Expiration: string };
}

function durationOf(value: string | undefined): number {
  if (value === undefined) return DEFAULT_DURATION_SECONDS;
  const n = /^\d{1,9}$/.test(value) ? Number(value) : NaN;
  if (!(n >= MIN_DURATION_SECONDS)) {
    throw invalidParameter('DurationSeconds', `The Min value of DurationSeconds is ${MIN_DURATION_SECONDS} seconds.`);
  }
  return n;
}

/** RAM shows a role by a numeric id; derive a stable one from the ARN. */
function roleId(arn: string): string {
  return (BigInt(`0x${createHash('sha256').update(arn).digest('hex')}`) % 10n ** 17n).toString().padStart(17, '0');
}

const isoSeconds = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

function isTrusted(iam: IamStore, trusted: string[], caller: Principal): boolean {
  if (caller.roleArn !== undefined && trusted.includes(caller.roleArn)) return true;
  // Trusting the account lets any of its RAM identities in, if their own policies allow it.
  return trusted.includes('root') || trusted.includes(`acs:ram::${iam.accountId}:root`);
}

export function assumeRole(iam: IamStore, caller: Principal, params: PopParams, requestId: string, now: Date): AssumeRoleResult {
  const { RoleArn, RoleSessionName, DurationSeconds, Policy, ExternalId } = params;
  if (!RoleArn) throw missing('RoleArn');
  if (!RoleSessionName) throw missing('RoleSessionName');
  const arn = ROLE_ARN.exec(RoleArn);
  if (!arn) throw invalidParameter('RoleArn', 'The parameter RoleArn is wrongly formed.');
  if (!SESSION_NAME.test(RoleSessionName)) {
    throw invalidParameter('RoleSessionName', 'The parameter RoleSessionName must be 2 to 64 characters of [A-Za-z0-9.@_-].');
  }
  const duration = durationOf(DurationSeconds);
  const sessionPolicy = Policy === undefined ? undefined : parseSessionPolicy(Policy);
  if (ExternalId !== undefined && !EXTERNAL_ID.test(ExternalId)) {
    throw invalidParameter('ExternalId', 'The parameter ExternalId must be 2 to 1224 characters of [\\w+=,.@:/-].');
  }

  const role = iam.roles.get(RoleArn);
  if (!role) throw new StsApiError(404, 'EntityNotExist.Role', `The role not exists: ${RoleArn}.`);
  if (caller.name === 'root' && caller.roleArn === undefined) {
    throw new StsApiError(403, 'NoPermission', 'Roles may not be assumed by root accounts.');
  }
  if (!isAllowed(caller.policies, 'sts:AssumeRole', RoleArn) || !isTrusted(iam, role.trusted, caller)) {
    throw new StsApiError(
      403,
      'NoPermission',
      'No permission perform sts:AssumeRole on this Role. Maybe you are not authorized to perform sts:AssumeRole or the trust policy of the role does not allow you.',
    );
  }
  if (duration > role.maxSessionDuration) {
    throw invalidParameter(
      'DurationSeconds',
      `The Min/Max value of DurationSeconds is ${MIN_DURATION_SECONDS}/${role.maxSessionDuration} seconds for this role.`,
    );
  }

  const session = iam.issueSession(role, RoleSessionName, duration, sessionPolicy, now);
  return {
    RequestId: requestId,
    AssumedRoleUser: {
      Arn: `acs:ram::${arn[1]}:role/${arn[2].toLowerCase()}/${RoleSessionName}`,
      AssumedRoleId: `${roleId(RoleArn)}:${RoleSessionName}`,
    },
    Credentials: {
      AccessKeyId: session.accessKeyId,
      AccessKeySecret: session.accessKeySecret,
      SecurityToken: session.securityToken as string,
      Expiration: isoSeconds(session.expiration as Date),
    },
  };
}
