// Which signature a request carries, and the principal it proves. A request may carry one
// signature only; one without any is anonymous (and the buckets here are private).

import type { Principal } from '../iam/store';
import { invalidArgument } from './errors';
import type { VerifyOptions } from './auth-common';
import { verifyV1Header, verifyV1Query } from './auth-v1';
import { verifyV4Header, verifyV4Query } from './auth-v4';
import { hasQuery, type OssRequest } from './request';
import { V4_ALGORITHM } from '../verify';

export type { VerifyOptions } from './auth-common';

export type AuthKind = 'v4-header' | 'v4-query' | 'v1-header' | 'v1-query' | 'v4-form' | 'v1-form';

export interface Authenticated {
  kind: AuthKind;
  principal: Principal;
}

function signatureKind(req: OssRequest): AuthKind | undefined {
  const auth = req.headers['authorization'];
  const v4Query = hasQuery(req, 'x-oss-signature') || hasQuery(req, 'x-oss-signature-version') || hasQuery(req, 'x-oss-credential');
  const v1Query = hasQuery(req, 'Signature') || hasQuery(req, 'OSSAccessKeyId');
  if ([auth !== undefined, v4Query, v1Query].filter(Boolean).length > 1) {
    throw invalidArgument('Only one authentication method may be used: an Authorization header or a signed URL.');
  }
  if (auth !== undefined) {
    if (auth.startsWith(`${V4_ALGORITHM} `)) return 'v4-header';
    if (auth.startsWith('OSS ')) return 'v1-header';
    throw invalidArgument('Authorization header is invalid.');
  }
  if (v4Query) return 'v4-query';
  if (v1Query) return 'v1-query';
  return undefined;
}

/** The principal behind a signed request, undefined for an anonymous one; throws OssError otherwise. */
export function verifyRequest(req: OssRequest, opts: VerifyOptions): Authenticated | undefined {
  const kind = signatureKind(req);
  switch (kind) {
    case undefined:
      return undefined;
    case 'v4-header':
      return { kind, principal: verifyV4Header(req, req.headers['authorization'], opts) };
    case 'v4-query':
      return { kind, principal: verifyV4Query(req, opts) };
    case 'v1-header':
      return { kind, principal: verifyV1Header(req, req.headers['authorization'], opts) };
    case 'v1-query':
      return { kind, principal: verifyV1Query(req, opts) };
  }
}
