// Verifying OSS4-HMAC-SHA256 requests, header and query forms. The canonical request is rebuilt from
// what arrived by local/verify (written apart from shared/signer, so a signer bug cannot verify
// itself), and anything changed after signing fails.

import type { Principal } from '../iam/store';
import type { QueryPairs } from '../../shared/signer';
import { V4_ALGORITHM, V4_PRODUCT, V4_TERMINATOR, V4_UNSIGNED_PAYLOAD, v4CanonicalRequest, v4Signature, v4StringToSign } from '../verify';
import { accessDenied, invalidArgument } from './errors';
import { checkSkew, resolvePrincipal, sameSignature, signatureDoesNotMatch, withoutToken, type VerifyOptions } from './auth-common';
import type { OssRequest } from './request';
import { ossIsoTime } from './time';

export const MAX_PRESIGN_SECONDS = 604800;

interface Credential {
  accessKeyId: string;
  day: string;
  region: string;
}

const TIMESTAMP = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** `20231216T162057Z` → Date, or undefined when malformed. */
export function parseV4Timestamp(s: string | undefined): Date | undefined {
  const m = s ? TIMESTAMP.exec(s) : null;
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number);
  const d = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  // Out-of-range fields (month 13, 25 o'clock) roll over in Date.UTC; reading them back catches that.
  const exact =
    d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day && d.getUTCHours() === hour && d.getUTCMinutes() === minute && d.getUTCSeconds() === second;
  return exact ? d : undefined;
}

export function parseCredential(value: string, timestamp: string, region: string): Credential {
  const parts = value.split('/');
  if (parts.length !== 5 || !parts[0] || parts[4] !== V4_TERMINATOR || parts[3] !== V4_PRODUCT) {
    throw invalidArgument('Invalid credential, the credential must end with aliyun_v4_request.', { Credential: value });
  }
  const [accessKeyId, day, credRegion] = parts;
  if (day !== timestamp.slice(0, 8)) throw invalidArgument('Invalid signing date in credential, it must match x-oss-date.', { Credential: value });
  if (credRegion !== region) throw invalidArgument(`Invalid signing region in credential, expected ${region}.`, { Credential: value });
  return { accessKeyId, day, region: credRegion };
}

interface Signed {
  credential: Credential;
  timestamp: string;
  additionalHeaders: string[];
  signature: string;
  securityToken?: string;
  /** The query as it entered the signature. */
  query: QueryPairs;
}

function check(req: OssRequest, signed: Signed, opts: VerifyOptions): Principal {
  const principal = resolvePrincipal(opts.iam, signed.credential.accessKeyId, signed.securityToken, opts.now);
  const canonical = v4CanonicalRequest({
    method: req.method,
    bucket: req.bucket,
    key: req.key,
    query: signed.query,
    headers: req.headers,
    additionalHeaders: signed.additionalHeaders,
  });
  const toSign = v4StringToSign(signed.timestamp, opts.region, canonical);
  const expected = v4Signature(principal.accessKeySecret, signed.credential.day, opts.region, toSign);
  if (!sameSignature(signed.signature, expected)) {
    throw signatureDoesNotMatch({
      StringToSign: toSign,
      CanonicalRequest: withoutToken(canonical),
      OSSAccessKeyId: signed.credential.accessKeyId,
    });
  }
  return principal;
}

/** `Authorization: OSS4-HMAC-SHA256 Credential=…,AdditionalHeaders=…,Signature=…` */
export function verifyV4Header(req: OssRequest, authorization: string, opts: VerifyOptions): Principal {
  const fields = new Map<string, string>();
  for (const part of authorization.slice(V4_ALGORITHM.length).split(',')) {
    const i = part.indexOf('=');
    if (i > 0) fields.set(part.slice(0, i).trim(), part.slice(i + 1).trim());
  }
  const credential = fields.get('Credential');
  const signature = fields.get('Signature');
  if (!credential || !signature || !/^[0-9a-f]{64}$/.test(signature)) throw invalidArgument('Authorization header is invalid.');

  const timestamp = req.headers['x-oss-date'];
  const time = parseV4Timestamp(timestamp);
  if (!time || !timestamp) throw accessDenied('OSS authentication requires a valid x-oss-date header in the form yyyymmddTHHMMSSZ.');
  checkSkew(time, opts.now);
  if (req.headers['x-oss-content-sha256'] !== V4_UNSIGNED_PAYLOAD) {
    throw invalidArgument(`The x-oss-content-sha256 header must be ${V4_UNSIGNED_PAYLOAD}.`);
  }
  const additional = fields.get('AdditionalHeaders');
  return check(
    req,
    {
      credential: parseCredential(credential, timestamp, opts.region),
      timestamp,
      additionalHeaders: additional ? additional.split(';') : [],
      signature,
      securityToken: req.headers['x-oss-security-token'],
      query: req.query,
    },
    opts,
  );
}

/** A presigned URL: `x-oss-signature-version`, `x-oss-credential`, `x-oss-date`, `x-oss-expires`, `x-oss-signature`. */
export function verifyV4Query(req: OssRequest, opts: VerifyOptions): Principal {
  const q = new Map(req.query);
  const version = q.get('x-oss-signature-version');
  const credential = q.get('x-oss-credential');
  const timestamp = q.get('x-oss-date');
  const expires = q.get('x-oss-expires');
  const signature = q.get('x-oss-signature');
  if (version !== V4_ALGORITHM) throw invalidArgument(`x-oss-signature-version must be ${V4_ALGORITHM}.`);
  if (!credential || !timestamp || !expires || !signature) {
    throw invalidArgument('A V4 signed URL needs x-oss-credential, x-oss-date, x-oss-expires and x-oss-signature.');
  }
  const time = parseV4Timestamp(timestamp);
  if (!time) throw invalidArgument('x-oss-date must be in the form yyyymmddTHHMMSSZ.');
  if (!/^\d{1,6}$/.test(expires) || +expires < 1 || +expires > MAX_PRESIGN_SECONDS) {
    throw invalidArgument(`x-oss-expires must be an integer from 1 to ${MAX_PRESIGN_SECONDS}.`);
  }
  // A URL is valid from x-oss-date; one dated later than the clock window allows is refused.
  if (time.getTime() > opts.now.getTime()) checkSkew(time, opts.now);
  const expiry = new Date(time.getTime() + Number(expires) * 1000);
  if (opts.now.getTime() > expiry.getTime()) {
    throw accessDenied('Request has expired.', { Expires: ossIsoTime(expiry), ServerTime: ossIsoTime(opts.now) });
  }
  const additional = q.get('x-oss-additional-headers');
  return check(
    req,
    {
      credential: parseCredential(credential, timestamp, opts.region),
      timestamp,
      additionalHeaders: additional ? additional.split(';') : [],
      signature,
      securityToken: q.get('x-oss-security-token'),
      query: req.query.filter(([k]) => k !== 'x-oss-signature'),
    },
    opts,
  );
}

