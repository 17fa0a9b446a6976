// The compiler never grants beyond the rules, and grants what they allow where RAM can say it: for
// generated rules files, identities and requests, the local IAM evaluator's decision on the session
// policy /sign and /token compile, and whether /sign makes a form or a presigned PUT, agree with what
// `explain` (rules/explain.ts, written apart from the compiler) says of the same request.

import fc from 'fast-check';
import { stringify } from 'yaml';
import { ApiError } from '../../shared/api/errors';
import { RULE_ACTIONS, type RuleAction } from '../../shared/api/types';
import { loadConfig } from '../../shared/config';
import { callerOf, grantsAt, scopeGrant } from '../../shared/policy/grants';
import { postPlan } from '../../shared/policy/post-conditions';
import { type Grant, userSegment } from '../../shared/policy/rules';
import { sessionPolicy } from '../../shared/policy/session-policy';
import { putPlan } from '../../shared/policy/url-constraints';
import { isAllowed, type RamPolicy } from '../../local/iam/evaluate';
import type { RuleEntry, RulesDocument } from '../../rules/document';
import { explain, type ExplainIdentity } from '../../rules/explain';
import { parseRules, RulesFileError } from '../../rules/load';

const ENV = { OSS_BUCKET: 'photos-prod', OSS_REGION: 'cn-hangzhou' };
const BUCKET = `acs:oss:*:*:${ENV.OSS_BUCKET}`;
const HASHED = userSegment('Zoë');
const SEGMENTS = ['a', 'b', 'alice', 'bob', 'red', 'blue', HASHED];

const actionsArb = fc.subarray([...RULE_ACTIONS], { minLength: 0 });
const segmentArb = fc.oneof(fc.constantFrom('a', 'b', 'teams'), fc.constantFrom('{uid}', '{claims.team}'));
const writeArb = fc.record(
  {
    contentTypes: fc.constantFrom(['image/png'], ['image/*', 'application/pdf']).map((t) => [...t]),
    maxSize: fc.constantFrom(1000, 5000),
    minSize: fc.constantFrom(0, 20),
    uploadPaths: fc.subarray(['form', 'put', 'multipart'] as const, { minLength: 1 }),
    requireFilename: fc.boolean(),
  },
  { requiredKeys: [] },
);
const entryArb = fc
  .record({ segments: fc.array(segmentArb, { minLength: 1, maxLength: 3 }), guest: actionsArb, authenticated: actionsArb, owner: actionsArb, staff: actionsArb, write: writeArb })
  .map(({ segments, guest, authenticated, owner, staff, write }): RuleEntry => {
    // A placeholder appears once in a path; an owner needs one to be an owner of.
    const seen = new Set<string>();
    const path = segments.map((s) => (s.startsWith('{') && seen.has(s) ? 'x' : (seen.add(s), s)));
    const placeholders = path.some((s) => s.startsWith('{'));
    const allow: RuleEntry['allow'] = {};
    if (guest.length) allow.guest = guest;
    if (authenticated.length) allow.authenticated = authenticated;
    if (owner.length && placeholders) allow.owner = owner;
    if (staff.length) allow.groups = { staff };
    const writes = Object.values({ ...allow, ...allow.groups }).some((a) => Array.isArray(a) && a.includes('write'));
    if (Object.keys(allow).length === 0) allow.authenticated = ['read'];
    return { path: `${path.join('/')}/*`, allow, ...(writes && Object.keys(write).length ? { write } : {}) };
  });
const docArb = fc
  .uniqueArray(entryArb, { minLength: 1, maxLength: 4, selector: (e) => e.path })
  .map((rules): RulesDocument => ({ version: 1, groupsClaim: 'groups', maxClaimValues: 2, rules }));
const whoArb: fc.Arbitrary<ExplainIdentity> = fc.record({
  uid: fc.constantFrom('alice', 'bob', 'Zoë'),
  guest: fc.boolean(),
  claims: fc.record({
    team: fc.constantFrom<unknown>(undefined, 'red', ['red', 'blue'], ['red', 'blue', 'a'], 'alice', 42),
    groups: fc.constantFrom<unknown>(undefined, ['staff'], 'staff', []),
  }),
});
const keyArb = fc.array(fc.constantFrom(...SEGMENTS, 'teams'), { minLength: 1, maxLength: 3 }).map((s) => `${s.join('/')}/f.txt`);

/** The compiled rules of a generated file; a file whose largest grant cannot fit STS's limit is not a case (the loader refuses it). */
function compiled(doc: RulesDocument) {
  let storage;
  try {
    storage = parseRules(stringify(doc), 'generated.yaml').storage;
  } catch (err) {
    if (err instanceof RulesFileError && /STS accepts 2048/.test(err.message)) fc.pre(false);
    throw err;
  }
  return loadConfig(ENV, storage).rules;
}

/** What RAM decides on `action` at `key` under a session policy. */
function ramAllows(grant: Grant, action: RuleAction, key: string): boolean {
  const policy = [sessionPolicy(grant) as unknown as RamPolicy];
  if (action === 'list') return isAllowed(policy, 'oss:ListObjects', BUCKET, { 'oss:Prefix': key });
  const ram = { read: 'oss:GetObject', write: 'oss:PutObject', delete: 'oss:DeleteObject' }[action];
  return isAllowed(policy, ram, `${BUCKET}/${key}`, action === 'write' ? { 'oss:x-oss-object-acl': 'default' } : {});
}

function grantsOrNone(fn: () => Grant[]): Grant[] {
  try {
    return fn();
  } catch (err) {
    if (err instanceof ApiError) return [];
    throw err;
  }
}

const RUNS = { numRuns: 400 };

test('/sign: OSS, under the session policy of the rule /sign picks, allows exactly what explain allows, and both name the same rule', () => {
  let allowed = 0;
  let denied = 0;
  fc.assert(
    fc.property(docArb, whoArb, fc.constantFrom(...RULE_ACTIONS), keyArb, (doc, who, action, key) => {
      const rules = compiled(doc);
      const [grant] = grantsOrNone(() => grantsAt(rules, callerOf(who, rules), action, key));
      const verdict = explain(doc, rules, who, { action, key });
      const ram = grant !== undefined && ramAllows(grant, action, key);
      expect(ram).toBe(verdict.allowed);
      if (ram) expect(grant.rule?.path).toBe(verdict.rule);
      if (verdict.allowed) allowed++;
      else denied++;
    }),
    RUNS,
  );
  // Both answers must be common, or the property says little.
  expect(allowed).toBeGreaterThan(40);
  expect(denied).toBeGreaterThan(40);
});

test('/token: a scope\'s session policy allows a key only where explain allows it, and everything explain allows under a folder at or above the rule\'s', () => {
  let granted = 0;
  fc.assert(
    fc.property(docArb, whoArb, fc.constantFrom(...RULE_ACTIONS), keyArb, fc.nat(3), (doc, who, action, key, depth) => {
      const rules = compiled(doc);
      const caller = callerOf(who, rules);
      const parts = key.split('/');
      const folder = `${parts.slice(0, Math.min(depth, parts.length - 1)).join('/')}${depth > 0 ? '/' : ''}`;
      let grant: Grant | undefined;
      try {
        grant = scopeGrant(rules, caller, folder === '' ? '' : folder, [action]);
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
      }
      const verdict = explain(doc, rules, who, { action, key });
      if (grant === undefined) return;
      granted++;
      const ram = ramAllows(grant, action, key);
      // Never beyond the rules.
      if (ram) expect(verdict.allowed).toBe(true);
      // Everything the rules allow, when the scope names the deciding rule's folder or one above it,
      // deep enough that RAM can say the rest (no placeholder left before a literal segment).
      const rule = doc.rules.find((r) => r.path === verdict.rule);
      if (verdict.allowed && rule) {
        const segments = rule.path.split('/').slice(0, -1);
        const depth = folder.split('/').length - 1;
        const mustFill = segments.findLastIndex((s, i) => s.startsWith('{') && i + 1 < segments.length && !segments[i + 1].startsWith('{'));
        if (depth <= segments.length && depth > mustFill) expect(ram).toBe(true);
      }
    }),
    RUNS,
  );
  expect(granted).toBeGreaterThan(40);
});

test('/sign forms and presigned PUTs: made exactly when explain allows the write with its type, size, upload path and file name', () => {
  let made = 0;
  let refused = 0;
  fc.assert(
    fc.property(
      docArb,
      whoArb,
      keyArb,
      fc.constantFrom('image/png', 'application/pdf', 'text/plain'),
      fc.constantFrom(10, 30, 3000, 8000),
      fc.constantFrom('form', 'put') as fc.Arbitrary<'form' | 'put'>,
      fc.boolean(),
      (doc, who, key, contentType, size, via, named) => {
        const rules = compiled(doc);
        const grants = grantsOrNone(() => grantsAt(rules, callerOf(who, rules), 'write', key));
        const req = { key, contentType, size, ...(named ? { filename: 'f.txt' } : {}) };
        const plans = grants.filter((g) => {
          try {
            if (via === 'form') postPlan(g, req, { now: new Date() });
            else putPlan(g, req, { now: new Date() });
            return true;
          } catch (err) {
            if (err instanceof ApiError) return false;
            throw err;
          }
        });
        const verdict = explain(doc, rules, who, { action: 'write', key, contentType, size, via, filename: named });
        expect(plans.length > 0).toBe(verdict.allowed);
        if (verdict.allowed) {
          made++;
          expect(plans[0].rule?.path).toBe(verdict.rule);
        } else refused++;
      },
    ),
    RUNS,
  );
  expect(made).toBeGreaterThan(8);
  expect(refused).toBeGreaterThan(20);
});
