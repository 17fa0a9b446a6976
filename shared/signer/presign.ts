// One presigned object URL, or one PostObject form, in the signature version the bucket takes.
// These are the two operations the sign function performs per request (and the benchmark times).

import type { Credentials } from './credentials';
import { type Condition, signPostV1, signPostV4 } from './post';
import { bucketBase, type Endpoint, objectUrl, objectUrlWithQuery } from './url';
import { presignV1 } from './v1';
import { presignV4, type QueryPairs } from './v4';

export type SignatureVersion = 'v4' | 'v1';

export interface BucketTarget extends Endpoint {
  bucket: string;
  /** Region id without `oss-`, e.g. `cn-hangzhou`. */
  region: string;
  version: SignatureVersion;
}

export interface ObjectRequest {
  method: string;
  key: string;
  /** Headers the client will send; the signed ones (content-type, content-md5, x-oss-*, additional) must match exactly. */
  headers: Record<string, string>;
  query: QueryPairs;
  /** Further headers to sign (V4 only), e.g. `content-length`. */
  additionalHeaders?: string[];
}

export class UnsignableRequest extends Error {
  override name = 'UnsignableRequest';
}

/** The presigned URL of one object request, valid `expiresSeconds` from `now`. */
export function presignObjectUrl(target: BucketTarget, req: ObjectRequest, credentials: Credentials, now: Date, expiresSeconds: number): string {
  const signed = { method: req.method, bucket: target.bucket, key: req.key, query: req.query, headers: req.headers, additionalHeaders: req.additionalHeaders };
  if (target.version === 'v1') {
    // V1 signs Content-MD5, Content-Type and x-oss-* only; anything else would silently go unenforced.
    if (req.additionalHeaders?.length) throw new UnsignableRequest(`V1 signatures cannot bind ${req.additionalHeaders.join(', ')}`);
    const { query } = presignV1(signed, credentials, Math.floor(now.getTime() / 1000) + expiresSeconds);
    return objectUrl(target, target.bucket, req.key, query);
  }
  const { queryString } = presignV4(signed, credentials, target.region, now, expiresSeconds);
  return objectUrlWithQuery(target, target.bucket, req.key, queryString);
}

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
  const form =
    target.version === 'v1'
      ? signPostV1(conditions, fields, credentials, now, expiresSeconds)
      : signPostV4(conditions, fields, credentials, target.region, now, expiresSeconds);
  return { url: `${bucketBase(target, target.bucket)}/`, fields: form.fields, expiration: form.expiration };
}
