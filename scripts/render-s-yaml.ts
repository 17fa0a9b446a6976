// Renders s.yaml offline as Serverless Devs would (env, vars, templates) and prints the result, or with
// --check lists what is wrong with it and exits non-zero. The deploy workflow runs --check before
// `s deploy`; npm test runs the same checks with a fixed environment. The functions are checked with the
// storage rules the build bundles (STORAGE_RULES, storage.rules.yaml by default), so set it as for the build.
//   AccountID=<id> npx tsx scripts/render-s-yaml.ts [-t s.yaml] [--check]

import { parseArgs } from 'node:util';
import { checkManifest, formatProblems } from '../deploy/s-yaml/check';
import { loadManifest } from '../deploy/s-yaml/render';
import { storageRulesOf } from '../rules/load';

const { values } = parseArgs({
  options: { template: { type: 'string', short: 't', default: 's.yaml' }, check: { type: 'boolean', default: false } },
});
try {
  const manifest = loadManifest(values.template, { env: process.env, config: { AccountID: process.env.AccountID ?? '' } });
  if (!values.check) {
    console.log(JSON.stringify(manifest, null, 2));
  } else {
    const problems = checkManifest(manifest, storageRulesOf(process.env));
    if (problems.length > 0) {
      console.error(`${values.template}: ${problems.length} problem(s)\n${formatProblems(problems)}`);
      process.exit(1);
    }
    console.log(`${values.template}: fit to deploy`);
  }
} catch (err) {
  console.error(`${values.template}: ${(err as Error).message}`);
  process.exit(1);
}
