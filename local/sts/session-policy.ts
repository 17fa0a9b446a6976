// The session policy an AssumeRole call may carry: STS's size limit and the RAM policy grammar.
// Anything the local evaluator would not understand is refused here rather than misread later.

import type { RamPolicy } from '../iam/evaluate';
import { invalidParameter } from './errors';

/** STS's current limit (the 2021 documentation said 1024; the project's own cap is the smaller). */
export const POLICY_MAX_CHARS = 2048;

const STATEMENT_KEYS = new Set(['Effect', 'Action', 'NotAction', 'Resource', 'Condition']);
const ACTION = /^(\*|[A-Za-z0-9-]+:[A-Za-z0-9*?]+)$/;
const RESOURCE = /^(\*|acs:[^\s]*)$/;

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function isList(v: unknown, item: RegExp): boolean {
  const values = typeof v === 'string' ? [v] : v;
  return Array.isArray(values) && values.length > 0 && values.every((x) => typeof x === 'string' && item.test(x));
}

function isCondition(v: unknown): boolean {
  if (!isObject(v)) return false;
  return Object.values(v).every(
    (keys) =>
      isObject(keys) &&
      Object.values(keys).every((x) => typeof x === 'string' || typeof x === 'boolean' || (Array.isArray(x) && x.length > 0 && x.every((y) => typeof y === 'string'))),
  );
}

function isStatement(s: unknown): boolean {
  if (!isObject(s) || !Object.keys(s).every((k) => STATEMENT_KEYS.has(k))) return false;
  if (s.Effect !== 'Allow' && s.Effect !== 'Deny') return false;
  if ((s.Action === undefined) === (s.NotAction === undefined)) return false;
  if (!isList(s.Action ?? s.NotAction, ACTION)) return false;
  if (!isList(s.Resource, RESOURCE)) return false;
  return s.Condition === undefined || isCondition(s.Condition);
}

const grammarError = () => invalidParameter('PolicyGrammar', 'The parameter Policy has not a valid grammar.');

/** The parsed session policy, or StsApiError InvalidParameter.PolicySize / PolicyGrammar. */
export function parseSessionPolicy(text: string): RamPolicy {
  if (text.length === 0 || text.length > POLICY_MAX_CHARS) {
    throw invalidParameter('PolicySize', `The parameter Policy must be 1 to ${POLICY_MAX_CHARS} characters long.`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw grammarError();
  }
  if (!isObject(doc) || !Object.keys(doc).every((k) => k === 'Version' || k === 'Statement')) throw grammarError();
  if (doc.Version !== '1' || !Array.isArray(doc.Statement) || doc.Statement.length === 0) throw grammarError();
  if (!doc.Statement.every(isStatement)) throw grammarError();
  return doc as unknown as RamPolicy;
}
