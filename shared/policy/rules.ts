// The upload rules, written once from configuration, and one caller's grant under them.

import { createHash } from 'node:crypto';
import { ApiError } from '../api/errors';
import { type Access, ACCESS_LEVELS } from '../api/types';

/** The rules every grant is compiled under; built once from configuration (shared/config). */
export interface Rules {
  bucket: string;
  region: string;
  /** A caller's prefix with `${uid}` for the user's key segment, e.g. `users/${uid}/`. */
  prefixTemplate: string;
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
  /** Seconds. */
  stsDurationSeconds: number;
  /** The upload callback pinned into every signature; none when undefined. */
  callbackUrl?: string;
}

export interface Grant {
  /** The user id as the identity provider names it. */
  uid: string;
  /** The form of the user id that appears in keys: the id itself when it is safe, a hash otherwise. */
  user: string;
  /** `<template with ${uid} replaced by user>`; every key of this grant starts with it. */
  prefix: string;
  access: Access;
  rules: Rules;
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
  if (typeof uid !== 'string' || uid.length === 0) throw new ApiError('InvalidUser', 'the user id is empty');
  // UTF-8 turns every lone surrogate into U+FFFD, so such ids would hash to one another's prefix.
  if (!uid.isWellFormed()) throw new ApiError('InvalidUser', 'the user id is not valid Unicode');
  return SAFE_USER.test(uid) ? uid : `~${sha256hex(uid).slice(0, 32)}`;
}

export function isUserSegment(s: string): boolean {
  return SAFE_USER.test(s) || HASHED_USER.test(s);
}

export function prefixFor(user: string, template: string): string {
  return template.replace('${uid}', user);
}

/** One caller's grant; `access` comes from the request unchecked, so anything else is ApiError InvalidAccess. */
export function grantFor(uid: string, access: Access, rules: Rules): Grant {
  if (!ACCESS_LEVELS.includes(access)) throw new ApiError('InvalidAccess', `access must be one of ${ACCESS_LEVELS.join(', ')}`);
  const user = userSegment(uid);
  return { uid, user, prefix: prefixFor(user, rules.prefixTemplate), access, rules };
}

/** STS RoleSessionName (2-32 of [A-Za-z0-9.@_-]) naming the user, so the audit trail does. */
export function roleSessionName(uid: string): string {
  if (/^[A-Za-z0-9.@_-]{2,32}$/.test(uid)) return uid;
  if (/^[A-Za-z0-9.@_-]$/.test(uid)) return `u-${uid}`;
  const readable = uid.replace(/[^A-Za-z0-9.@_-]/g, '').slice(0, 15);
  return `${readable}-${sha256hex(uid).slice(0, 16)}`.replace(/^-/, 'u-');
}
