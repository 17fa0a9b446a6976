// The PostObject policy document: its expiration and every condition, checked against the form
// fields (names case-insensitive, values case-sensitive) and, once it is known, the file size.

import { OssError } from './errors';

export interface PostPolicy {
  expiration: Date;
  conditions: Condition[];
  /** From content-length-range; the tightest range when there are several. */
  minSize: number;
  maxSize: number;
}

type Condition =
  | { op: 'eq' | 'starts-with'; field: string; value: string; text: string }
  | { op: 'in' | 'not-in'; field: string; values: string[]; text: string };

const invalidPolicy = (message: string) => new OssError(400, 'InvalidPolicyDocument', message);
const failed = (text: string) => new OssError(403, 'AccessDenied', `Invalid according to Policy: Policy Condition failed: ${text}`);

/** `$Content-Type` → `content-type` */
function fieldName(ref: unknown): string {
  if (typeof ref !== 'string' || !ref.startsWith('$') || ref.length < 2) throw invalidPolicy(`Invalid field reference in policy: ${JSON.stringify(ref)}.`);
  return ref.slice(1).toLowerCase();
}

function size(v: unknown): number {
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) throw invalidPolicy('content-length-range needs two non-negative integers.');
  return n;
}

export function parsePolicy(policyB64: string): PostPolicy {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(policyB64, 'base64').toString('utf8'));
  } catch {
    throw invalidPolicy('Invalid Policy: Invalid JSON.');
  }
  if (!doc || typeof doc !== 'object') throw invalidPolicy('Invalid Policy: Invalid JSON.');
  const { expiration, conditions } = doc as { expiration?: unknown; conditions?: unknown };
  const expires = typeof expiration === 'string' ? new Date(expiration) : undefined;
  if (!expires || Number.isNaN(expires.getTime()) || !/^\d{4}-\d{2}-\d{2}T/.test(expiration as string)) {
    throw invalidPolicy('Invalid Policy: the expiration must be an ISO 8601 date.');
  }
  if (!Array.isArray(conditions)) throw invalidPolicy('Invalid Policy: conditions must be a list.');
  const out: Condition[] = [];
  let [minSize, maxSize] = [0, Number.MAX_SAFE_INTEGER];
  for (const c of conditions) {
    const text = JSON.stringify(c);
    if (Array.isArray(c)) {
      const op = String(c[0]).toLowerCase();
      if (op === 'content-length-range') {
        if (c.length !== 3) throw invalidPolicy(`Invalid content-length-range condition: ${text}.`);
        minSize = Math.max(minSize, size(c[1]));
        maxSize = Math.min(maxSize, size(c[2]));
      } else if ((op === 'eq' || op === 'starts-with') && c.length === 3 && typeof c[2] === 'string') {
        out.push({ op, field: fieldName(c[1]), value: c[2], text });
      } else if ((op === 'in' || op === 'not-in') && c.length === 3 && Array.isArray(c[2]) && c[2].every((v) => typeof v === 'string')) {
        out.push({ op, field: fieldName(c[1]), values: c[2] as string[], text });
      } else {
        throw invalidPolicy(`Invalid condition in policy: ${text}.`);
      }
    } else if (c && typeof c === 'object' && Object.keys(c).length === 1) {
      const [[name, value]] = Object.entries(c);
      if (typeof value !== 'string') throw invalidPolicy(`Invalid condition in policy: ${text}.`);
      out.push({ op: 'eq', field: name.toLowerCase(), value, text });
    } else {
      throw invalidPolicy(`Invalid condition in policy: ${text}.`);
    }
  }
  return { expiration: expires, conditions: out, minSize, maxSize };
}

/** Every field condition must hold; `fields` has lower-cased names. */
export function checkConditions(policy: PostPolicy, fields: Map<string, string>, now: Date): void {
  if (now.getTime() > policy.expiration.getTime()) throw new OssError(403, 'AccessDenied', 'Invalid according to Policy: Policy expired.');
  for (const c of policy.conditions) {
    const actual = fields.get(c.field) ?? '';
    const ok = 'values' in c ? c.values.includes(actual) === (c.op === 'in') : c.op === 'eq' ? actual === c.value : actual.startsWith(c.value);
    if (!ok) throw failed(c.text);
  }
}

/** Whether the policy has a condition on this field (V4 forms must bind their credential fields). */
export function constrains(policy: PostPolicy, field: string): boolean {
  return policy.conditions.some((c) => c.field === field && c.op === 'eq');
}

export function checkSize(policy: PostPolicy, bytes: number): void {
  if (bytes < policy.minSize) {
    throw new OssError(400, 'EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed size.', { MinSizeAllowed: String(policy.minSize) });
  }
}
