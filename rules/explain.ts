// The rules simulator's verdict on one request, read straight from the rules file as written, the
// way Firebase's rules playground answers: allowed or denied, and the rule that decided. It is written
// apart from the compiler (shared/policy/grants.ts, session-policy.ts): each path becomes a regular
// expression over keys, each subject a plain test of the caller, so the property test can hold the
// compiled session policies, forms and URLs to what this says (test/unit/rules-explain.property.test.ts).
// It shares only the naming rules of keys with the functions: how an id becomes a key segment
// (userSegment), what a content type list allows, how many claim values and groups count.

import type { RuleAction } from '../shared/api/types';
import { isAllowedType } from '../shared/policy/content-type';
import { MAX_GROUPS } from '../shared/policy/grants';
import { type Limits, type UploadPath, userSegment } from '../shared/policy/rules';
import { DEFAULT_MAX_CLAIM_VALUES, type RuleEntry, type RulesDocument } from './document';

/** Who asks: a verified user id and the JWT's claims, or a guest (AUTH_ANONYMOUS). */
export interface ExplainIdentity {
  uid: string;
  claims?: Record<string, unknown>;
  guest?: boolean;
}

/** What is asked: an action on a key (for `list`, the prefix listed), and for a write what it stores. */
export interface ExplainRequest {
  action: RuleAction;
  key: string;
  /** For a write: the content type, bytes, the upload path, and whether a file name comes with it. */
  contentType?: string;
  size?: number;
  via?: UploadPath;
  filename?: boolean;
}

export interface Verdict {
  allowed: boolean;
  /** The path of the rule that decided, as the file writes it; none when no rule's path holds the key. */
  rule?: string;
  reason: string;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A claim as the rules read it: a string or an array of strings; anything else is no value. */
function values(claim: unknown): string[] {
  if (typeof claim === 'string') return [claim];
  return Array.isArray(claim) && claim.every((v) => typeof v === 'string') ? claim : [];
}

/** The caller's values for a placeholder (`uid` or `claims.<name>`), as key segments. */
function callerValues(doc: RulesDocument, who: ExplainIdentity, placeholder: string): string[] {
  if (placeholder === 'uid') return [userSegment(who.uid)];
  const all = values(who.claims?.[placeholder.slice('claims.'.length)]);
  if (all.length > (doc.maxClaimValues ?? DEFAULT_MAX_CLAIM_VALUES)) return [];
  return all.filter((v) => v !== '' && v.isWellFormed()).map(userSegment);
}

/**
 * Whether `key` lies under the rule's path, and whether the caller owns it there (each placeholder's
 * segment is one of the caller's values for it).
 */
function place(doc: RulesDocument, entry: RuleEntry, who: ExplainIdentity, key: string): { under: boolean; owned: boolean } {
  const names: string[] = [];
  const source = entry.path
    .slice(0, -1)
    .split('/')
    .map((segment) => {
      const m = /^\{(.+)\}$/.exec(segment);
      if (!m) return escape(segment);
      names.push(m[1]);
      return '([^/]+)';
    })
    .join('/');
  const match = new RegExp(`^${source}(.*)$`, 's').exec(key);
  if (!match) return { under: false, owned: false };
  const owned = names.every((name, i) => callerValues(doc, who, name).includes(match[i + 1]));
  return { under: true, owned };
}

/** The actions the rule gives this caller on a key, by subject. */
function actionsFor(doc: RulesDocument, entry: RuleEntry, who: ExplainIdentity, owned: boolean): Set<RuleAction> {
  const { guest = [], authenticated = [], owner = [], groups = {} } = entry.allow;
  const out = new Set<RuleAction>(who.guest ? guest : authenticated);
  if (owned) for (const a of owner) out.add(a);
  const mine = doc.groupsClaim === undefined ? [] : values(who.claims?.[doc.groupsClaim]);
  if (mine.length <= MAX_GROUPS) {
    for (const g of mine) if (Object.hasOwn(groups, g)) for (const a of groups[g]) out.add(a);
  }
  return out;
}

/** The first limit of a rule's writes that the request breaks, in words. */
function brokenLimit(doc: RulesDocument, entry: RuleEntry, env: Limits, req: ExplainRequest): string | undefined {
  const w = { ...doc.defaults, ...entry.write };
  const types = w.contentTypes ?? env.allowedContentTypes;
  const min = w.minSize ?? env.minSize;
  const max = w.maxSize ?? env.maxSize;
  const paths = w.uploadPaths ?? env.uploadPaths;
  if (req.contentType !== undefined && !isAllowedType(req.contentType.toLowerCase(), types)) return `${req.contentType} is not one of ${types.join(', ')}`;
  if (req.size !== undefined && req.size > max) return `${req.size} bytes is over ${max}`;
  if (req.size !== undefined && req.size < min) return `${req.size} bytes is under ${min}`;
  if (req.via !== undefined && !paths.includes(req.via)) return `uploads here go by ${paths.join(', ')} only, not ${req.via}`;
  if ((w.requireFilename ?? env.requireFilename) && req.filename === false) return 'every upload here must carry its file name';
  return undefined;
}

/**
 * The verdict of the rules file `doc` on one request by `who`, with `env` the limits a rule's `write`
 * and the file's `defaults` leave to the environment. The rules are read in order: the first whose
 * path holds the key and which gives the caller the action (and, for a write, whose limits the request
 * keeps) allows; otherwise the first whose path holds the key denies, naming itself.
 */
export function explain(doc: RulesDocument, env: Limits, who: ExplainIdentity, req: ExplainRequest): Verdict {
  let refusal: Verdict | undefined;
  for (const entry of doc.rules) {
    const { under, owned } = place(doc, entry, who, req.key);
    if (!under) continue;
    if (!actionsFor(doc, entry, who, owned).has(req.action)) {
      refusal ??= { allowed: false, rule: entry.path, reason: `rule "${entry.path}" does not let ${who.guest ? 'a guest' : who.uid} ${req.action} here` };
      continue;
    }
    const broken = req.action === 'write' ? brokenLimit(doc, entry, env, req) : undefined;
    if (broken === undefined) return { allowed: true, rule: entry.path, reason: `rule "${entry.path}" lets ${who.guest ? 'a guest' : who.uid} ${req.action} here` };
    refusal ??= { allowed: false, rule: entry.path, reason: `rule "${entry.path}": ${broken}` };
  }
  return refusal ?? { allowed: false, reason: `no rule's path holds ${req.key}` };
}
