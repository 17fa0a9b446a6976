// SECURITY.md is checked against the suite: every test file and test it cites exists (by its full
// name, as jest names it), the counts it gives are the suite's, every mutation of
// scripts/security-mutations.ts is killed by tests SECURITY.md cites, and TESTING.md lists them all.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MUTATIONS } from '../../scripts/security-mutations';
import { BAD_INPUTS } from './bad-input.cases';
import { BROKEN_TOKENS } from './jwts';

const ROOT = join(__dirname, '..', '..');
const SECURITY = readFileSync(join(ROOT, 'SECURITY.md'), 'utf8');
const TESTING = readFileSync(join(ROOT, 'TESTING.md'), 'utf8');

interface Citation {
  file: string;
  name: string;
}

/** Every `test/…test.ts` — "name", "name" in the document; a file cited without names gives none. */
function citations(doc: string): { files: string[]; tests: Citation[] } {
  const files = [...doc.matchAll(/`(test\/[^`\s]+\.test\.ts)`/g)].map((m) => m[1]);
  const tests: Citation[] = [];
  for (const m of doc.matchAll(/`(test\/[^`\s]+\.test\.ts)` — ((?:"(?:\\.|[^"\\])*"(?:, )?)+)/g)) {
    for (const q of m[2].matchAll(/"((?:\\.|[^"\\])*)"/g)) tests.push({ file: m[1], name: q[1].replace(/\\"/g, '"') });
  }
  return { files: [...new Set(files)], tests };
}

/** The full name of every test in `files`, as jest collects them (test.each rendered), without running any. */
function collectedNames(files: string[]): Map<string, Set<string>> {
  const out = mkdtempSync(join(tmpdir(), 'security-md-'));
  try {
    // A name pattern nothing matches: jest collects every test and skips it, hooks included.
    spawnSync(join(ROOT, 'node_modules', '.bin', 'jest'), ['--ci', '--json', `--outputFile=${join(out, 'r.json')}`, '-t', '^(?!)', ...files], { cwd: ROOT, encoding: 'utf8' });
    const report = JSON.parse(readFileSync(join(out, 'r.json'), 'utf8')) as {
      testResults: { name: string; assertionResults: { ancestorTitles: string[]; title: string }[] }[];
    };
    return new Map(report.testResults.map((f) => [f.name.slice(ROOT.length + 1), new Set(f.assertionResults.map((a) => [...a.ancestorTitles, a.title].join(' › ')))]));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** A cited name matches a collected one exactly, or, when it is a template (%s, %p, …), some rendering of it. */
function cited(names: Set<string> | undefined, name: string): boolean {
  if (!names) return false;
  if (!/%[sdipj#]/.test(name)) return names.has(name);
  const pattern = new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%[sdipj#]/g, '.+')}$`);
  return [...names].some((n) => pattern.test(n));
}

const { files, tests } = citations(SECURITY);

test('SECURITY.md cites test files, and every one exists', () => {
  expect(files.length).toBeGreaterThanOrEqual(20);
  expect(files.filter((f) => !existsSync(join(ROOT, f)))).toEqual([]);
});

test('every test SECURITY.md cites exists, by file and full name', () => {
  expect(tests.length).toBeGreaterThanOrEqual(60);
  const names = collectedNames([...new Set(tests.map((t) => t.file))]);
  expect(tests.filter((t) => !cited(names.get(t.file), t.name))).toEqual([]);
}, 120_000);

test('every mutation of npm run test:security-mutations is killed by tests SECURITY.md cites, and TESTING.md lists it with them', () => {
  const citedNames = new Set(tests.map((t) => `${t.file}\n${t.name}`));
  for (const m of MUTATIONS) {
    expect([m.id, m.killers.length > 0]).toEqual([m.id, true]);
    // A killer is cited by its own name, or by the template it was rendered from.
    const uncited = m.killers.filter((k) => !citedNames.has(`${k.file}\n${k.name}`) && !tests.some((t) => t.file === k.file && cited(new Set([k.name]), t.name)));
    expect([m.id, uncited]).toEqual([m.id, []]);
    expect([m.id, TESTING.includes(`\`${m.id}\``)]).toEqual([m.id, true]);
    expect([m.id, m.killers.filter((k) => !TESTING.includes(k.name)).map((k) => k.name)]).toEqual([m.id, []]);
  }
});

describe('the counts SECURITY.md gives are the suite’s', () => {
  const count = (endpoint: string) => BAD_INPUTS.filter((c) => c.endpoint === endpoint).length;

  test('bad inputs: in all, per endpoint, and those sent as Function Compute events', () => {
    const m = /sends (\d+) generated bad inputs over real HTTP to\s+the local runtime \(token (\d+), sign (\d+), callback (\d+); (\d+) of them are malformed Function Compute\s+events/.exec(SECURITY);
    expect(m?.slice(1).map(Number)).toEqual([BAD_INPUTS.length, count('token'), count('sign'), count('callback'), BAD_INPUTS.filter((c) => c.what.startsWith('an FC event')).length]);
    expect(SECURITY).toContain(`(${BAD_INPUTS.length} bad inputs over the three endpoints, `);
  });

  test('the tests of the bad-input file, and the kinds of broken JWT', () => {
    const total = /(\d+) tests in all; see below/.exec(SECURITY)?.[1];
    const names = collectedNames(['test/hardening/bad-input.test.ts']).get('test/hardening/bad-input.test.ts');
    expect(Number(total)).toBe(names?.size);
    expect(SECURITY).toContain(`${names?.size} tests with the file-name`);
    expect([...SECURITY.matchAll(/(\d+) kinds of broken (?:JWT|token)/g)].map((k) => Number(k[1]))).toEqual([BROKEN_TOKENS.length, BROKEN_TOKENS.length]);
  }, 60_000);
});
