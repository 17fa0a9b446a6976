// The RAM policy files with their placeholders filled in. The local STS and OSS enforce exactly these
// documents, so a mistake in them shows up locally before it shows up in the cloud.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PolicyDocument } from '../../shared/policy/session-policy';

export interface RamVars {
  ACCOUNT_ID: string;
  BUCKET: string;
  /** The folder every storage rule lies under, e.g. `users/` (rules/generate.ts commonRoot). */
  PREFIX_ROOT: string;
  /** The three function roles: each may assume the upload role (upload-role-trust.json). */
  TOKEN_ROLE_NAME: string;
  SIGN_ROLE_NAME: string;
  CALLBACK_ROLE_NAME: string;
  UPLOAD_ROLE_NAME: string;
  // Only the files that name them need these: the OSS trigger role's policy and the deployer's policy.
  REGION?: string;
  CALLBACK_FUNCTION_NAME?: string;
  /** The deployer's policy names the functions it may create, change and remove. */
  TOKEN_FUNCTION_NAME?: string;
  SIGN_FUNCTION_NAME?: string;
  OSS_TRIGGER_ROLE_NAME?: string;
  /** The MNS queue that keeps object-created events which failed every retry (s.yaml asyncInvokeConfig). */
  DEAD_LETTER_QUEUE?: string;
}

export type RamFile =
  | 'fc-trust'
  | 'upload-role-trust'
  | 'token-function-policy'
  | 'upload-role-policy'
  | 'sign-function-policy'
  | 'callback-function-policy'
  | 'callback-delete-policy'
  | 'callback-dead-letter-policy'
  | 'oss-trigger-trust'
  | 'oss-trigger-policy'
  | 'deployer-policy';

/** A policy's text with its ${NAME} placeholders filled from `vars`; throws naming `what` for one without a value. */
function filled(text: string, vars: RamVars, what: string): PolicyDocument {
  const out = text.replace(/\$\{([A-Z_]+)\}/g, (_, v: string) => {
    const value = vars[v as keyof RamVars];
    if (value === undefined) throw new Error(`${what} uses \${${v}}, which has no value`);
    return value;
  });
  return JSON.parse(out) as PolicyDocument;
}

export function renderRamFile(name: RamFile, vars: RamVars): PolicyDocument {
  return filled(readFileSync(join(__dirname, `${name}.json`), 'utf8'), vars, `${name}.json`);
}

/** A generated policy (rules/generate.ts) with its placeholders filled, as renderRamFile fills a file's. */
export function renderPolicy(doc: PolicyDocument, vars: RamVars): PolicyDocument {
  return filled(JSON.stringify(doc), vars, 'the generated policy');
}

export type RoleName = 'token-function' | 'sign-function' | 'callback-function' | 'upload-role' | 'oss-trigger';

/**
 * Everything a role may do: its policy files as one document (a role's permissions are the union of
 * its attached policies). The sign function may only assume the upload role (it signs with the
 * caller's scope); the callback function may also read objects (HeadObject), and delete them only
 * when it is configured to (CALLBACK_ON_VIOLATION=delete).
 */
export function rolePolicy(role: RoleName, vars: RamVars, opts: { callbackDeletes?: boolean } = {}): PolicyDocument {
  const files: RamFile[] = [role === 'upload-role' ? 'upload-role-policy' : `${role}-policy`];
  if (role === 'callback-function' && opts.callbackDeletes) files.push('callback-delete-policy');
  return { Version: '1', Statement: files.flatMap((f) => renderRamFile(f, vars).Statement) };
}
