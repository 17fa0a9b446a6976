// The README's "Project layout" is the tree: every folder it names exists, and every folder of the
// tree that holds code is named (shared/ and functions/ down to their own folders).

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const block = /## Project layout\n\n```\n([\s\S]*?)```/.exec(README)?.[1] ?? '';
const named = block
  .split('\n')
  .map((line) => /^(\S+\/)\s/.exec(line)?.[1])
  .filter((path): path is string => path !== undefined);

const dirs = (path: string) => readdirSync(join(ROOT, path), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => `${path}${e.name}/`);
// Generated and git-ignored: builds, coverage, test output, npm run test:mutation's reports.
const IGNORED = /^(node_modules|dist|coverage|test-results|reports|\.local-data|\..*)\/$/;

test('every folder the layout names exists', () => {
  expect(named.filter((path) => !existsSync(join(ROOT, path)))).toEqual([]);
});

test('every top-level folder, function and shared module folder is in the layout', () => {
  const tree = [...dirs('').filter((d) => !IGNORED.test(d) && d !== 'functions/'), ...dirs('functions/'), ...dirs('shared/')];
  expect(tree.filter((path) => !named.includes(path))).toEqual([]);
});
