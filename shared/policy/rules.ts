// The upload rules, written once from configuration, and one caller's grant under them.

import { createHash } from 'node:crypto';
import type { Config } from '../config';
import { PolicyError } from './errors';

export type Access = 'upload' | 'download' | 'readwrite';
export const ACCESS_LEVELS: readonly Access[] = ['upload', 'download', 'readwrite'];

export interface Rules {
  bucket: string;
  region: string;
  prefixTemplate: string;
  allowedContentTypes: string[];
  minSize: number;
  maxSize: number;
  forbidOverwrite: boolean;
  urlExpiresSeconds: number;
  maxUrlExpiresSeconds: number;
  postExpiresSeconds: number;
  stsDurationSeconds: number;
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

export function rulesFromConfig(c: Config): Rules {
  return {
    bucket: c.bucket,
    region: c.region,
    prefixTemplate: c.prefixTemplate,
    allowedContentTypes: c.allowedContentTypes,
    minSize: c.minSize,
    maxSize: c.maxSize,
    forbidOverwrite: c.forbidOverwrite,
    urlExpiresSeconds: c.urlExpiresSeconds,
    maxUrlExpiresSeconds: c.maxUrlExpiresSeconds,
    postExpiresSeconds: c.postExpiresSeconds,
    stsDurationSeconds: c.stsDurationSeconds,
    callbackUrl: c.callback.url,
  };
}

// A user id is used as it is only when it cannot change the meaning of a key or a policy resource:
// no separators, no wildcards, no dot segments. `~` never appears in a safe id, so hashed ids
// (which start with it) cannot collide with real ones.
const SAFE_USER = /^[A-Za-z0-9_@-][A-Za-z0-9._@-]{0,63}$/;
const HASHED_USER = /^~[0-9a-f]{32}$/;

function sha256hex(s: string): string {
  return createHash('sha256').update(s, 'utf8').digest('hex');
}

export function userSegment(uid: string): string {
  if (typeof uid !== 'string' || uid.length === 0) throw new PolicyError('InvalidUser', 'the user id is empty');
  // UTF-8 turns every lone surrogate into U+FFFD, so such ids would hash to one another's prefix.
  if (!uid.isWellFormed()) throw new PolicyError('InvalidUser', 'the user id is not valid Unicode');
  return SAFE_USER.test(uid) ? uid : `~${sha256hex(uid).slice(0, 32)}`;
}

export function isUserSegment(s: string): boolean {
  return SAFE_USER.test(s) || HASHED_USER.test(s);
}

export function prefixFor(user: string, template: string): string {
  return template.replace('${uid}', user);
}

export function grantFor(uid: string, access: Access, rules: Rules): Grant {
  if (!ACCESS_LEVELS.includes(access)) throw new PolicyError('InvalidAccess', `access must be one of ${ACCESS_LEVELS.join(', ')}`);
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
