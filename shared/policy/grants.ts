// What the storage rules give one caller: the RAM object patterns of each action (guest,
// authenticated and group grants see every placeholder as `*`; an owner's are filled from the
// caller's identity), the grant of one key or folder that /sign signs with, the scope /token vends,
// and which rules an uploaded key falls under for the callback and the OSS event path.

import { ApiError } from '../api/errors';
import { RULE_ACTIONS, type RuleAction } from '../api/types';
import { validateKey } from './keys';
import { type Binding, expressible, globMatch, instances, oneSegment, placeholderValues, scopeWithin } from './path-pattern';
import { type Grant, isUserSegment, type PathRule, type Rules, rulesUnder, type Scope, userSegment } from './rules';

/** Group names a caller may hold: beyond this many, no group grant applies to it. */
export const MAX_GROUPS = 32;

/** Who is calling, as the rules see it. */
export interface Caller {
  uid: string;
  /** The user id's key segment (userSegment). */
  user: string;
  /** An unauthenticated caller (AUTH_ANONYMOUS): `guest` grants, not `authenticated` ones. */
  guest: boolean;
  /** The caller's values for `{uid}` and each claim placeholder, as key segments. */
  binding: Binding;
  /** The caller's groups (from the rules' groups claim). */
  groups: readonly string[];
  /** Claims with more values than the rules take: grants that depend on them do not apply. */
  overLimit: readonly string[];
}

/** A verified identity: the user id, the JWT's claims, and whether the caller is a guest. */
export interface CallerIdentity {
  uid: string;
  claims?: Readonly<Record<string, unknown>>;
  guest?: boolean;
}

/** A claim's values: a string, or an array of strings (anything else counts as absent). */
function claimValues(value: unknown): string[] | undefined {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as string[];
  return undefined;
}

/**
 * The caller the rules see: `{uid}` from the id (`user`, its key segment, unless the caller is
 * already known by its segment), each claim placeholder from the claim of that name, every value a
 * key segment by userSegment's rule (safe values as they are, others hashed), at most
 * `rules.maxClaimValues` of them; groups from the rules' groups claim, at most MAX_GROUPS. A claim
 * with more values fills nothing. Throws ApiError InvalidUser for an unusable id.
 */
export function callerOf(identity: CallerIdentity, rules: Rules, user = userSegment(identity.uid)): Caller {
  const overLimit: string[] = [];
  const claims: Record<string, string[]> = {};
  for (const rule of rules.paths) {
    for (const token of rule.tokens) {
      if (!('claim' in token) || token.claim in claims) continue;
      const values = claimValues(identity.claims?.[token.claim]) ?? [];
      if (values.length > rules.maxClaimValues) overLimit.push(token.claim);
      const segments = values.length > rules.maxClaimValues ? [] : values.filter((v) => v !== '' && v.isWellFormed()).map(userSegment);
      claims[token.claim] = [...new Set(segments)];
    }
  }
  let groups = (rules.groupsClaim === undefined ? undefined : claimValues(identity.claims?.[rules.groupsClaim])) ?? [];
  if (groups.length > MAX_GROUPS) {
    overLimit.push(rules.groupsClaim as string);
    groups = [];
  }
  return { uid: identity.uid, user, guest: identity.guest === true, binding: { uid: user, claims }, groups, overLimit };
}

/** The RAM object patterns (without the bucket) under which a rule lets `caller` do `action`. */
export function rulePatterns(rule: PathRule, caller: Caller, action: RuleAction): string[] {
  const out = new Set<string>();
  const everyone = caller.guest ? rule.allow.guest : rule.allow.authenticated;
  if (everyone.includes(action) || caller.groups.some((g) => Object.hasOwn(rule.allow.groups, g) && rule.allow.groups[g].includes(action))) {
    for (const p of instances(rule.tokens)) out.add(p);
  }
  if (rule.allow.owner.includes(action)) for (const p of instances(rule.tokens, caller.binding)) out.add(p);
  return [...out];
}

function ruleDenied(rule: PathRule, message: string, caller: Caller): ApiError {
  const limited = caller.overLimit.length > 0 ? `; your ${caller.overLimit.join(', ')} claim has more values than the rules take` : '';
  return new ApiError('RuleDenied', `rule "${rule.path}" ${message}${limited}`, { rule: rule.path });
}

/** The text before a pattern's first `*`: where every key it matches starts. */
function head(pattern: string): string {
  return pattern.slice(0, pattern.indexOf('*'));
}

/**
 * The grants of `action` on one key (or, with `folder`, on every key under a folder such as a
 * generated key's), one per rule that allows it, in the rules' order: each scoped to that rule's one
 * pattern and held to its limits. A rule holds a key only segment by segment (each placeholder one
 * whole segment); a pattern RAM would read wider than that (`expressible`) is narrowed to the key's
 * own values. Throws ApiError RuleDenied, naming the first rule that lets the caller do something
 * else there, or KeyOutsidePrefix when none lets it do anything there.
 */
export function grantsAt(rules: Rules, caller: Caller, action: RuleAction, target: string, folder = false): Grant[] {
  // A key the folder would hold: what the rules are asked about for a key yet to be made there.
  const probe = folder ? `${target}x` : target;
  const holding = rules.paths.flatMap((rule) => {
    const own = placeholderValues(rule.tokens, probe, oneSegment);
    return own ? [{ rule, own }] : [];
  });
  const grants: Grant[] = [];
  for (const { rule, own } of holding) {
    const pattern = rulePatterns(rule, caller, action).find((p) => globMatch(p, probe));
    if (pattern === undefined) continue;
    const scoped = expressible(pattern) ? pattern : instances(rule.tokens, own)[0];
    grants.push({ uid: caller.uid, user: caller.user, prefix: folder ? target : head(scoped), scope: { [action]: [scoped] }, rules: rulesUnder(rules, rule), rule });
  }
  if (grants.length > 0) return grants;
  const other = holding.find(({ rule }) => RULE_ACTIONS.some((a) => rulePatterns(rule, caller, a).some((p) => globMatch(p, probe))));
  if (other) throw ruleDenied(other.rule, `does not let you ${action} ${target}`, caller);
  throw new ApiError('KeyOutsidePrefix', `${folder ? 'the folder' : 'the key'} is under no path the storage rules give you`);
}

function scopeFolder(path: unknown): string {
  if (typeof path !== 'string' || !path.endsWith('/')) throw new ApiError('InvalidKey', 'path must be a folder ending in "/", e.g. "users/alice/"');
  validateKey(`${path}x`);
  return path;
}

function scopeActions(actions: unknown): RuleAction[] {
  const valid = Array.isArray(actions) && actions.length > 0 && actions.every((a) => RULE_ACTIONS.includes(a)) && new Set(actions).size === actions.length;
  if (!valid) throw new ApiError('InvalidAccess', `actions must list some of ${RULE_ACTIONS.join(', ')}, each once`);
  return actions as RuleAction[];
}

/**
 * The scope /token vends for a folder and actions: for each action, every pattern the rules give the
 * caller, narrowed to the folder (scopeWithin; a folder deeper than a rule's own folders narrows
 * nothing). Every action must be granted somewhere under the folder. Throws ApiError InvalidKey,
 * InvalidAccess, RuleDenied (naming the first rule under the folder) or KeyOutsidePrefix.
 */
export function scopeGrant(rules: Rules, caller: Caller, path: unknown, actions: unknown): Grant {
  const folder = scopeFolder(path);
  const wanted = scopeActions(actions);
  const scope: Scope = {};
  for (const action of RULE_ACTIONS.filter((a) => wanted.includes(a))) {
    const patterns = new Set<string>();
    for (const rule of rules.paths) {
      for (const p of rulePatterns(rule, caller, action)) {
        // A pattern RAM would read wider than its path is left out: the scope must name a folder
        // deep enough to fill the placeholders before the path's literal segments.
        const within = scopeWithin(p, folder, isUserSegment);
        if (within !== undefined && expressible(within)) patterns.add(within);
      }
    }
    if (patterns.size === 0) {
      const under = rules.paths.find((r) => instances(r.tokens).some((p) => scopeWithin(p, folder, isUserSegment) !== undefined));
      if (under) throw ruleDenied(under, `does not let you ${action} under ${folder}`, caller);
      throw new ApiError('KeyOutsidePrefix', `no storage rule has a path at or under ${folder} (a scope names a rule's folder or one above it)`);
    }
    scope[action] = [...patterns];
  }
  return { uid: caller.uid, user: caller.user, prefix: folder, scope, rules };
}

/** A rule an uploaded key falls under, and the owner its `{uid}` names ('' when it has none). */
export interface KeyRule {
  rule: PathRule;
  user: string;
  /** The key's folder under the rule, up to its last placeholder. */
  prefix: string;
}

function writers(rule: PathRule): { owner: boolean; others: boolean } {
  const others = rule.allow.guest.includes('write') || rule.allow.authenticated.includes('write') || Object.values(rule.allow.groups).some((a) => a.includes('write'));
  return { owner: rule.allow.owner.includes('write'), others };
}

/**
 * The rules some writer could have stored `key` under, in the rules' order: under an owner's grant
 * when its placeholders hold key segments, under anyone else's when its pattern matches.
 */
export function writeRulesOf(rules: Rules, key: string): KeyRule[] {
  const out: KeyRule[] = [];
  for (const rule of rules.paths) {
    const who = writers(rule);
    const values = placeholderValues(rule.tokens, key, isUserSegment);
    const [anyone] = instances(rule.tokens);
    if ((who.owner && values) || (who.others && placeholderValues(rule.tokens, key, oneSegment))) {
      out.push({ rule, user: values?.uid ?? '', prefix: head(values ? instances(rule.tokens, values)[0] : anyone) });
    }
  }
  return out;
}

/** Whether only the owner may write under the rule: then an upload's owner is the key's `{uid}`. */
export function ownerOnlyWrites(rule: PathRule): boolean {
  const who = writers(rule);
  return who.owner && !who.others;
}
