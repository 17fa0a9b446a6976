// A plan from shared/policy, signed with the function role's credentials, as the client receives it.

import type { Config } from '../../shared/config';
import { HttpError } from '../../shared/http';
import type { PostPlan, UrlPlan } from '../../shared/policy';
import {
  type BucketTarget,
  type Credentials,
  credentialSecondsLeft,
  presignObjectUrl,
  signObjectForm,
  UnsignableRequest,
} from '../../shared/signer';

export interface UrlResponse {
  method: 'PUT' | 'GET';
  url: string;
  /** Exactly the headers the client must send; all of them are signed. */
  headers: Record<string, string>;
  key: string;
  expiresAt: string;
}

export interface FormResponse {
  url: string;
  /** The fields to post, in order, before the file (the last field). */
  fields: Record<string, string>;
  key: string;
  expiresAt: string;
  maxSize: number;
}

export interface Signing {
  target: BucketTarget;
  credentials: Credentials;
  /** Whole seconds: V4 timestamps carry no fractions, so expiresAt is exact. */
  now: Date;
}

// A URL outliving its signer's STS token fails early; keep clear of the token's end.
const CREDENTIAL_MARGIN_SECONDS = 60;

export function signingFor(config: Config, credentials: Credentials | undefined, now: Date): Signing {
  if (!credentials?.accessKeyId || !credentials.accessKeySecret) {
    throw new HttpError(500, 'NoSigningCredentials', 'the function has no role credentials to sign with; give it a role with oss:PutObject and oss:GetObject');
  }
  return {
    target: { bucket: config.bucket, region: config.region, endpoint: config.endpoint, pathStyle: config.pathStyle, version: config.signatureVersion },
    credentials,
    now: new Date(Math.floor(now.getTime() / 1000) * 1000),
  };
}

/** The plan's lifetime, cut to what remains of the signing credentials. */
function lifetime(expiresSeconds: number, s: Signing): number {
  const left = credentialSecondsLeft(s.credentials, s.now) - CREDENTIAL_MARGIN_SECONDS;
  if (left < 1) {
    throw new HttpError(503, 'SigningCredentialsExpiring', 'the signing credentials are about to expire; retry shortly', { 'Retry-After': '5' });
  }
  return Math.min(expiresSeconds, left);
}

const expiresAt = (s: Signing, seconds: number) => new Date(s.now.getTime() + seconds * 1000).toISOString();

export function urlResponse(plan: UrlPlan, s: Signing): UrlResponse {
  const expires = lifetime(plan.expiresSeconds, s);
  const request = { method: plan.method, key: plan.key, headers: plan.headers, query: Object.entries(plan.query), additionalHeaders: plan.additionalHeaders };
  let url: string;
  try {
    url = presignObjectUrl(s.target, request, s.credentials, s.now, expires);
  } catch (err) {
    if (err instanceof UnsignableRequest) {
      throw new HttpError(400, 'SizeNotEnforceable', 'this bucket takes V1 signatures, which cannot bind the size of a PUT; upload with op "post"');
    }
    throw err;
  }
  return { method: plan.method, url, headers: plan.headers, key: plan.key, expiresAt: expiresAt(s, expires) };
}

export function formResponse(plan: PostPlan, s: Signing): FormResponse {
  const expires = lifetime(plan.expiresSeconds, s);
  const form = signObjectForm(s.target, plan.conditions, plan.fields, s.credentials, s.now, expires);
  return { url: form.url, fields: form.fields, key: plan.key, expiresAt: expiresAt(s, expires), maxSize: plan.maxSize };
}
