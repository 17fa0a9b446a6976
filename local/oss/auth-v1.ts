// Verifying the legacy HMAC-SHA1 signatures, header (`OSS AK:sig`) and URL (`OSSAccessKeyId`,
// `Expires`, `Signature`) forms. OSS keeps V1 only for old accounts and buckets. The string to sign
// is rebuilt by local/verify, written apart from shared/signer.

import type { Principal } from '../iam/store';
import { v1Signature, v1StringToSign } from '../verify';
import { accessDenied, invalidArgument } from './errors';
import { checkSkew, resolvePrincipal, sameSignature, signatureDoesNotMatch, withoutToken, type VerifyOptions } from './auth-common';
import type { OssRequest } from './request';
import { ossIsoTime } from './time';

const URL_AUTH = new Set(['OSSAccessKeyId', 'Expires', 'Signature']);

function check(req: OssRequest, accessKeyId: string, signature: string, dateOrExpires: string, token: string | undefined, opts: VerifyOptions): Principal {
  const principal = resolvePrincipal(opts.iam, accessKeyId, token, opts.now);
  const toSign = v1StringToSign({ ...req, query: req.query.filter(([k]) => !URL_AUTH.has(k)) }, dateOrExpires);
  if (!sameSignature(signature, v1Signature(principal.accessKeySecret, toSign))) {
    const shown = withoutToken(toSign);
    throw signatureDoesNotMatch({
      StringToSign: shown,
      StringToSignBytes: [...Buffer.from(shown, 'utf8')].map((b) => b.toString(16).padStart(2, '0')).join(' '),
      OSSAccessKeyId: accessKeyId,
    });
  }
  return principal;
}

/** `Authorization: OSS <AccessKeyId>:<Base64 signature>`, dated by x-oss-date or Date. */
export function verifyV1Header(req: OssRequest, authorization: string, opts: VerifyOptions): Principal {
  const m = /^OSS ([^:\s]+):(\S+)$/.exec(authorization);
  if (!m) throw invalidArgument('Authorization header is invalid.');
  const date = req.headers['x-oss-date'] || req.headers['date'];
  const time = date ? new Date(date) : undefined;
  if (!date || !time || Number.isNaN(time.getTime())) throw accessDenied('OSS authentication requires a valid Date.');
  checkSkew(time, opts.now);
  return check(req, m[1], m[2], date, req.headers['x-oss-security-token'], opts);
}

export function verifyV1Query(req: OssRequest, opts: VerifyOptions): Principal {
  const q = new Map(req.query);
  const accessKeyId = q.get('OSSAccessKeyId');
  const expires = q.get('Expires');
  const signature = q.get('Signature');
  if (!accessKeyId || !expires || !signature) throw invalidArgument('OSSAccessKeyId, Expires and Signature must all be given.');
  if (!/^\d+$/.test(expires)) throw invalidArgument('Expires must be a Unix time in seconds.');
  if (opts.now.getTime() > Number(expires) * 1000) {
    throw accessDenied('Request has expired.', { Expires: ossIsoTime(new Date(Number(expires) * 1000)), ServerTime: ossIsoTime(opts.now) });
  }
  return check(req, accessKeyId, signature, expires, q.get('security-token'), opts);
}
