// Whether every session policy the rules can lead to fits STS's limit, decided when the rules are
// loaded rather than when a caller first asks: the largest caller (64-character ids and claim
// values, as many values as the rules take, every group the rules name) asking for every action at
// every folder a scope may name (each rule's folders, segment by segment, with every literal the
// rules put there and the caller's own values at placeholders).

import { RULE_ACTIONS } from '../shared/api/types';
import { type Caller, scopeGrant } from '../shared/policy/grants';
import type { Binding } from '../shared/policy/path-pattern';
import type { PathRule, Rules } from '../shared/policy/rules';
import { sessionPolicy } from '../shared/policy/session-policy';

/** The longest key segment a placeholder holds (a safe id; a hashed one is 33 characters). */
const LONGEST_SEGMENT = 64;

function filler(n: number): string {
  return `${String.fromCharCode(97 + (n % 26))}${n}`.padEnd(LONGEST_SEGMENT, 'x');
}

/** The largest callers: an authenticated one holding everything, and a guest (AUTH_ANONYMOUS, `anonymous`). */
function largestCallers(rules: Rules): Caller[] {
  let n = 0;
  const claims: Record<string, string[]> = {};
  for (const rule of rules.paths) {
    for (const t of rule.tokens) if ('claim' in t) claims[t.claim] ??= Array.from({ length: rules.maxClaimValues }, () => filler(++n));
  }
  const groups = [...new Set(rules.paths.flatMap((r) => Object.keys(r.allow.groups)))];
  const binding: Binding = { uid: filler(0), claims };
  return [
    { uid: binding.uid, user: binding.uid, guest: false, binding, groups, overLimit: [] },
    { uid: 'anonymous', user: 'anonymous', guest: true, binding: { uid: 'anonymous', claims: {} }, groups: [], overLimit: [] },
  ];
}

/** A rule's folder segments: literal text, or the caller's value for a placeholder (any value may stand there). */
type Segment = string | { fill: string };

function folderSegments(rule: PathRule, caller: Caller): Segment[] {
  const segments: Segment[] = [];
  let current: Segment = '';
  for (const t of rule.tokens) {
    if (!('literal' in t)) {
      current = { fill: 'uid' in t ? caller.binding.uid : (caller.binding.claims[t.claim]?.[0] ?? caller.binding.uid) };
      continue;
    }
    const [first, ...rest] = t.literal.split('/');
    if (typeof current === 'string') current += first;
    for (const part of rest) {
      segments.push(current);
      current = part;
    }
  }
  return segments;
}

/** The folders a scope may name, for a caller: each rule's folders, with the literals and the caller's values the rules allow there. */
function scopeFolders(rules: Rules, caller: Caller): string[] {
  const all = rules.paths.map((r) => folderSegments(r, caller));
  const out: string[] = [];
  const walk = (prefix: string[]) => {
    const depth = prefix.length;
    const compatible = all.filter((s) => s.length > depth && prefix.every((seg, i) => typeof s[i] !== 'string' || s[i] === seg));
    for (const segment of new Set(compatible.map((s) => s[depth]).map((s) => (typeof s === 'string' ? s : s.fill)))) {
      out.push(`${[...prefix, segment].join('/')}/`);
      walk([...prefix, segment]);
    }
  };
  walk([]);
  return out;
}

/**
 * The largest session policy the rules can lead to, in characters, and the scope that leads to it;
 * undefined when no scope grants anything.
 */
export function largestSessionPolicy(rules: Rules): { length: number; folder: string; guest: boolean } | undefined {
  let largest: { length: number; folder: string; guest: boolean } | undefined;
  for (const caller of largestCallers(rules)) {
    for (const folder of scopeFolders(rules, caller)) {
      const granted = RULE_ACTIONS.filter((a) => {
        try {
          scopeGrant(rules, caller, folder, [a]);
          return true;
        } catch {
          return false;
        }
      });
      if (granted.length === 0) continue;
      const length = JSON.stringify(sessionPolicy(scopeGrant(rules, caller, folder, granted))).length;
      if (!largest || length > largest.length) largest = { length, folder, guest: caller.guest };
    }
  }
  return largest;
}
