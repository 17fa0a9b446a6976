// Presigned object URLs and PostObject forms, in the signature version the bucket takes, cut to
// live no longer than the credentials that sign them allow (the credential cache's rule, shared/sts/
// cache.ts). Both the sign function and the callback's download URL sign through here.

import { ApiError } from '../api/errors';
import { usableSeconds } from '../sts/cache';
import type { Credentials } from './credentials';
import { type Condition, type ObjectRequest, type SignatureVersion, type SignatureVersionName, UnsignableRequest } from './signature-version';
import { bucketBase, type Endpoint, objectUrlWithQuery } from './url';
import { V1 } from './v1';
import { V4 } from './v4';

const VERSIONS: Record<SignatureVersionName, SignatureVersion> = { v4: V4, v1: V1 };

/** Where and in which signature version a bucket is signed for. */
export interface BucketTarget extends Endpoint {
  bucket: string;
  /** Region id without `oss-`, e.g. `cn-hangzhou`. */
  region: string;
  version: SignatureVersionName;
}

/** The presigned URL of one object request, valid `expiresSeconds` from `now`; throws UnsignableRequest. */
export function presignObjectUrl(target: BucketTarget, req: Omit<ObjectRequest, 'bucket'>, credentials: Credentials, now: Date, expiresSeconds: number): string {
  // A literal of one shape, not a spread of `req`: the spread cost about 1.5 µs a URL (a quarter of the budget).
  const signed = { method: req.method, bucket: target.bucket, key: req.key, query: req.query, headers: req.headers, additionalHeaders: req.additionalHeaders };
  const query = VERSIONS[target.version].presignQuery(signed, credentials, target.region, now, expiresSeconds);
  return objectUrlWithQuery(target, target.bucket, req.key, query);
}

/** A signed PostObject form, ready to post. */
export interface ObjectForm {
  /** Where the form is posted: the bucket's root. */
  url: string;
  /** Every field to send before the file, in order. */
  fields: Record<string, string>;
  expiration: Date;
}

/** A signed PostObject form: the rule conditions and fields, plus the credential fields, the policy and its signature. */
export function signObjectForm(
  target: BucketTarget,
  conditions: Condition[],
  fields: Record<string, string>,
  credentials: Credentials,
  now: Date,
  expiresSeconds: number,
): ObjectForm {
  const form = VERSIONS[target.version].signForm(conditions, fields, credentials, target.region, now, expiresSeconds);
  return { url: `${bucketBase(target, target.bucket)}/`, fields: form.fields, expiration: form.expiration };
}

/** Who signs, for which bucket, at which moment. */
export interface Signing {
  target: BucketTarget;
  credentials: Credentials;
  /** A whole second: V4 timestamps carry no fractions, so expiresAt is exact. */
  now: Date;
}

/** A Signing at `at`, cut to the whole second. */
export function signingAt(target: BucketTarget, credentials: Credentials, at: Date): Signing {
  return { target, credentials, now: new Date(Math.floor(at.getTime() / 1000) * 1000) };
}

/**
 * Seconds a URL or form may live: what the rules allow, cut to what the credentials can still serve
 * (usableSeconds: their remaining life less the cache's margin). The credential cache hands out
 * credentials that serve the whole lifetime asked; only a fresh one that falls short (a clock that
 * disagrees with STS's) is cut here. Throws ApiError SigningCredentialsExpiring (503, Retry-After)
 * when not even a second remains.
 */
export function signingLifetime(expiresSeconds: number, s: Signing): number {
  const { expiration } = s.credentials;
  const usable = expiration === undefined ? Infinity : usableSeconds(new Date(expiration).getTime(), s.now.getTime());
  if (!(usable >= 1)) throw new ApiError('SigningCredentialsExpiring', 'the signing credentials are about to expire; retry shortly');
  return Math.min(expiresSeconds, usable);
}

const isoAfter = (s: Signing, seconds: number) => new Date(s.now.getTime() + seconds * 1000).toISOString();

/** What a URL plan of shared/policy holds. */
export interface UrlToSign {
  method: string;
  key: string;
  headers: Record<string, string>;
  query: Record<string, string>;
  additionalHeaders: string[];
  /** Seconds the rules allow. */
  expiresSeconds: number;
}

/**
 * A presigned URL and when it expires (ISO 8601), its lifetime cut by signingLifetime. A request the
 * bucket's signature version cannot bind is ApiError SizeNotEnforceable (V1 cannot sign the length).
 */
export function presignUrl(s: Signing, plan: UrlToSign): { url: string; expiresAt: string } {
  const expires = signingLifetime(plan.expiresSeconds, s);
  const request = { method: plan.method, key: plan.key, headers: plan.headers, query: Object.entries(plan.query), additionalHeaders: plan.additionalHeaders };
  try {
    return { url: presignObjectUrl(s.target, request, s.credentials, s.now, expires), expiresAt: isoAfter(s, expires) };
  } catch (err) {
    if (err instanceof UnsignableRequest) {
      throw new ApiError('SizeNotEnforceable', 'this bucket takes V1 signatures, which cannot bind the size of a PUT; upload with op "post"');
    }
    throw err;
  }
}

/** What a form plan of shared/policy holds. */
export interface FormToSign {
  conditions: Condition[];
  fields: Record<string, string>;
  /** Seconds the rules allow. */
  expiresSeconds: number;
}

/** A signed PostObject form and when it expires (ISO 8601), its lifetime cut by signingLifetime. */
export function signForm(s: Signing, plan: FormToSign): { url: string; fields: Record<string, string>; expiresAt: string } {
  const expires = signingLifetime(plan.expiresSeconds, s);
  const form = signObjectForm(s.target, plan.conditions, plan.fields, s.credentials, s.now, expires);
  return { url: form.url, fields: form.fields, expiresAt: isoAfter(s, expires) };
}

/** Where the functions sign for: the configured bucket, its public endpoint and signature version. */
export function bucketTarget(c: { rules: { bucket: string; region: string }; endpoint: string; pathStyle: boolean; signatureVersion: SignatureVersionName }): BucketTarget {
  return { bucket: c.rules.bucket, region: c.rules.region, endpoint: c.endpoint, pathStyle: c.pathStyle, version: c.signatureVersion };
}
