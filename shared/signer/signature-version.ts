// How one signature version signs what the functions hand out: a presigned URL's query and a
// PostObject form. One small module per version implements it (v4.ts, v1.ts), with its caches;
// presign.ts picks the one the bucket takes, as the OSS Go SDK v2 picks its signer.

import type { Credentials } from './credentials';

/** The values OSS_SIGNATURE_VERSION takes. */
export type SignatureVersionName = 'v4' | 'v1';

/** `[name, value]` pairs, decoded; a value of '' is a bare key. */
export type QueryPairs = [string, string][];

/** A PostObject policy condition: `{"field":"value"}` or `["op", "$field", …]`. */
export type Condition = Record<string, string> | [string, ...unknown[]];

/** One object request to presign. */
export interface ObjectRequest {
  method: string;
  bucket: string;
  key: string;
  /** Headers the client will send; the signed ones (content-type, content-md5, x-oss-*, additional) must match exactly. */
  headers: Record<string, string>;
  query: QueryPairs;
  /** Further headers to sign, e.g. `content-length`; a version that cannot sign them throws UnsignableRequest. */
  additionalHeaders?: string[];
}

/** A PostObject form's fields and policy, signed. */
export interface SignedForm {
  /** Every field the form must carry before the file, in order. */
  fields: Record<string, string>;
  /** The Base64 policy document. */
  policy: string;
  expiration: Date;
}

/** One OSS signature version, as a strategy the signer picks by name. */
export interface SignatureVersion {
  readonly name: SignatureVersionName;
  /** The presigned URL's query string, percent-encoded, valid `expiresSeconds` from `now`. */
  presignQuery(req: ObjectRequest, credentials: Credentials, region: string, now: Date, expiresSeconds: number): string;
  /** The PostObject form: the rule conditions and fields plus the credential fields, the policy and its signature. */
  signForm(conditions: Condition[], fields: Record<string, string>, credentials: Credentials, region: string, now: Date, expiresSeconds: number): SignedForm;
}

/** A request this signature version cannot sign faithfully (V1 cannot bind Content-Length, say). */
export class UnsignableRequest extends Error {
  override name = 'UnsignableRequest';
}
