// Whether a role's policies allow everything a narrower policy asks for. STS grants a session policy's
// permissions only where the role's own policy allows them too, so a session policy the role policy does
// not cover fails at request time, in the cloud; this finds it in a test.

import type { PolicyDocument, PolicyStatement } from '../../shared/policy/session-policy';

type Loose = string | string[] | undefined;
type Conditions = PolicyStatement['Condition'];

const list = (v: Loose): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/**
 * True when every string the pattern `inner` matches is also matched by `outer`. `*` (any run of
 * characters) and `?` (one character) are wildcards in both; a wildcard of `inner` can only be absorbed
 * by a `*` of `outer` (or a `?` by a `?`), so `users/*` covers `users/alice/*` but not the reverse.
 */
export function patternCovers(outer: string, inner: string, ignoreCase = false): boolean {
  const o = ignoreCase ? outer.toLowerCase() : outer;
  const p = ignoreCase ? inner.toLowerCase() : inner;
  const memo = new Map<number, boolean>();
  const at = (i: number, j: number): boolean => {
    const id = i * (p.length + 1) + j;
    let r = memo.get(id);
    if (r !== undefined) return r;
    if (i === o.length) r = j === p.length;
    else if (o[i] === '*') r = at(i + 1, j) || (j < p.length && at(i, j + 1));
    else if (j === p.length) r = false;
    else if (o[i] === '?') r = p[j] !== '*' && at(i + 1, j + 1);
    else r = o[i] === p[j] && p[j] !== '*' && p[j] !== '?' && at(i + 1, j + 1);
    memo.set(id, r);
    return r;
  };
  return at(0, 0);
}

// Which inner operators are at least as strict as an outer one, and how their values compare.
function valueCovers(outerOp: string, outer: string, innerOp: string, inner: string): boolean {
  if (outerOp === 'StringLike') return (innerOp === 'StringLike' || innerOp === 'StringEquals') && patternCovers(outer, inner);
  return outerOp === innerOp && outer === inner;
}

/** True when every request satisfying `inner` also satisfies `outer`. */
function conditionsImply(inner: Conditions, outer: Conditions): boolean {
  for (const [op, keys] of Object.entries(outer ?? {})) {
    for (const [key, outerValues] of Object.entries(keys)) {
      const innerOps = Object.entries(inner ?? {}).filter(([, k]) => k[key] !== undefined);
      // Some inner constraint on this key must, on its own, keep every value within the outer one.
      const implied = innerOps.some(([innerOp, k]) =>
        list(k[key]).every((v) => list(outerValues).some((o) => valueCovers(op, o, innerOp, v))),
      );
      if (!implied) return false;
    }
  }
  return true;
}

/**
 * What `inner` allows that no Allow statement of `outer` does, one line per action and resource;
 * empty when `outer` covers `inner`. Deny statements only narrow, so they are not needed for coverage.
 */
export function uncovered(inner: PolicyDocument, outer: PolicyDocument[]): string[] {
  const allows = outer.flatMap((d) => d.Statement).filter((s) => s.Effect === 'Allow');
  const gaps: string[] = [];
  for (const s of inner.Statement.filter((x) => x.Effect === 'Allow')) {
    for (const action of list(s.Action)) {
      for (const resource of list(s.Resource)) {
        const covered = allows.some(
          (a) =>
            list(a.Action).some((x) => patternCovers(x, action, true)) &&
            list(a.Resource).some((x) => patternCovers(x, resource)) &&
            conditionsImply(s.Condition, a.Condition),
        );
        if (!covered) gaps.push(`${action} on ${resource}${s.Condition ? ` if ${JSON.stringify(s.Condition)}` : ''}`);
      }
    }
  }
  return gaps;
}

/** A one-statement policy: one request shape to ask `uncovered` about. */
export function allow(action: string | string[], resource: string | string[], condition?: Conditions): PolicyDocument {
  return { Version: '1', Statement: [{ Effect: 'Allow', Action: list(action), Resource: list(resource), ...(condition ? { Condition: condition } : {}) }] };
}
