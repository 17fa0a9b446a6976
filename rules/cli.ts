// npm run rules -- check | explain | generate: the storage rules simulator (README "Storage rules").
//   check     [--file F]  validate the file; print each rule's compiled session policy and form conditions
//   explain   [--file F] --as <uid> [--guest] [--claims JSON] <read|list|write|delete> <key>
//             [--type T] [--size BYTES] [--via form|put|multipart] [--no-filename]
//   generate  [--file F] [--write]  the upload role's RAM policy and the bucket CORS the rules need,
//             compared with (or, with --write, written to) deploy/ram/
// Exits 1 with `file:line: problem` for a rules file that cannot be used, 2 for a denied explain.

import { parseArgs } from 'node:util';
import { RULE_ACTIONS, type RuleAction } from '../shared/api/types';
import { ApiError } from '../shared/api/errors';
import { loadConfig } from '../shared/config';
import { callerOf, grantsAt } from '../shared/policy/grants';
import { instances } from '../shared/policy/path-pattern';
import { postPlan } from '../shared/policy/post-conditions';
import { UPLOAD_PATHS, type UploadPath } from '../shared/policy/rules';
import { sessionPolicyJson } from '../shared/policy/session-policy';
import { explain } from './explain';
import { commonRoot, deployFilesDiffer, shapesOf, writeDeployFiles } from './generate';
import { type LoadedRules, readRules, REFERENCE_ENV, rulesFilePath, RulesFileError } from './load';

const EXAMPLE_UID = 'alice';

/** What `check` prints: per rule and action, the session policy /sign signs with for an example caller, and a write's form conditions. */
function check(loaded: LoadedRules): string[] {
  const config = loadConfig({ ...REFERENCE_ENV, OSS_BUCKET: 'your-bucket' }, loaded.storage);
  const { rules } = config;
  const claims = Object.fromEntries(rules.paths.flatMap((r) => r.tokens.flatMap((t) => ('claim' in t ? [[t.claim, 'example']] : []))));
  const groups = [...new Set(rules.paths.flatMap((r) => Object.keys(r.allow.groups)))];
  const member = callerOf({ uid: EXAMPLE_UID, claims: rules.groupsClaim ? { ...claims, [rules.groupsClaim]: groups } : claims }, rules);
  const guest = callerOf({ uid: 'anonymous', guest: true }, rules);
  const out = [
    `${loaded.file}: ${rules.paths.length} rule(s), valid; example caller "${EXAMPLE_UID}" with claims ${JSON.stringify(claims)}${groups.length ? ` in groups ${groups.join(', ')}` : ''}`,
    `every rule lies under "${commonRoot(shapesOf(loaded.storage))}": s.yaml's vars.prefixRoot (the OSS trigger's key prefix, \${PREFIX_ROOT} in deploy/ram)`,
  ];
  for (const rule of rules.paths) {
    out.push('', `rule "${rule.path}"`);
    const key = `${instances(rule.tokens, member.binding)[0]?.slice(0, -1) ?? ''}example.bin`;
    for (const action of RULE_ACTIONS) {
      for (const caller of [member, guest]) {
        let grant;
        try {
          [grant] = grantsAt(rules, caller, action, key);
        } catch (err) {
          if (err instanceof ApiError) continue;
          throw err;
        }
        if (grant.rule !== rule) continue;
        const policy = sessionPolicyJson(grant);
        out.push(`  ${action} ${key} as ${caller.guest ? 'a guest' : EXAMPLE_UID}: session policy (${policy.length} characters) ${policy}`);
        if (action === 'write' && grant.rules.uploadPaths.includes('form')) {
          const type = grant.rules.allowedContentTypes.find((t) => !t.endsWith('*')) ?? 'application/octet-stream';
          const plan = postPlan(grant, { key, contentType: type, filename: 'example.bin' }, { now: new Date() });
          out.push(`  write by form: conditions ${JSON.stringify(plan.conditions)}`);
        }
        break;
      }
    }
  }
  return out;
}

function main(argv: string[]): number {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      file: { type: 'string' },
      as: { type: 'string' },
      guest: { type: 'boolean' },
      claims: { type: 'string' },
      type: { type: 'string' },
      size: { type: 'string' },
      via: { type: 'string' },
      'no-filename': { type: 'boolean' },
      write: { type: 'boolean' },
    },
  });
  const [command, action, key] = positionals;
  const loaded = readRules(rulesFilePath(values.file ?? process.env.STORAGE_RULES));
  if (command === 'check') {
    console.log(check(loaded).join('\n'));
    return 0;
  }
  if (command === 'generate') {
    if (values.write) {
      for (const file of writeDeployFiles(loaded.storage)) console.log(`wrote ${file}`);
      return 0;
    }
    const stale = deployFilesDiffer(loaded.storage);
    for (const file of stale) console.error(`${file} differs from what ${loaded.file} generates: npm run rules -- generate --write`);
    return stale.length ? 1 : 0;
  }
  if (command === 'explain') {
    if (!RULE_ACTIONS.includes(action as RuleAction) || key === undefined || (values.as === undefined && !values.guest)) {
      throw new Error('usage: npm run rules -- explain --as <uid> [--guest] [--claims JSON] <read|list|write|delete> <key> [--type T] [--size BYTES] [--via form|put|multipart] [--no-filename]');
    }
    if (values.via !== undefined && !UPLOAD_PATHS.includes(values.via as UploadPath)) throw new Error(`--via must be one of ${UPLOAD_PATHS.join(', ')}`);
    const env = loadConfig(REFERENCE_ENV, loaded.storage).rules;
    const verdict = explain(
      loaded.document,
      env,
      { uid: values.as ?? 'anonymous', guest: values.guest, claims: values.claims === undefined ? {} : (JSON.parse(values.claims) as Record<string, unknown>) },
      {
        action: action as RuleAction,
        key,
        contentType: values.type,
        size: values.size === undefined ? undefined : Number(values.size),
        via: values.via as UploadPath | undefined,
        filename: values['no-filename'] ? false : undefined,
      },
    );
    console.log(`${verdict.allowed ? 'ALLOW' : 'DENY'}  ${verdict.reason}`);
    return verdict.allowed ? 0 : 2;
  }
  throw new Error('usage: npm run rules -- check | explain | generate  (see rules/cli.ts)');
}

if (require.main === module) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (err) {
    console.error(err instanceof RulesFileError || err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  }
}
