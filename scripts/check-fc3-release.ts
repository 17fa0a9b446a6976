// Before a deploy: is the fc3 release s.yaml pins published? Serverless Devs stops at once on a missing
// release, after the build, so the deploy workflow asks first and fails with a message that says why.
//   npx tsx scripts/check-fc3-release.ts [-t s.yaml] [--registry <url>]   (default: Serverless Devs' registry)

import { parseArgs } from 'node:util';
import { fc3Pin, missingRelease, SERVERLESS_DEVS_REGISTRY } from '../deploy/s-yaml/fc3-releases';
import { readManifestDoc } from '../deploy/s-yaml/render';

const { values } = parseArgs({
  options: { template: { type: 'string', short: 't', default: 's.yaml' }, registry: { type: 'string', default: SERVERLESS_DEVS_REGISTRY } },
});

async function main(): Promise<number> {
  const doc = readManifestDoc(values.template);
  const vars = (doc.vars ?? {}) as Record<string, unknown>;
  const resources = (doc.resources ?? {}) as Record<string, { component?: unknown }>;
  // Only ${vars.x} is expected in a component; anything else is left for the manifest check to refuse.
  const components = new Set(Object.values(resources).map((r) => String(r.component).replace(/^\$\{vars\.([\w-]+)\}$/, (_, v: string) => String(vars[v]))));
  const versions = [...components].map((c) => fc3Pin(c));
  if (versions.some((v) => v === undefined)) {
    console.error(`${values.template}: every resource must pin fc3 to a version (found ${[...components].join(', ')})`);
    return 1;
  }
  let failed = 0;
  for (const version of new Set(versions as string[])) {
    const why = await missingRelease(version, values.registry);
    if (why) {
      console.error(`${values.template}: ${why}`);
      failed++;
    } else {
      console.log(`fc3@${version} is published at ${values.registry}`);
    }
  }
  return failed === 0 ? 0 : 1;
}

main().then((code) => process.exit(code));
