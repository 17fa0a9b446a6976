// The local Alibaba Cloud account: the three function roles and the upload role, with the
// project's own RAM policy files (the upload role trusts all three function roles: token vends its
// credentials, sign and callback sign with them), and the role credentials Function Compute would
// hand each function.

import { renderPolicy, renderRamFile, rolePolicy, type RamFile, type RamVars } from '../deploy/ram/render';
import { commonRoot, type RuleShape, uploadRolePolicy } from '../rules/generate';
import type { FcCredentials } from '../shared/http/event';
import { templateTokens } from '../shared/policy/path-pattern';
import type { RamPolicy } from './iam/evaluate';
import { IamStore, type Principal, type RoleDefinition } from './iam/store';

export type FunctionName = 'token' | 'sign' | 'callback';

const FC_SESSION_SECONDS = 36 * 3600;
const REFRESH_MARGIN_MS = 3600 * 1000;

export interface LocalAccount {
  iam: IamStore;
  uploadRoleArn: string;
  /** Credentials as FC's context.credentials carries them; renewed as FC does before they expire. */
  credentialsFor(fn: FunctionName): FcCredentials & { expiration: string };
}

function trustedPrincipals(doc: RamPolicy): string[] {
  const out: string[] = [];
  for (const s of doc.Statement as unknown as { Principal?: { RAM?: string[]; Service?: string[] } }[]) {
    out.push(...(s.Principal?.RAM ?? []), ...(s.Principal?.Service ?? []));
  }
  return out;
}

export interface AccountOptions {
  /** The callback role may delete only when the rules say violations are deleted (CALLBACK_ON_VIOLATION=delete). */
  callbackDeletes: boolean;
  accountId?: string;
  /**
   * The storage rules in use: the upload role then holds the policy they generate (what
   * `npm run rules -- generate --write` puts in deploy/ram/ for a deployment) instead of the committed
   * file, and the RAM files' ${PREFIX_ROOT} is the folder all of them lie under.
   */
  rules?: readonly RuleShape[];
}

export function createLocalAccount(bucket: string, prefixTemplate: string, opts: AccountOptions = { callbackDeletes: false }): LocalAccount {
  const accountId = opts.accountId ?? '1234567890123456';
  const iam = new IamStore(accountId);
  const vars: RamVars = {
    ACCOUNT_ID: accountId,
    BUCKET: bucket,
    PREFIX_ROOT: commonRoot(opts.rules ?? [{ tokens: templateTokens(prefixTemplate) }]),
    TOKEN_ROLE_NAME: 'oss-upload-token-fn',
    SIGN_ROLE_NAME: 'oss-upload-sign-fn',
    CALLBACK_ROLE_NAME: 'oss-upload-callback-fn',
    UPLOAD_ROLE_NAME: 'oss-upload-client',
  };
  const arn = (name: string) => `acs:ram::${accountId}:role/${name}`;
  const render = (f: RamFile) => renderRamFile(f, vars) as unknown as RamPolicy;
  const fcTrust = trustedPrincipals(render('fc-trust'));
  const roles: Record<FunctionName | 'upload', RoleDefinition> = {
    token: { arn: arn(vars.TOKEN_ROLE_NAME), trusted: fcTrust, policy: render('token-function-policy'), maxSessionDuration: FC_SESSION_SECONDS },
    sign: { arn: arn(vars.SIGN_ROLE_NAME), trusted: fcTrust, policy: render('sign-function-policy'), maxSessionDuration: FC_SESSION_SECONDS },
    callback: { arn: arn(vars.CALLBACK_ROLE_NAME), trusted: fcTrust, policy: rolePolicy('callback-function', vars, { callbackDeletes: opts.callbackDeletes }) as unknown as RamPolicy, maxSessionDuration: FC_SESSION_SECONDS },
    upload: { arn: arn(vars.UPLOAD_ROLE_NAME), trusted: trustedPrincipals(render('upload-role-trust')), policy: opts.rules ? (renderPolicy(uploadRolePolicy(opts.rules), vars) as unknown as RamPolicy) : render('upload-role-policy'), maxSessionDuration: 3600 },
  };
  for (const role of Object.values(roles)) iam.addRole(role);

  const sessions = new Map<FunctionName, Principal>();
  return {
    iam,
    uploadRoleArn: roles.upload.arn,
    credentialsFor(fn) {
      let s = sessions.get(fn);
      if (!s || (s.expiration as Date).getTime() - Date.now() < REFRESH_MARGIN_MS) {
        s = iam.issueSession(roles[fn], 'fc', FC_SESSION_SECONDS);
        sessions.set(fn, s);
      }
      return {
        accessKeyId: s.accessKeyId,
        accessKeySecret: s.accessKeySecret,
        securityToken: s.securityToken,
        expiration: (s.expiration as Date).toISOString(),
      };
    },
  };
}
