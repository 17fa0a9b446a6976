// PostObject form signatures: the policy document (rule conditions plus the credential fields), its
// Base64, and the signature over that Base64.

import type { Credentials } from './credentials';
import { postSignatureV1 } from './v1';
import { postSignatureV4, scope, V4_ALGORITHM, v4Timestamp } from './v4';

export type Condition = Record<string, string> | [string, ...unknown[]];

function isBucketCondition(c: Condition | undefined): boolean {
  return c !== undefined && !Array.isArray(c) && Object.keys(c).length === 1 && 'bucket' in c;
}

export interface SignedForm {
  /** Every field the form must carry before the file, in order. */
  fields: Record<string, string>;
  policy: string;
  expiration: Date;
}

export function signPostV4(
  conditions: Condition[],
  fields: Record<string, string>,
  credentials: Credentials,
  region: string,
  now: Date,
  expiresSeconds: number,
): SignedForm {
  const timestamp = v4Timestamp(now);
  const credential = `${credentials.accessKeyId}/${scope(timestamp.slice(0, 8), region)}`;
  const token = credentials.securityToken;
  const expiration = new Date(now.getTime() + expiresSeconds * 1000);
  // The official samples list the bucket, then the credential fields, then the rules; keeping that
  // order makes the known-answer policies reproduce byte for byte.
  const split = isBucketCondition(conditions[0]) ? 1 : 0;
  const bound: Condition[] = [{ 'x-oss-signature-version': V4_ALGORITHM }, { 'x-oss-credential': credential }, { 'x-oss-date': timestamp }];
  if (token) bound.push({ 'x-oss-security-token': token });
  const document = { expiration: expiration.toISOString(), conditions: [...conditions.slice(0, split), ...bound, ...conditions.slice(split)] };
  const policy = Buffer.from(JSON.stringify(document), 'utf8').toString('base64');
  const signature = postSignatureV4(credentials.accessKeySecret, timestamp.slice(0, 8), region, policy);
  const signed: Record<string, string> = { ...fields, 'x-oss-signature-version': V4_ALGORITHM, 'x-oss-credential': credential, 'x-oss-date': timestamp };
  if (token) signed['x-oss-security-token'] = token;
  signed.policy = policy;
  signed['x-oss-signature'] = signature;
  return { fields: signed, policy, expiration };
}

export function signPostV1(
  conditions: Condition[],
  fields: Record<string, string>,
  credentials: Credentials,
  now: Date,
  expiresSeconds: number,
): SignedForm {
  const expiration = new Date(now.getTime() + expiresSeconds * 1000);
  // V1 signs only the policy, so the STS token is pinned there to be inside what is signed.
  const token: Condition[] = credentials.securityToken ? [{ 'x-oss-security-token': credentials.securityToken }] : [];
  const document = { expiration: expiration.toISOString(), conditions: [...conditions, ...token] };
  const policy = Buffer.from(JSON.stringify(document), 'utf8').toString('base64');
  const auth: Record<string, string> = { OSSAccessKeyId: credentials.accessKeyId, policy, Signature: postSignatureV1(credentials.accessKeySecret, policy) };
  if (credentials.securityToken) auth['x-oss-security-token'] = credentials.securityToken;
  return { fields: { ...fields, ...auth }, policy, expiration };
}
