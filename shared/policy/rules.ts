// The upload rules, written once from configuration and the storage rules file, and one caller's
// grant under them.

import { createHash } from 'node:crypto';
import { ApiError } from '../api/errors';
import { type Access, ACCESS_LEVELS, type RuleAction } from '../api/types';
import type { PathToken } from './path-pattern';

/** Ways an object may be written under a path: PostObject forms, presigned PUTs (and PutObject with STS), multipart uploads. */
export const UPLOAD_PATHS = ['form', 'put', 'multipart'] as const;
export type UploadPath = (typeof UPLOAD_PATHS)[number];

/** What a write under one path must keep: the environment's settings, overridden by the rules file's. */
export interface Limits {
  /** Lower-case media types, `image/*` wildcards allowed. */
  allowedContentTypes: string[];
  /** Bytes. */
  minSize: number;
  /** Bytes. */
  maxSize: number;
  forbidOverwrite: boolean;
  /** Seconds. */
  urlExpiresSeconds: number;
  /** Seconds. */
  maxUrlExpiresSeconds: number;
  /** Seconds. */
  postExpiresSeconds: number;
  /** How objects may be written; a path that allows only `multipart` gets no form and no presigned PUT. */
  uploadPaths: readonly UploadPath[];
  /** Whether every upload must carry the user's file name (x-oss-meta-filename). */
  requireFilename: boolean;
}

/** Who may do what on a path. `owner`: the caller whose identity fills the path's placeholders. */
export interface Allow {
  guest: readonly RuleAction[];
  authenticated: readonly RuleAction[];
  owner: readonly RuleAction[];
  /** Group name (a value of the groups claim) → actions. */
  groups: Readonly<Record<string, readonly RuleAction[]>>;
}

/** One storage rule: a path pattern, who may do what under it, and the limits of writes there. */
export interface PathRule {
  /** As the rules file writes it (`avatars/{uid}/*`): what refusals name. */
  path: string;
  /** The pattern before its final `*`. */
  tokens: readonly PathToken[];
  allow: Allow;
  limits: Limits;
}

/** The rules every grant is compiled under; built once from configuration (shared/config). */
export interface Rules extends Limits {
  bucket: string;
  region: string;
  /**
   * The caller's own folder with `${uid}` for the user's key segment, e.g. `users/${uid}/`: the path of
   * the home rule (`homeRule`), which the `access` shorthands and key-less uploads use; '' when the
   * rules have none.
   */
  prefixTemplate: string;
  /** Seconds. */
  stsDurationSeconds: number;
  /** The upload callback pinned into every signature; none when undefined. */
  callbackUrl?: string;
  /** The storage rules, in the file's order (the environment's one rule, `UPLOAD_PREFIX`, without a file). */
  paths: readonly PathRule[];
  /** The JWT claim listing the caller's groups, for `groups` grants. */
  groupsClaim?: string;
  /** How many values of one claim a placeholder takes; a caller with more gets none of its grants. */
  maxClaimValues: number;
}

/** What a grant's credentials may do: per action, the RAM object patterns (without the bucket), each ending in `*`. */
export type Scope = Partial<Record<RuleAction, readonly string[]>>;

export interface Grant {
  /** The user id as the identity provider names it. */
  uid: string;
  /** The form of the user id that appears in keys: the id itself when it is safe, a hash otherwise. */
  user: string;
  /** Every key of this grant starts with it: the scope's folder, or where a signed key's pattern is literal. */
  prefix: string;
  /** The shorthand the grant was asked for with, when it was. */
  access?: Access;
  scope: Scope;
  /** The rules, with the limits of the path this grant writes under. */
  rules: Rules;
  /** The rule that decided, for a grant of one key or folder (what refusals name). */
  rule?: PathRule;
}

// A user id is used as it is only when it cannot change the meaning of a key or a policy resource:
// no separators, no wildcards, no dot segments. `~` never appears in a safe id, so hashed ids
// (which start with it) cannot collide with real ones.
const SAFE_USER = /^[A-Za-z0-9_@-][A-Za-z0-9._@-]{0,63}$/;
const HASHED_USER = /^~[0-9a-f]{32}$/;

function sha256hex(s: string): string {
  return createHash('sha256').update(s, 'utf8').digest('hex');
}

/** The user's key segment: the id itself when it is safe, `~` and a hash otherwise; ApiError InvalidUser. */
export function userSegment(uid: string): string {
  if (typeof uid !== 'string') throw new ApiError('InvalidUser', 'the user id is not a string');
  if (uid.length === 0) throw new ApiError('InvalidUser', 'the user id is empty');
  // UTF-8 turns every lone surrogate into U+FFFD, so such ids would hash to one another's prefix.
  if (!uid.isWellFormed()) throw new ApiError('InvalidUser', 'the user id is not valid Unicode');
  return SAFE_USER.test(uid) ? uid : `~${sha256hex(uid).slice(0, 32)}`;
}

/** Whether `s` is a key segment userSegment makes (a safe id, or `~` and a hash): what a placeholder holds. */
export function isUserSegment(s: string): boolean {
  return SAFE_USER.test(s) || HASHED_USER.test(s);
}

export function prefixFor(user: string, template: string): string {
  return template.replace('${uid}', user);
}

/** STS RoleSessionName (2-32 of [A-Za-z0-9.@_-]) naming the user, so the audit trail does. */
export function roleSessionName(uid: string): string {
  if (/^[A-Za-z0-9.@_-]{2,32}$/.test(uid)) return uid;
  if (/^[A-Za-z0-9.@_-]$/.test(uid)) return `u-${uid}`;
  const readable = uid.replace(/[^A-Za-z0-9.@_-]/g, '').slice(0, 15);
  return `${readable}-${sha256hex(uid).slice(0, 16)}`.replace(/^-/, 'u-');
}

/** The rules with one path's limits in place of the defaults: what a grant under that path is held to. */
export function rulesUnder(rules: Rules, rule: PathRule): Rules {
  return { ...rules, ...rule.limits };
}

/**
 * The home rule: the first whose path has `{uid}` and no claim placeholder and which grants its owner
 * something. Its folder is every user's own (`users/<id>/` by default).
 */
export function homeRule(paths: readonly PathRule[]): PathRule | undefined {
  return paths.find((r) => r.allow.owner.length > 0 && r.tokens.some((t) => 'uid' in t) && !r.tokens.some((t) => 'claim' in t));
}

/** A home rule's folder as a template: its tokens with `${uid}` for the placeholder. */
export function homeTemplate(rule: PathRule | undefined): string {
  return rule ? rule.tokens.map((t) => ('literal' in t ? t.literal : '${uid}')).join('') : '';
}

/** The actions each access shorthand stands for, on the caller's own folder. */
export const ACCESS_ACTIONS: Record<Access, readonly RuleAction[]> = {
  upload: ['write'],
  download: ['read'],
  readwrite: ['write', 'read', 'delete', 'list'],
  delete: ['delete'],
};

/**
 * One caller's grant of an access shorthand: its actions on the caller's own folder, as the home rule
 * grants them. `access` comes from the request unchecked, so anything else is ApiError InvalidAccess;
 * an action the home rule does not give its owner is RuleDenied; InvalidUser for an unusable id.
 */
export function grantFor(uid: string, access: Access, rules: Rules): Grant {
  if (!ACCESS_LEVELS.includes(access)) throw new ApiError('InvalidAccess', `access must be one of ${ACCESS_LEVELS.join(', ')}`);
  const user = userSegment(uid);
  const home = homeRule(rules.paths);
  if (!home) throw new ApiError('InvalidAccess', 'the storage rules give no folder of your own ({uid} with an owner grant): ask for a path and actions');
  const denied = ACCESS_ACTIONS[access].filter((a) => !home.allow.owner.includes(a));
  if (denied.length > 0) throw new ApiError('RuleDenied', `rule "${home.path}" does not let its owner ${denied.join(' or ')}`, { rule: home.path });
  const prefix = prefixFor(user, rules.prefixTemplate);
  const scope: Scope = Object.fromEntries(ACCESS_ACTIONS[access].map((a) => [a, [`${prefix}*`]]));
  return { uid, user, prefix, access, scope, rules: rulesUnder(rules, home), rule: home };
}
