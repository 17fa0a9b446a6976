// Reading a storage rules file (YAML or JSON): parsed with `yaml`, which keeps every node's place so
// a problem names its line; checked against the schema with Ajv; compiled (rules/compile.ts); its
// limits merged under the environment it is checked with (shared/config); and every grant shown to
// fit STS's session policy limit for the longest bucket name, so a rule that cannot fit fails here,
// when the rules are loaded, never when a caller asks.

import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import Ajv, { type ErrorObject } from 'ajv';
import { type Document, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import { type Env, loadConfig, RulesError } from '../shared/config';
import { globMatch, instances } from '../shared/policy/path-pattern';
import { SESSION_POLICY_MAX } from '../shared/policy/session-policy';
import { pointerText, type RulesPointer, type StorageRules } from '../shared/policy/storage-rules';
import { compileDocument } from './compile';
import { RULES_SCHEMA, type RulesDocument } from './document';
import { largestSessionPolicy } from './fits';

/** The repository root: where `storage.rules.yaml` and a relative STORAGE_RULES are found. */
const ROOT = join(__dirname, '..');

/** The rules file when STORAGE_RULES names none. */
export const DEFAULT_RULES_FILE = 'storage.rules.yaml';

/** One problem in a rules file, with its line when it has one. */
export interface RulesProblem {
  line?: number;
  message: string;
}

/** A rules file that cannot be used; the message lists every problem as `file:line: what`. */
export class RulesFileError extends Error {
  override name = 'RulesFileError';
  constructor(
    readonly file: string,
    readonly problems: RulesProblem[],
  ) {
    super(problems.map((p) => `${file}${p.line ? `:${p.line}` : ''}: ${p.message}`).join('\n'));
  }
}

/** A rules file read, checked and compiled. */
export interface LoadedRules {
  file: string;
  document: RulesDocument;
  /** What the functions take (bundled into each by the build). */
  storage: StorageRules;
}

/** The rules file a setting names (STORAGE_RULES, relative to the repository root), or the default one. */
export function rulesFilePath(setting: string | undefined): string {
  const file = setting?.trim() || DEFAULT_RULES_FILE;
  return isAbsolute(file) ? file : join(ROOT, file);
}

/** The environment a rules file is checked under unless a deployment's is given: every default, and the longest bucket name OSS allows. */
export const REFERENCE_ENV: Env = { OSS_BUCKET: 'a'.repeat(63), OSS_REGION: 'cn-hangzhou' };

const ajv = new Ajv({ allErrors: true, strict: true });
const validate = ajv.compile<RulesDocument>(RULES_SCHEMA);

/**
 * The line of the place `at` names (with `key`, a field of the map there): the line of its key when it
 * is a map's field, of its item when it is a list's, or of the nearest place above it that exists.
 */
function lineOf(doc: Document, lines: LineCounter, at: RulesPointer, key?: string): number | undefined {
  const path = key === undefined ? at : [...at, key];
  for (let depth = path.length; depth > 0; depth--) {
    const parent = depth === 1 ? doc.contents : doc.getIn(path.slice(0, depth - 1), true);
    const last = path[depth - 1];
    if (isMap(parent)) {
      const pair = parent.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === last);
      if (pair && isScalar(pair.key) && pair.key.range) return lines.linePos(pair.key.range[0]).line;
    }
    if (isSeq(parent) && typeof last === 'number') {
      const range = (parent.items[last] as { range?: [number, number, number] } | undefined)?.range;
      if (range) return lines.linePos(range[0]).line;
    }
  }
  const range = (doc.contents as { range?: [number, number, number] } | null)?.range;
  return range ? lines.linePos(range[0]).line : undefined;
}

function pointerOf(instancePath: string): RulesPointer {
  return instancePath
    .split('/')
    .slice(1)
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p.replace(/~1/g, '/').replace(/~0/g, '~')));
}

function schemaMessage(e: ErrorObject): { at: RulesPointer; key?: string; message: string } {
  const at = pointerOf(e.instancePath);
  const where = (extra?: string) => pointerText(extra === undefined ? at : [...at, extra]) || 'the file';
  switch (e.keyword) {
    case 'additionalProperties': {
      const extra = (e.params as { additionalProperty: string }).additionalProperty;
      return { at, key: extra, message: `${where(extra)}: is not a field here` };
    }
    case 'required': {
      const missing = (e.params as { missingProperty: string }).missingProperty;
      return { at, message: `${where(missing)}: is missing` };
    }
    case 'enum':
      return { at, message: `${where()}: must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}` };
    default:
      return { at, message: `${where()}: ${e.message ?? 'is invalid'}` };
  }
}

/**
 * The rules of a YAML or JSON text, checked and compiled; `env` is the deployment's environment to
 * check the limits under (the defaults otherwise). Throws RulesFileError listing every problem the
 * first failing stage finds, each with its line.
 */
export function parseRules(text: string, file: string, env: Env = REFERENCE_ENV): LoadedRules {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  if (doc.errors.length > 0) {
    throw new RulesFileError(file, doc.errors.map((e) => ({ line: e.linePos?.[0].line, message: e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '') })));
  }
  const value: unknown = doc.toJS();
  if (!validate(value)) {
    throw new RulesFileError(file, (validate.errors ?? []).map((e) => {
      const m = schemaMessage(e);
      return { line: lineOf(doc, lines, m.at, m.key), message: m.message };
    }));
  }
  const fail = (at: RulesPointer, problem: string): never => {
    throw new RulesFileError(file, [{ line: lineOf(doc, lines, at), message: `${pointerText(at)}: ${problem}` }]);
  };
  const storage = compileDocument(value, fail);
  let rules;
  try {
    rules = loadConfig({ ...REFERENCE_ENV, ...env }, storage).rules;
  } catch (err) {
    if (err instanceof RulesError) fail(err.at, err.problem);
    throw err;
  }
  const largest = largestSessionPolicy({ ...rules, bucket: REFERENCE_ENV.OSS_BUCKET as string });
  if (largest && largest.length > SESSION_POLICY_MAX) {
    const who = largest.guest ? 'a guest' : 'a caller with 64-character ids and claim values, in every group the rules name,';
    const at = rules.paths.findIndex((r) => instances(r.tokens).some((p) => p.startsWith(largest.folder) || globMatch(p, `${largest.folder}x`)));
    fail(['rules', Math.max(at, 0), 'path'], `${who} asking for every action under ${largest.folder} needs a session policy of ${largest.length} characters (for the longest bucket name); STS accepts ${SESSION_POLICY_MAX}: lower maxClaimValues, shorten the paths or split the rules`);
  }
  return { file, document: value, storage };
}

/** The rules file at `path` (rulesFilePath), read, checked and compiled; throws RulesFileError. */
export function readRules(path: string, env?: Env): LoadedRules {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new RulesFileError(path, [{ message: `cannot be read: ${(err as NodeJS.ErrnoException).code ?? 'error'}` }]);
  }
  return parseRules(text, path, env);
}

const loaded = new Map<string, StorageRules>();

/**
 * The compiled rules of the file `env` names (STORAGE_RULES, storage.rules.yaml by default), read
 * once per path: what the local runtime, the build and the tests hand the functions. The file is
 * checked on its own (every default, the longest bucket name); its limits meet the deployment's
 * environment when the functions load their configuration. Throws RulesFileError.
 */
export function storageRulesOf(env: Env): StorageRules {
  const path = rulesFilePath(env.STORAGE_RULES);
  let storage = loaded.get(path);
  if (!storage) {
    storage = readRules(path).storage;
    loaded.set(path, storage);
  }
  return storage;
}
