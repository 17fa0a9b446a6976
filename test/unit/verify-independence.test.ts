// The local OSS and STS check signatures with local/verify, a second implementation written apart
// from the product's signer, so a signer bug cannot verify itself. These tests read the import
// graph: they fail if the verifier, or the checks that call it, load the signer's code.

import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { resolveSpecifier, runtimeGraph, runtimeImports } from '../helpers/import-graph';

const ROOT = join(__dirname, '..', '..');
const VERIFY = join(ROOT, 'local', 'verify');
const verifierFiles = readdirSync(VERIFY).filter((f) => f.endsWith('.ts')).map((f) => join(VERIFY, f));

/** Modules in the graph that are neither under `folder` nor Node's own (`node:…`). */
function outside(graph: Set<string>, folder: string): string[] {
  return [...graph].filter((m) => !m.startsWith(folder + sep) && !m.startsWith('node:')).map((m) => relative(ROOT, m));
}

const fromShared = (graph: Set<string>, area: string) => [...graph].filter((m) => m.startsWith(join(ROOT, 'shared', area) + sep)).map((m) => relative(ROOT, m));

test('the verifier loads nothing outside local/verify but Node built-ins', () => {
  expect(verifierFiles.length).toBeGreaterThanOrEqual(5);
  expect(outside(runtimeGraph(verifierFiles), VERIFY)).toEqual([]);
});

test.each([['local/oss/auth.ts'], ['local/oss/auth-v4.ts'], ['local/oss/auth-v1.ts'], ['local/sts/authenticate.ts']])(
  '%s (a signature check) loads no module of shared/signer or shared/sts',
  (file) => {
    const graph = runtimeGraph([join(ROOT, file)]);
    expect(graph).toContain(join(VERIFY, 'index.ts'));
    expect([...fromShared(graph, 'signer'), ...fromShared(graph, 'sts')]).toEqual([]);
  },
);

test('the PostObject form check takes from shared/signer only encodePath, which writes the Location of its answer', () => {
  const file = join(ROOT, 'local', 'oss', 'post-object.ts');
  const imports = runtimeImports(readFileSync(file, 'utf8'), file);
  const fromSigner = imports.filter((i) => resolveSpecifier(file, i.specifier).startsWith(join(ROOT, 'shared') + sep));
  expect(fromSigner.map((i) => i.names)).toEqual([['encodePath']]);
  expect(imports.find((i) => resolveSpecifier(file, i.specifier) === join(VERIFY, 'index.ts'))?.names).toEqual(
    expect.arrayContaining(['v4PolicySignature', 'v1PolicySignature']),
  );
});

describe('the import scan', () => {
  it('sees value imports, re-exports, require() and import(), and skips type-only imports', () => {
    const source = [
      "import { signingKey } from '../../shared/signer/v4';",
      "import type { Credentials } from '../../shared/signer/credentials';",
      "import { type QueryPairs } from '../../shared/signer/v4-types';",
      "export * from '../../shared/signer/v1';",
      "const enc = require('../../shared/signer/encode');",
      "void import('../../shared/signer/post');",
    ].join('\n');
    expect(runtimeImports(source).map((i) => i.specifier)).toEqual([
      '../../shared/signer/v4',
      '../../shared/signer/v1',
      '../../shared/signer/encode',
      '../../shared/signer/post',
    ]);
  });

  it('finds a signer module planted two imports deep in a verifier folder', () => {
    const root = mkdtempSync(join(tmpdir(), 'verify-graph-'));
    try {
      const files: Record<string, string> = {
        'local/verify/index.ts': "export * from './v4';\n",
        'local/verify/v4.ts': "import { rfc3986 } from '../../shared/signer/encode';\nexport const x = rfc3986('a');\n",
        'shared/signer/encode.ts': 'export const rfc3986 = (s: string) => s;\n',
      };
      for (const [path, text] of Object.entries(files)) {
        mkdirSync(dirname(join(root, path)), { recursive: true });
        writeFileSync(join(root, path), text);
      }
      const graph = runtimeGraph([join(root, 'local/verify/index.ts')]);
      expect([...graph].filter((m) => !m.startsWith(join(root, 'local/verify') + sep)).map((m) => relative(root, m))).toEqual(['shared/signer/encode.ts']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
