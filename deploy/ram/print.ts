// Prints one RAM document (or the bucket CORS rule) with its placeholders filled from s.yaml as it
// renders in this environment, for `aliyun ram ...` and `ossutil` (README.md, "Deploying to Function Compute"):
//   AccountID=<id> OSS_BUCKET=... npx tsx deploy/ram/print.ts upload-role-policy > upload-role-policy.json
//   npx tsx deploy/ram/print.ts bucket-cors [-t s.domain.yaml]

import { parseArgs } from 'node:util';
import { functionConfig } from '../s-yaml/check';
import { ramVarsFromManifest } from '../s-yaml/ram-vars';
import { loadManifest } from '../s-yaml/render';
import { storageRulesOf } from '../../rules/load';
import { bucketCors } from './bucket-cors';
import { renderRamFile, type RamFile } from './render';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { template: { type: 'string', short: 't', default: 's.yaml' } } });
const [name] = positionals;
if (!name) {
  console.error('usage: npx tsx deploy/ram/print.ts <ram file name without .json | bucket-cors> [-t s.yaml]');
  process.exit(2);
}
try {
  const manifest = loadManifest(values.template, { env: process.env, config: { AccountID: process.env.AccountID ?? '' } });
  const storage = storageRulesOf(process.env);
  if (name === 'bucket-cors') {
    const config = functionConfig(manifest.resources.sign?.props ?? {}, storage);
    if ('message' in config) throw new Error(`sign function: ${config.path}: ${config.message}`);
    console.log(JSON.stringify(bucketCors(config.corsOrigins), null, 2));
  } else {
    console.log(JSON.stringify(renderRamFile(name as RamFile, ramVarsFromManifest(manifest, storage)), null, 2));
  }
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}
