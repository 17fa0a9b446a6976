// The storage rules as the functions take them: the rules file (storage.rules.yaml) read, checked
// against its schema and compiled by the tooling in rules/ (its paths parsed into tokens, its grants
// and limits checked, every grant shown to fit STS's policy limit), and bundled into each function
// as JSON, so no YAML parser or schema validator ships in a bundle. Here each rule gets its limits:
// the environment's settings, overridden by the file's `defaults` and the rule's own `write`.

import type { RuleAction } from '../api/types';
import { templateTokens, type PathToken } from './path-pattern';
import type { Allow, Limits, PathRule, UploadPath } from './rules';

/** Limits a rules file may set for writes, in its `defaults` or a rule's `write`. */
export interface WriteRules {
  /** Lower-case media types, `image/*` wildcards allowed. */
  contentTypes?: string[];
  /** Bytes. */
  minSize?: number;
  /** Bytes. */
  maxSize?: number;
  /** May an upload replace an object (false: x-oss-forbid-overwrite on every signed write)? */
  overwrite?: boolean;
  uploadPaths?: UploadPath[];
  /** The longest a URL or form for a write may live, in seconds. */
  maxExpiresSeconds?: number;
  requireFilename?: boolean;
}

/** One rule of the file, compiled: its path as written and as tokens, who may do what, its own write limits. */
export interface RuleSpec {
  path: string;
  tokens: PathToken[];
  allow: Allow;
  write: WriteRules;
}

/** A compiled rules file: what the build bundles into each function. */
export interface StorageRules {
  /** The JWT claim holding the caller's groups (a string or an array of strings). */
  groupsClaim?: string;
  /** How many values of one claim a placeholder takes. */
  maxClaimValues: number;
  defaults: WriteRules;
  rules: RuleSpec[];
}

/** Where in the rules file a problem is: `['rules', 2, 'path']`. */
export type RulesPointer = (string | number)[];

/** A place in the rules file as people read it: `rules[2].write.maxSize`. */
export function pointerText(at: RulesPointer): string {
  return at.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i > 0 ? '.' : ''}${p}`)).join('');
}

/** Reports a problem at a place in the rules file; must throw. */
export type RulesFail = (at: RulesPointer, expected: string) => never;

const EVERY_ACTION: RuleAction[] = ['read', 'write', 'list', 'delete'];

/** The rule of a deployment without a rules file: its owners do everything under UPLOAD_PREFIX. */
export function environmentRule(template: string, limits: Limits): PathRule {
  return {
    path: `${template.replace('${uid}', '{uid}')}*`,
    tokens: templateTokens(template),
    allow: { guest: [], authenticated: [], owner: EVERY_ACTION, groups: {} },
    limits,
  };
}

/**
 * Whether a compiled file says no more than an UPLOAD_PREFIX does: one rule, `<folder>{uid}/*`, whose
 * owner may do everything and nobody else anything, with no limits of its own (the default
 * storage.rules.yaml). Such a file gives way to UPLOAD_PREFIX when a deployment sets it.
 */
export function prefixOnly(storage: StorageRules): boolean {
  if (storage.rules.length !== 1 || storage.groupsClaim !== undefined || Object.keys(storage.defaults).length > 0) return false;
  const [{ tokens, allow, write }] = storage.rules;
  const shape = tokens.map((t) => ('literal' in t ? 'literal' : 'uid' in t ? 'uid' : 'claim')).join(',');
  const everyone = [allow.guest, allow.authenticated, ...Object.values(allow.groups)].every((a) => a.length === 0);
  return (
    (shape === 'literal,uid,literal' || shape === 'uid,literal') &&
    (tokens[tokens.length - 1] as { literal: string }).literal === '/' &&
    everyone &&
    EVERY_ACTION.every((a) => allow.owner.includes(a)) &&
    Object.keys(write).length === 0
  );
}

/**
 * The limits of writes under one rule: `write` over `defaults` over the environment's. Lifetimes stay
 * within half the STS credentials' (shared/config says why); a rule's maxExpiresSeconds also caps
 * the default URL and form lifetimes. `fail` names the setting that breaks them.
 */
function limitsOf(env: Limits, defaults: WriteRules, write: WriteRules, at: RulesPointer, stsDurationSeconds: number, fail: RulesFail): Limits {
  const from = (name: keyof WriteRules): RulesPointer => (write[name] !== undefined ? [...at, name] : ['defaults', name]);
  const w = { ...defaults, ...write };
  const limits: Limits = {
    ...env,
    allowedContentTypes: w.contentTypes ?? env.allowedContentTypes,
    minSize: w.minSize ?? env.minSize,
    maxSize: w.maxSize ?? env.maxSize,
    forbidOverwrite: w.overwrite === undefined ? env.forbidOverwrite : !w.overwrite,
    uploadPaths: w.uploadPaths ?? env.uploadPaths,
    requireFilename: w.requireFilename ?? env.requireFilename,
  };
  if (limits.minSize > limits.maxSize) fail(from(w.minSize !== undefined ? 'minSize' : 'maxSize'), `minSize (${limits.minSize}) must not exceed maxSize (${limits.maxSize}), with UPLOAD_MIN_SIZE and UPLOAD_MAX_SIZE for what the file leaves out`);
  if (w.maxExpiresSeconds !== undefined) {
    const max = Math.floor(stsDurationSeconds / 2);
    if (w.maxExpiresSeconds > max) {
      fail(from('maxExpiresSeconds'), `must be at most half of STS_DURATION_SECONDS (${max} of ${stsDurationSeconds}): URLs and forms die with the STS credentials that sign them`);
    }
    limits.maxUrlExpiresSeconds = w.maxExpiresSeconds;
    limits.urlExpiresSeconds = Math.min(env.urlExpiresSeconds, w.maxExpiresSeconds);
    limits.postExpiresSeconds = Math.min(env.postExpiresSeconds, w.maxExpiresSeconds);
  }
  return limits;
}

/** The rules of a compiled file, in its order, each with its limits under this environment. */
export function pathRules(storage: StorageRules, env: Limits, stsDurationSeconds: number, fail: RulesFail): PathRule[] {
  return storage.rules.map((spec, i) => ({
    path: spec.path,
    tokens: spec.tokens,
    allow: spec.allow,
    limits: limitsOf(env, storage.defaults, spec.write, ['rules', i, 'write'], stsDurationSeconds, fail),
  }));
}
