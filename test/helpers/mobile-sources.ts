// The Android (Kotlin) and iOS (Swift) credential providers of docs/mobile/, parsed with tree-sitter
// grammars from npm (web-tree-sitter; Kotlin from @tree-sitter-grammars/tree-sitter-kotlin, Swift from
// @repomix/tree-sitter-wasms, a wasm build of alex-pinkus/tree-sitter-swift 0.7), and what their code says
// about the HTTP exchange, read from the syntax trees: no TypeScript copy of the providers exists.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Language, type Node, Parser } from 'web-tree-sitter';

export type MobileLanguage = 'kotlin' | 'swift';

const GRAMMARS: Record<MobileLanguage, string> = {
  kotlin: require.resolve('@tree-sitter-grammars/tree-sitter-kotlin/tree-sitter-kotlin.wasm'),
  swift: require.resolve('@repomix/tree-sitter-wasms/out/tree-sitter-swift.wasm'),
};

export const MOBILE_SOURCES: Record<MobileLanguage, string> = {
  kotlin: join(__dirname, '../../docs/mobile/UploadCredentialProvider.kt'),
  swift: join(__dirname, '../../docs/mobile/UploadCredentialProvider.swift'),
};

let ready: Promise<void> | undefined;
const parsers = new Map<MobileLanguage, Parser>();

async function parser(lang: MobileLanguage): Promise<Parser> {
  ready ??= Parser.init({ wasmBinary: readFileSync(require.resolve('web-tree-sitter/web-tree-sitter.wasm')) });
  await ready;
  let p = parsers.get(lang);
  if (!p) {
    p = new Parser();
    // Bytes, not a path: loading by path makes web-tree-sitter import fs dynamically, which jest's CommonJS refuses.
    p.setLanguage(await Language.load(readFileSync(GRAMMARS[lang])));
    parsers.set(lang, p);
  }
  return p;
}

/** Every ERROR or MISSING node, as `line:column text`. */
export async function syntaxErrors(lang: MobileLanguage, source: string): Promise<string[]> {
  const tree = (await parser(lang)).parse(source);
  if (!tree) throw new Error(`tree-sitter returned no tree for ${lang}`);
  const out: string[] = [];
  const walk = (n: Node) => {
    if (n.type === 'ERROR' || n.isMissing) out.push(`${n.startPosition.row + 1}:${n.startPosition.column + 1} ${n.isMissing ? `missing ${n.type}` : n.text.slice(0, 40)}`);
    for (const c of n.children) if (c) walk(c);
  };
  walk(tree.rootNode);
  return out;
}

/** What a provider's code does: the request it makes, the JSON fields it reads, when it refreshes. */
export interface ProviderFacts {
  /** Appended to the token function's base URL. */
  path: string;
  method: string;
  /** Header name → value, with each non-literal part written `<expr>` (e.g. `Bearer <expr>`). */
  headers: Record<string, string>;
  /** Keys of the JSON request body. */
  bodyKeys: string[];
  /** Top-level fields read from the JSON answer (`error` from an error answer, the rest from a 200). */
  answerFields: string[];
  /** The SDK asks for new credentials when fewer than this many seconds remain (seconds). */
  refreshWindowSeconds: number;
  /** How the upload gets the callback /sign pins for its key: the request, and the answer field it reads. */
  callback: {
    /** Appended to the API's base URL. */
    path: string;
    /** Key → value of the JSON request body, each non-literal value written `<expr>` (the object key). */
    body: Record<string, string>;
    /** The top-level answer field holding the callback parameters. */
    answerField: string;
  };
}

function descendants(n: Node, pred: (n: Node) => boolean, out: Node[] = []): Node[] {
  if (pred(n)) out.push(n);
  for (const c of n.namedChildren) if (c) descendants(c, pred, out);
  return out;
}

const isString = (n: Node) => n.type === 'string_literal' || n.type === 'line_string_literal';
const isNumber = (n: Node) => n.type === 'number_literal' || n.type === 'integer_literal';

/** A string literal's value: its content, with each interpolation as `<expr>`; Kotlin's `\$` unescaped. */
function stringValue(n: Node): string {
  let out = '';
  for (const c of n.namedChildren) {
    if (!c) continue;
    if (c.type === 'string_content' || c.type === 'line_str_text') out += c.text;
    else if (c.type === 'escape_sequence' || c.type === 'str_escaped_char') out += c.text.slice(1);
    else out += '<expr>';
  }
  return out;
}

/** A value built from literals and expressions (`"Bearer " + appToken()`, `"Bearer \(appToken())"`). */
function valueTemplate(n: Node): string {
  if (isString(n)) return stringValue(n);
  if (n.type === 'binary_expression' || n.type === 'additive_expression') {
    return n.namedChildren.filter((c): c is Node => c !== null).map(valueTemplate).join('');
  }
  if (n.type === 'value_argument') return n.namedChildren.filter((c): c is Node => c !== null && c.type !== 'value_argument_label').map(valueTemplate).join('');
  return '<expr>';
}

/** Named constants: `const val X = …` (Kotlin), `static let x = …` (Swift). */
function constants(root: Node): Map<string, string> {
  const out = new Map<string, string>();
  for (const decl of descendants(root, (n) => n.type === 'property_declaration')) {
    const name = descendants(decl, (n) => n.type === 'identifier' || n.type === 'simple_identifier')[0];
    const literal = decl.namedChildren.find((c): c is Node => c !== null && (isString(c) || isNumber(c)));
    if (name && literal) out.set(name.text, isString(literal) ? stringValue(literal) : literal.text.replace(/[_L]/g, ''));
  }
  return out;
}

/** The function or method declared with this name (Kotlin `fun name`, Swift `func name`). */
function fn(root: Node, name: string): Node {
  const found = descendants(root, (n) => n.type === 'function_declaration').find(
    (d) => d.namedChildren.find((c): c is Node => c !== null && (c.type === 'identifier' || c.type === 'simple_identifier'))?.text === name,
  );
  return need(found, `the function ${name}`);
}

/** Key → value template of the string-keyed dictionary literals in `n` (Swift `["op": "callback"]`). */
function dictionaryPairs(n: Node): [string, string][] {
  return descendants(n, (d) => d.type === 'dictionary_literal').flatMap((d) => {
    const parts = d.namedChildren.filter((c): c is Node => c !== null);
    const pairs: [string, string][] = [];
    for (let i = 0; i + 1 < parts.length; i += 2) if (isString(parts[i])) pairs.push([stringValue(parts[i]), valueTemplate(parts[i + 1])]);
    return pairs;
  });
}

/** Calls of a method by name, with their own argument nodes (node objects are not unique: compare ids). */
function calls(root: Node, method: string): Node[][] {
  return descendants(root, (n) => n.type === 'call_expression')
    .filter((call) => {
      const callee = call.namedChildren[0];
      const last = callee?.type === 'navigation_expression' ? descendants(callee, (n) => n.type === 'identifier' || n.type === 'simple_identifier').at(-1) : undefined;
      return last?.text === method;
    })
    .map((call) => descendants(call.namedChildren[call.namedChildren.length - 1] as Node, (n) => n.type === 'value_argument').filter((a) => a.parent?.parent?.id === call.id || a.parent?.parent?.parent?.id === call.id));
}

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined || value === null || (typeof value === 'number' && Number.isNaN(value))) throw new Error(`not found in the source: ${what}`);
  return value;
}

export async function providerFacts(lang: MobileLanguage): Promise<ProviderFacts> {
  const source = readFileSync(MOBILE_SOURCES[lang], 'utf8');
  const tree = (await parser(lang)).parse(source);
  if (!tree) throw new Error(`tree-sitter returned no tree for ${lang}`);
  const root = tree.rootNode;
  const k = constants(root);
  const names = lang === 'kotlin'
    ? { path: 'TOKEN_PATH', signPath: 'SIGN_PATH', method: 'API_METHOD', window: 'SDK_REFRESH_WINDOW_SECONDS', token: 'getFederationToken', sign: 'pinnedCallback', post: 'post' }
    : { path: 'tokenPath', signPath: 'signPath', method: 'apiMethod', window: 'sdkRefreshWindowSeconds', token: 'fetchToken', sign: 'pinnedCallback', post: 'post' };
  // Each exchange is read from its own function; the request itself (headers, method) from the one both use.
  const [token, sign, post] = [fn(root, names.token), fn(root, names.sign), fn(root, names.post)];

  const headers: Record<string, string> = {};
  if (lang === 'kotlin') {
    for (const [name, value] of calls(post, 'setRequestProperty')) if (name && value) headers[valueTemplate(name)] = valueTemplate(value);
  } else {
    for (const args of calls(post, 'setValue')) {
      const field = args.find((a) => a.namedChildren[0]?.type === 'value_argument_label' && a.namedChildren[0]?.text === 'forHTTPHeaderField');
      const value = args.find((a) => a !== field);
      if (field && value) headers[valueTemplate(field)] = valueTemplate(value);
    }
  }

  let bodyKeys: string[];
  let answerFields: string[];
  let signBody: [string, string][];
  let signAnswer: string[];
  if (lang === 'kotlin') {
    const puts = (n: Node) => calls(n, 'put').flatMap(([key, value]) => (key ? [[valueTemplate(key), value ? valueTemplate(value) : '']] : [])) as [string, string][];
    const reads = (n: Node, method: string) => calls(n, method).map(([key]) => (key ? valueTemplate(key) : '')).filter((f) => f && !f.includes('<expr>'));
    bodyKeys = puts(token).map(([key]) => key);
    answerFields = [token, post].flatMap((n) => [...reads(n, 'getString'), ...reads(n, 'getJSONObject')]);
    signBody = puts(sign);
    signAnswer = reads(sign, 'getJSONObject');
  } else {
    bodyKeys = dictionaryPairs(token).map(([key]) => key);
    // `json["Field"]`: a subscript on `json` whose argument is a string literal.
    const reads = (n: Node) =>
      descendants(n, (d) => /^json\["[A-Za-z]+"\]$/.test(d.text) && d.namedChildren.some((c) => c?.text === 'json'))
        .map((d) => descendants(d, isString).map(stringValue)[0])
        .filter((f): f is string => f !== undefined);
    answerFields = [token, post].flatMap(reads);
    signBody = dictionaryPairs(sign);
    signAnswer = reads(sign);
  }

  return {
    path: need(k.get(names.path), names.path),
    method: need(k.get(names.method), names.method),
    headers,
    bodyKeys: [...new Set(bodyKeys)],
    answerFields: [...new Set(answerFields)],
    refreshWindowSeconds: need(Number(k.get(names.window)), names.window),
    callback: {
      path: need(k.get(names.signPath), names.signPath),
      body: Object.fromEntries(signBody),
      answerField: need(signAnswer[0], `the answer field ${names.sign} reads`),
    },
  };
}
