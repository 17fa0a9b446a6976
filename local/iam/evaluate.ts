// RAM policy evaluation as the local STS and OSS need it: explicit Deny wins, otherwise a request
// needs an Allow in every document that applies (role policy ∩ session policy).

export interface RamStatement {
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, string | string[] | boolean>>;
}

export interface RamPolicy {
  Version: string;
  Statement: RamStatement[];
}

/** Condition keys and their values for one request, e.g. `oss:Prefix`, `acs:SourceIp`. */
export type RequestContext = Record<string, string | undefined>;

const asList = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

const patternCache = new Map<string, RegExp>();

/** RAM wildcards: `*` any run of characters, `?` one character. */
export function wildcardMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const id = `${ignoreCase ? 'i' : 's'}${pattern}`;
  let re = patternCache.get(id);
  if (!re) {
    const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
    re = new RegExp(`^${body}$`, ignoreCase ? 'is' : 's');
    patternCache.set(id, re);
  }
  return re.test(value);
}

function ipInCidr(ip: string, cidr: string): boolean {
  const toInt = (a: string) => a.split('.').reduce((n, o) => (n << 8) + Number(o), 0) >>> 0;
  const [net, bits = '32'] = cidr.split('/');
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(ip) || !/^\d+\.\d+\.\d+\.\d+$/.test(net)) return false;
  const mask = Number(bits) === 0 ? 0 : (~0 << (32 - Number(bits))) >>> 0;
  return (toInt(ip) & mask) === (toInt(net) & mask);
}

function test(operator: string, actual: string | undefined, expected: string[]): boolean {
  const negated = operator.includes('Not');
  if (actual === undefined) return negated;
  let hit: boolean;
  switch (operator.replace('Not', '')) {
    case 'StringEquals':
      hit = expected.includes(actual);
      break;
    case 'StringEqualsIgnoreCase':
      hit = expected.some((e) => e.toLowerCase() === actual.toLowerCase());
      break;
    case 'StringLike':
      hit = expected.some((e) => wildcardMatch(e, actual));
      break;
    case 'Bool':
      hit = expected.some((e) => String(e).toLowerCase() === actual.toLowerCase());
      break;
    case 'IpAddress':
      hit = expected.some((e) => ipInCidr(actual, e));
      break;
    case 'NumericEquals':
      hit = expected.some((e) => Number(e) === Number(actual));
      break;
    default:
      // An operator we do not know can never be satisfied: fail closed.
      return false;
  }
  return negated ? !hit : hit;
}

function conditionsHold(condition: RamStatement['Condition'], ctx: RequestContext): boolean {
  if (!condition) return true;
  return Object.entries(condition).every(([operator, keys]) =>
    Object.entries(keys).every(([key, values]) => test(operator, ctx[key], asList(values as string | string[]).map(String))),
  );
}

function statementApplies(s: RamStatement, action: string, resource: string, ctx: RequestContext): boolean {
  const actionHit = s.NotAction
    ? !asList(s.NotAction).some((a) => wildcardMatch(a, action, true))
    : asList(s.Action).some((a) => wildcardMatch(a, action, true));
  return actionHit && asList(s.Resource).some((r) => wildcardMatch(r, resource)) && conditionsHold(s.Condition, ctx);
}

export type Decision = 'allow' | 'deny' | 'implicit-deny';

export function evaluate(policy: RamPolicy, action: string, resource: string, ctx: RequestContext = {}): Decision {
  let allowed = false;
  for (const s of policy.Statement ?? []) {
    if (!statementApplies(s, action, resource, ctx)) continue;
    if (s.Effect === 'Deny') return 'deny';
    if (s.Effect === 'Allow') allowed = true;
  }
  return allowed ? 'allow' : 'implicit-deny';
}

/** Allowed only when every policy allows it and none denies it. */
export function isAllowed(policies: RamPolicy[], action: string, resource: string, ctx: RequestContext = {}): boolean {
  return policies.length > 0 && policies.every((p) => evaluate(p, action, resource, ctx) === 'allow');
}
