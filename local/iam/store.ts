// The local account: long-lived keys and the STS sessions issued from them, each bound to the
// policies that must all allow what it does. Shared in-process by the local STS and OSS.

import { randomBytes } from 'node:crypto';
import type { RamPolicy } from './evaluate';

export interface Principal {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
  expiration?: Date;
  /** e.g. `root`, `role/oss-upload/alice` */
  name: string;
  /** Every one of these must allow a request (identity policy, then the session policy if any). */
  policies: RamPolicy[];
  /** For role sessions: the role that was assumed. */
  roleArn?: string;
}

/**
 * Why a key id (and the security token sent with it) names no principal. The account only says
 * what is wrong; OSS and STS each answer it with their own codes.
 */
export type CredentialFault =
  /** No key has this id. */
  | 'UnknownAccessKey'
  /** A key STS issued, sent without its security token. */
  | 'MissingSecurityToken'
  /** A security token sent with a long-term key, which has none. */
  | 'UnexpectedSecurityToken'
  /** A key STS issued, sent with another token than its own. */
  | 'SecurityTokenMismatch'
  /** A key STS issued, with its token, after its expiration. */
  | 'SecurityTokenExpired';

export type Resolution = { ok: true; principal: Principal } | { ok: false; fault: CredentialFault };

export interface RoleDefinition {
  arn: string;
  /** Principals (role ARNs, or `root`) allowed to assume it. */
  trusted: string[];
  policy: RamPolicy;
  maxSessionDuration: number;
}

export class IamStore {
  // Every store in this process, so a log audit can look for any secret one of them holds.
  private static readonly all = new Set<IamStore>();
  readonly accountId: string;
  private readonly keys = new Map<string, Principal>();
  readonly roles = new Map<string, RoleDefinition>();

  constructor(accountId = '1234567890123456') {
    this.accountId = accountId;
    IamStore.all.add(this);
  }

  /** The key secrets and security tokens of every principal of every store in this process. */
  static heldSecrets(): string[] {
    const out: string[] = [];
    for (const store of IamStore.all) {
      for (const p of store.keys.values()) out.push(p.accessKeySecret, ...(p.securityToken === undefined ? [] : [p.securityToken]));
    }
    return out;
  }

  addKey(principal: Principal): Principal {
    this.keys.set(principal.accessKeyId, principal);
    return principal;
  }

  addRole(role: RoleDefinition): void {
    this.roles.set(role.arn, role);
  }

  /** Issue STS credentials for a role, bound to the role policy and an optional session policy. */
  issueSession(role: RoleDefinition, sessionName: string, durationSeconds: number, sessionPolicy?: RamPolicy, now = new Date()): Principal {
    const policies = sessionPolicy ? [role.policy, sessionPolicy] : [role.policy];
    return this.addKey({
      accessKeyId: `STS.${randomBytes(12).toString('base64url')}`,
      accessKeySecret: randomBytes(24).toString('base64url'),
      securityToken: `CAIS${randomBytes(96).toString('base64')}`,
      expiration: new Date(Math.floor(now.getTime() / 1000) * 1000 + durationSeconds * 1000),
      name: `${role.arn.split(':').pop()}/${sessionName}`,
      policies,
      roleArn: role.arn,
    });
  }

  /** Find the principal behind a key id, checking the security token that STS keys must carry. */
  resolve(accessKeyId: string, securityToken: string | undefined, now = new Date()): Resolution {
    const p = this.keys.get(accessKeyId);
    if (!p) return { ok: false, fault: 'UnknownAccessKey' };
    if (p.securityToken === undefined) return securityToken ? { ok: false, fault: 'UnexpectedSecurityToken' } : { ok: true, principal: p };
    if (!securityToken) return { ok: false, fault: 'MissingSecurityToken' };
    if (securityToken !== p.securityToken) return { ok: false, fault: 'SecurityTokenMismatch' };
    if (p.expiration && p.expiration.getTime() <= now.getTime()) return { ok: false, fault: 'SecurityTokenExpired' };
    return { ok: true, principal: p };
  }
}
