// The runtime import graph of TypeScript sources, read with the TypeScript parser: static imports
// and re-exports (type-only ones left out, as they vanish when compiled), require() and import().

import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import ts from 'typescript';

function isTypeOnlyImport(node: ts.ImportDeclaration): boolean {
  const clause = node.importClause;
  if (!clause) return false; // `import './x'` runs x
  if (clause.isTypeOnly) return true;
  const named = clause.namedBindings;
  return !clause.name && named !== undefined && ts.isNamedImports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly);
}

function isTypeOnlyExport(node: ts.ExportDeclaration): boolean {
  if (node.isTypeOnly) return true;
  const named = node.exportClause;
  return named !== undefined && ts.isNamedExports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly);
}

export interface RuntimeImport {
  /** As written in the source. */
  specifier: string;
  /** The named bindings taken (type-only ones left out); undefined when the whole module is (default, namespace, export *, require). */
  names?: string[];
}

function valueNames(elements: ts.NodeArray<ts.ImportSpecifier | ts.ExportSpecifier>): string[] {
  return elements.filter((e) => !e.isTypeOnly).map((e) => (e.propertyName ?? e.name).text);
}

/** What a source loads at run time. */
export function runtimeImports(source: string, fileName = 'source.ts'): RuntimeImport[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.ES2022, true);
  const out: RuntimeImport[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier) && !isTypeOnlyImport(node)) {
      const clause = node.importClause;
      const named = clause?.namedBindings;
      const onlyNamed = clause !== undefined && !clause.name && named !== undefined && ts.isNamedImports(named);
      out.push({ specifier: node.moduleSpecifier.text, names: onlyNamed ? valueNames(named.elements) : undefined });
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier) && !isTypeOnlyExport(node)) {
      const named = node.exportClause;
      out.push({ specifier: node.moduleSpecifier.text, names: named && ts.isNamedExports(named) ? valueNames(named.elements) : undefined });
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) && ts.isStringLiteral(node.moduleReference.expression)) {
      out.push({ specifier: node.moduleReference.expression.text });
    } else if (ts.isCallExpression(node) && node.arguments.length === 1 && ts.isStringLiteralLike(node.arguments[0])) {
      const callee = node.expression;
      if (callee.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === 'require')) out.push({ specifier: node.arguments[0].text });
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return out;
}

/** A relative specifier resolved to its file; a package or builtin name is returned as it is. */
export function resolveSpecifier(fromFile: string, specifier: string): string {
  if (!specifier.startsWith('.')) return specifier;
  const base = resolve(dirname(fromFile), specifier);
  for (const candidate of [base, `${base}.ts`, `${base}.json`, join(base, 'index.ts')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  throw new Error(`${fromFile}: cannot resolve ${specifier}`);
}

/** Every module reachable at run time from `entries` (absolute paths), entries included. */
export function runtimeGraph(entries: string[]): Set<string> {
  const seen = new Set<string>();
  const queue = [...entries];
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    if (!file.endsWith('.ts')) continue;
    for (const { specifier } of runtimeImports(readFileSync(file, 'utf8'), file)) queue.push(resolveSpecifier(file, specifier));
  }
  return seen;
}
