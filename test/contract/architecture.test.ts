// The dependency rules (.dependency-cruiser.cjs) hold on the tree, and each one is shown to bite: a
// copy of the tree gets one planted module per forbidden edge, and dependency-cruiser must report
// exactly that module, under exactly that rule; another copy gets back the config/policy cycle.

import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
const SOURCES = ['functions', 'shared', 'client', 'local', 'bench', 'scripts', 'deploy', 'rules', 'test/helpers', 'test/setup'];

interface Violation {
  from: string;
  to: string;
  rule: { name: string };
  /** For a cycle: the modules that lead back to `from`. */
  cycle?: { name: string }[];
}

/** dependency-cruiser's violations for `paths`, run in `cwd` with the project's rules. */
function violations(cwd: string, paths: string[]): Violation[] {
  const run = spawnSync(process.execPath, [CLI, '--config', '.dependency-cruiser.cjs', '--output-type', 'json', ...paths], { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (run.stdout === '') throw new Error(`dependency-cruiser failed: ${run.stderr}`);
  return (JSON.parse(run.stdout) as { summary: { violations: Violation[] } }).summary.violations;
}

test('the tree keeps every dependency rule', () => {
  expect(violations(ROOT, ['functions', 'shared', 'client', 'bench', 'scripts', 'rules']).map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`)).toEqual([]);
});

/** One planted module per forbidden edge: its path, its one import, and the rule that must catch it. */
const PLANTED: [string, string, string][] = [
  ['shared/policy/planted-http.ts', "import { jsonResponse } from '../http/response';", 'shared-imports-http'],
  ['shared/planted-http.ts', "import type { Request } from './http/request';", 'shared-imports-http'],
  ['shared/planted-function.ts', "import { signHandler } from '../functions/sign';", 'shared-imports-functions'],
  ['functions/sign/planted-local.ts', "import { startLocalRuntime } from '../../local/runtime';", 'product-imports-tooling'],
  ['shared/planted-test.ts', "import { httpEvent } from '../test/helpers/events';", 'product-imports-tooling'],
  ['shared/signer/planted-bench.ts', "import { judge } from '../../bench/report';", 'product-imports-tooling'],
  ['functions/token/planted-scripts.ts', "import { FUNCTION_BUNDLE } from '../../scripts/bundle-options';", 'product-imports-tooling'],
  ['shared/policy/planted-rules.ts', "import { readRules } from '../../rules/load';", 'product-imports-tooling'],
  ['functions/sign/planted-callback.ts', "import { deliverEvent } from '../callback/deliver';", 'function-imports-function'],
  ['functions/callback/planted-token.ts', "import { tokenHandler } from '../token';", 'function-imports-function'],
  ['client/planted-http.ts', "import type { FcContext } from '../shared/http/event';", 'client-imports-beyond-api'],
  ['client/planted-function.ts', "import { signHandler } from '../functions/sign';", 'client-imports-beyond-api'],
  ['client/planted-shared.ts', "import { mediaType } from '../shared/text';", 'client-imports-beyond-api'],
  ['shared/api/planted-node.ts', "import { createHash } from 'node:crypto';", 'api-imports-anything'],
  ['shared/api/planted-shared.ts', "import { mediaType } from '../text';", 'api-imports-anything'],
  ['bench/planted-test.ts', "import { httpEvent } from '../test/helpers/events';", 'tooling-imports-tests'],
  ['scripts/planted-test.ts', "import { findLeaks } from '../test/setup/leaks';", 'tooling-imports-tests'],
  ['rules/planted-test.ts', "import { findLeaks } from '../test/setup/leaks';", 'tooling-imports-tests'],
];

/** A copy of the tree's sources and of what dependency-cruiser reads, in a temporary folder. */
function copyOfTree(): string {
  const copy = mkdtempSync(join(tmpdir(), 'architecture-'));
  for (const dir of SOURCES) cpSync(join(ROOT, dir), join(copy, dir), { recursive: true });
  for (const file of ['.dependency-cruiser.cjs', 'tsconfig.json', 'package.json']) cpSync(join(ROOT, file), join(copy, file));
  symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'), 'dir');
  return copy;
}

describe('each rule catches the import it forbids, planted in a copy of the tree', () => {
  let copy: string;
  let found: Violation[];

  beforeAll(() => {
    copy = copyOfTree();
    for (const [path, line] of PLANTED) {
      mkdirSync(dirname(join(copy, path)), { recursive: true });
      writeFileSync(join(copy, path), `${line}\nexport const planted = true;\n`);
    }
    found = violations(copy, PLANTED.map(([path]) => path));
  });

  afterAll(() => rmSync(copy, { recursive: true, force: true }));

  test.each(PLANTED)('%s (%s) is reported as %s', (path, _line, rule) => {
    expect(found.filter((v) => v.from === path).map((v) => v.rule.name)).toEqual([rule]);
  });

  test('nothing but the planted modules is reported', () => {
    expect(found.filter((v) => !PLANTED.some(([path]) => path === v.from))).toEqual([]);
  });
});

describe('a cycle is caught', () => {
  let copy: string;

  beforeAll(() => {
    copy = copyOfTree();
  });

  afterAll(() => rmSync(copy, { recursive: true, force: true }));

  test('the one config and the policy had (policy/rules importing config) is reported as a cycle', () => {
    appendFileSync(join(copy, 'shared/policy/rules.ts'), "import type { Config } from '../config';\nexport type Planted = Config;\n");
    const found = violations(copy, ['shared/config.ts']);
    expect([...new Set(found.map((v) => v.rule.name))]).toEqual(['cycle']);
    expect(found.map((v) => [v.from, ...(v.cycle ?? []).map((m) => m.name)].join(' -> '))).toContain('shared/config.ts -> shared/policy/rules.ts -> shared/config.ts');
  });
});
