// What the deployment needs from the storage rules, generated from them so it cannot drift: the
// upload role's RAM policy (deploy/ram/upload-role-policy.json: the union of everything any caller may
// be granted, the ceiling every session policy narrows), the bucket's CORS methods
// (deploy/ram/bucket-cors.json) and the OSS trigger's key prefix (s.yaml's vars.prefixRoot, which the
// RAM files name as ${PREFIX_ROOT}). test/unit/rules-generate.test.ts holds the committed files to
// what storage.rules.yaml generates; `npm run rules -- generate --write` rewrites them.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RuleAction } from '../shared/api/types';
import { type PathToken } from '../shared/policy/path-pattern';
import type { Allow } from '../shared/policy/rules';
import { DELETE_ACTIONS, DOWNLOAD_ACTIONS, type PolicyDocument, type PolicyStatement, PRIVATE_OBJECTS_ONLY, UPLOAD_ACTIONS } from '../shared/policy/session-policy';
import type { StorageRules } from '../shared/policy/storage-rules';

/** What generation reads of a rule: its path and who may do what there (a compiled file's rule, or UPLOAD_PREFIX's). */
export interface RuleShape {
  tokens: readonly PathToken[];
  allow: Allow;
  /** How writes may arrive (every way when absent). */
  uploadPaths?: readonly string[];
}

const RAM_DIR = join(__dirname, '..', 'deploy', 'ram');

/** Every action anyone may be granted under a rule. */
function actionsOf(allow: Allow): Set<RuleAction> {
  return new Set([...allow.guest, ...allow.authenticated, ...allow.owner, ...Object.values(allow.groups).flat()]);
}

/** The literal text before a rule's first placeholder (the whole folder when it has none). */
function head(tokens: readonly PathToken[]): string {
  const first = tokens[0];
  return first && 'literal' in first ? first.literal : '';
}

/**
 * The longest key prefix every rule lies under (`users/` for the default file, `user-` for
 * UPLOAD_PREFIX `user-${uid}/`, '' when the rules span the bucket): s.yaml's prefixRoot, the OSS
 * trigger's key prefix, `${PREFIX_ROOT}` in the RAM files. Not cut back to a folder: OSS prefixes and
 * RAM's `*` match strings, and the function roles' reach is bounded by it, so the longest is the
 * least privilege. Takes any rules with paths: a compiled file's (shapesOf), a configuration's path
 * rules, or UPLOAD_PREFIX's one rule (templateTokens).
 */
export function commonRoot(rules: readonly Pick<RuleShape, 'tokens'>[]): string {
  const heads = rules.map((r) => head(r.tokens));
  let root = heads[0] ?? '';
  for (const h of heads) while (!h.startsWith(root)) root = root.slice(0, -1);
  return root;
}

/**
 * The upload role's policy, with ${BUCKET} and ${PREFIX_ROOT} for deploy/ram/render.ts to fill: per
 * set of object actions, the folders (each rule's text before its first placeholder, then `*`: RAM's
 * `*` crosses `/`, and the session policies narrow to the caller's own values); ListObjects with an
 * `oss:Prefix` condition for the rules that grant `list`; the Scenario 10 Deny whenever anything is
 * written. Object actions are listed in the order session policies list them (write, read, delete).
 */
export function uploadRolePolicy(rules: readonly RuleShape[]): PolicyDocument {
  const root = commonRoot(rules);
  const resource = (r: RuleShape) => `\${PREFIX_ROOT}${head(r.tokens).slice(root.length)}*`;
  const byActions = new Map<string, PolicyStatement>();
  const listed: string[] = [];
  let writes = false;
  for (const rule of rules) {
    const granted = actionsOf(rule.allow);
    const actions = [
      ...(granted.has('write') ? UPLOAD_ACTIONS : []),
      ...(granted.has('read') ? DOWNLOAD_ACTIONS : []),
      ...(granted.has('delete') ? DELETE_ACTIONS : []),
    ];
    writes ||= granted.has('write');
    if (granted.has('list') && !listed.includes(resource(rule))) listed.push(resource(rule));
    if (actions.length === 0) continue;
    const id = actions.join(',');
    const statement = byActions.get(id) ?? { Effect: 'Allow', Action: actions, Resource: [] };
    byActions.set(id, statement);
    const object = `acs:oss:*:*:\${BUCKET}/${resource(rule)}`;
    if (!statement.Resource.includes(object)) statement.Resource.push(object);
  }
  const statements: PolicyStatement[] = [...byActions.values()];
  if (listed.length) statements.push({ Effect: 'Allow', Action: ['oss:ListObjects'], Resource: ['acs:oss:*:*:${BUCKET}'], Condition: { StringLike: { 'oss:Prefix': listed } } });
  if (writes) statements.push(PRIVATE_OBJECTS_ONLY);
  return { Version: '1', Statement: statements };
}

/**
 * The HTTP methods browsers need at the bucket for what the rules allow: GET and HEAD to read or list,
 * PUT for presigned PUTs and multipart parts, POST for forms and multipart's initiate and complete,
 * DELETE to delete and to abort a multipart upload.
 */
export function corsMethods(rules: readonly RuleShape[]): string[] {
  const need = new Set<string>();
  for (const rule of rules) {
    const granted = actionsOf(rule.allow);
    const ways = rule.uploadPaths ?? ['form', 'put', 'multipart'];
    if (granted.has('read') || granted.has('list')) ['GET', 'HEAD'].forEach((m) => need.add(m));
    if (granted.has('write') && (ways.includes('put') || ways.includes('multipart'))) need.add('PUT');
    if (granted.has('write') && (ways.includes('form') || ways.includes('multipart'))) need.add('POST');
    if (granted.has('delete') || (granted.has('write') && ways.includes('multipart'))) need.add('DELETE');
  }
  return ['GET', 'HEAD', 'PUT', 'POST', 'DELETE'].filter((m) => need.has(m));
}

/** The rules of a compiled file as generation reads them (its write limits' upload paths over the file's defaults). */
export function shapesOf(storage: StorageRules): RuleShape[] {
  return storage.rules.map((r) => ({ tokens: r.tokens, allow: r.allow, uploadPaths: r.write.uploadPaths ?? storage.defaults.uploadPaths }));
}

/** JSON in the RAM files' own layout: one statement or CORS rule per block, one field a line, the values inline. */
function layout(doc: { Version?: string; Statement?: object[]; CORSRule?: object[] }): string {
  const inline = (v: unknown): string =>
    Array.isArray(v) ? `[${v.map(inline).join(', ')}]` : v !== null && typeof v === 'object' ? `{ ${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}: ${inline(x)}`).join(', ')} }` : JSON.stringify(v);
  const block = (o: object) => `    {\n${Object.entries(o).map(([k, v]) => `      ${JSON.stringify(k)}: ${inline(v)}`).join(',\n')}\n    }`;
  const [name, items] = doc.Statement ? ['Statement', doc.Statement] : ['CORSRule', doc.CORSRule ?? []];
  const head = doc.Version === undefined ? '' : `  "Version": ${JSON.stringify(doc.Version)},\n`;
  return `{\n${head}  "${name}": [\n${items.map(block).join(',\n')}\n  ]\n}\n`;
}

/** The deploy/ram files the rules generate, by file name, as text. */
export function deployFiles(storage: StorageRules): Record<string, string> {
  const shapes = shapesOf(storage);
  const cors = JSON.parse(readFileSync(join(RAM_DIR, 'bucket-cors.json'), 'utf8')) as { CORSRule: Record<string, unknown>[] };
  const corsRules = cors.CORSRule.map((r) => ({ ...r, AllowedMethod: corsMethods(shapes) }));
  return {
    'upload-role-policy.json': layout(uploadRolePolicy(shapes)),
    'bucket-cors.json': layout({ CORSRule: corsRules }),
  };
}

/** The deploy/ram files whose committed text is not what the rules generate. */
export function deployFilesDiffer(storage: StorageRules): string[] {
  return Object.entries(deployFiles(storage))
    .filter(([file, text]) => readFileSync(join(RAM_DIR, file), 'utf8') !== text)
    .map(([file]) => `deploy/ram/${file}`);
}

/** Writes the generated files into deploy/ram/; returns their paths. */
export function writeDeployFiles(storage: StorageRules): string[] {
  return Object.entries(deployFiles(storage)).map(([file, text]) => {
    writeFileSync(join(RAM_DIR, file), text);
    return `deploy/ram/${file}`;
  });
}
