// A rules document compiled to what the functions take (shared/policy/storage-rules.ts): each path
// parsed into tokens and checked, the grants and limits checked against each other. Every problem is
// reported where it is written (`fail(['rules', 2, 'path'], …)`), which the loader turns into a line.

import { allowedTypesRule } from '../shared/policy/content-type';
import type { PathToken } from '../shared/policy/path-pattern';
import type { Allow } from '../shared/policy/rules';
import type { RulesFail, RulesPointer, StorageRules, WriteRules } from '../shared/policy/storage-rules';
import { DEFAULT_MAX_CLAIM_VALUES, type RulesDocument } from './document';

/** A claim name as a placeholder takes it: `{claims.team}`, `{claims.cognito:groups}`. */
const CLAIM_NAME = /^[A-Za-z_][A-Za-z0-9_:-]{0,63}$/;
/** A literal path segment: key characters that are neither wildcards, placeholders nor escapes. */
const LITERAL_SEGMENT = /^[A-Za-z0-9!'()+,\-.:;=@_~]+$/;
const WHOLE_SEGMENTS = 'a placeholder must be a whole path segment ({uid}, {claims.<name>}): RAM\'s * crosses "/", so avatars/{uid}* would let alice reach alice2\'s files';

/**
 * The tokens of a rules-file path such as `teams/{claims.team}/shared/*`: whole segments, each
 * literal or exactly one placeholder, then `/*`. A placeholder inside a segment is refused: RAM's `*`
 * crosses `/`, so `avatars/{uid}*` would let alice reach alice2's files.
 */
function parseRulePath(path: string, fail: (expected: string) => never): PathToken[] {
  const all = path.split('/');
  const last = all.pop() as string;
  if (last !== '*') {
    if (/[{}]/.test(last)) fail(`"${last}": ${WHOLE_SEGMENTS}`);
    fail(`must end with "/*" (every key under a folder), e.g. "users/{uid}/*", got "${path}"`);
  }
  const segments = all;
  const tokens: PathToken[] = [];
  const literal = (text: string) => {
    const last = tokens[tokens.length - 1];
    if (last && 'literal' in last) last.literal += text;
    else tokens.push({ literal: text });
  };
  for (const [i, segment] of segments.entries()) {
    if (i > 0) literal('/');
    if (segment === '') fail(`has an empty segment ("//" or a leading "/"), got "${path}"`);
    const placeholder = /^\{(uid|claims\.(.*))\}$/.exec(segment);
    if (placeholder) {
      if (placeholder[1] !== 'uid' && !CLAIM_NAME.test(placeholder[2])) fail(`"${segment}" names no claim: write {claims.<name>} with a claim name of letters, digits, _, : or -`);
      if (segments.indexOf(segment) !== i) fail(`uses ${segment} twice`);
      tokens.push(placeholder[1] === 'uid' ? { uid: true } : { claim: placeholder[2] });
      continue;
    }
    if (/[{}$]/.test(segment)) {
      fail(`"${segment}": ${WHOLE_SEGMENTS}`);
    }
    if (segment.includes('*')) fail(`"${segment}": "*" may only end the path (as "/*")`);
    if (segment === '.' || segment === '..' || !LITERAL_SEGMENT.test(segment)) {
      fail(`"${segment}" is not a plain path segment (letters, digits and !'()+,-.:;=@_~; no "." or ".." segment)`);
    }
    literal(segment);
  }
  literal('/');
  return tokens;
}

function writeRules(write: WriteRules | undefined, at: RulesPointer, fail: RulesFail): WriteRules {
  if (!write) return {};
  const types = write.contentTypes && allowedTypesRule(write.contentTypes, (e) => fail([...at, 'contentTypes'], e));
  if (write.minSize !== undefined && write.maxSize !== undefined && write.minSize > write.maxSize) fail([...at, 'minSize'], `must not exceed maxSize (${write.maxSize})`);
  return types ? { ...write, contentTypes: types } : { ...write };
}

function allowOf(doc: RulesDocument, i: number, fail: RulesFail): Allow {
  const { guest = [], authenticated = [], owner = [], groups = {} } = doc.rules[i].allow;
  if (Object.keys(groups).length > 0 && doc.groupsClaim === undefined) fail(['rules', i, 'allow', 'groups'], "group grants need groupsClaim: the JWT claim that lists a caller's groups");
  return { guest, authenticated, owner, groups };
}

/**
 * The rules of a document (already checked against RULES_SCHEMA), in its order. Refuses, through
 * `fail`, a path that is not whole segments ending in `/*`, a path given twice, an owner grant on a
 * path without placeholders, group grants without groupsClaim, write limits on a path nobody may
 * write, a content type that is not one, and a minimum above the maximum.
 */
export function compileDocument(doc: RulesDocument, fail: RulesFail): StorageRules {
  const seen = new Set<string>();
  const rules = doc.rules.map((entry, i) => {
    const at: RulesPointer = ['rules', i];
    const tokens = parseRulePath(entry.path, (e) => fail([...at, 'path'], e));
    if (seen.has(entry.path)) fail([...at, 'path'], `"${entry.path}" is already a rule's path: give each path one rule`);
    seen.add(entry.path);
    const allow = allowOf(doc, i, fail);
    if (allow.owner.length > 0 && tokens.every((t) => 'literal' in t)) {
      fail([...at, 'allow', 'owner'], "an owner is the caller whose identity fills the path's placeholders; this path has none");
    }
    const writes = [allow.guest, allow.authenticated, allow.owner, ...Object.values(allow.groups)].some((a) => a.includes('write'));
    if (entry.write !== undefined && !writes) fail([...at, 'write'], 'sets write limits on a path nobody may write');
    return { path: entry.path, tokens, allow, write: writeRules(entry.write, [...at, 'write'], fail) };
  });
  return { groupsClaim: doc.groupsClaim, maxClaimValues: doc.maxClaimValues ?? DEFAULT_MAX_CLAIM_VALUES, defaults: writeRules(doc.defaults, ['defaults'], fail), rules };
}
