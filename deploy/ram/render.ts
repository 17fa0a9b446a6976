// The RAM policy files with their placeholders filled in. The local STS and OSS enforce exactly these
// documents, so a mistake in them shows up locally before it shows up in the cloud.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PolicyDocument } from '../../shared/policy';

export interface RamVars {
  ACCOUNT_ID: string;
  BUCKET: string;
  /** The part of UPLOAD_PREFIX before ${uid}, e.g. `users/`. */
  PREFIX_ROOT: string;
  TOKEN_ROLE_NAME: string;
  UPLOAD_ROLE_NAME: string;
}

export type RamFile =
  | 'fc-trust'
  | 'upload-role-trust'
  | 'token-function-policy'
  | 'upload-role-policy'
  | 'sign-function-policy'
  | 'callback-function-policy';

export function renderRamFile(name: RamFile, vars: RamVars): PolicyDocument {
  const text = readFileSync(join(__dirname, `${name}.json`), 'utf8').replace(/\$\{([A-Z_]+)\}/g, (_, v: string) => {
    const value = vars[v as keyof RamVars];
    if (value === undefined) throw new Error(`${name}.json uses \${${v}}, which has no value`);
    return value;
  });
  return JSON.parse(text) as PolicyDocument;
}

export function prefixRoot(template: string): string {
  return template.slice(0, template.indexOf('${uid}'));
}
