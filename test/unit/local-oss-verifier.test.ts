// The local OSS's verifier against the known-answer vectors: each request, rebuilt as it arrives at
// a path-style endpoint, is accepted; the same request with one byte changed is refused.

import { IamStore } from '../../local/iam/store';
import { OssError, parsePath, parseQuery, verifyRequest, type OssRequest } from '../../local/oss';
import { verifyForm } from '../../local/oss/post-object';
import type { QueryPairs } from '../../shared/signer/signature-version';
import { objectUrl } from '../../shared/signer/url';
import { v4Timestamp } from '../../shared/signer/v4';
import { type PolicyVector, policyVectors, type SignatureVector, signatureVectors } from '../helpers/vectors';

const ALLOW_ALL = { Version: '1', Statement: [{ Effect: 'Allow' as const, Action: '*', Resource: '*' }] };

function iamFor(v: SignatureVector): IamStore {
  const iam = new IamStore();
  iam.addKey({ accessKeyId: v.accessKeyId, accessKeySecret: v.accessKeySecret, securityToken: v.securityToken ?? undefined, name: 'vector', policies: [ALLOW_ALL] });
  return iam;
}

const lower = (h: Record<string, string>) => Object.fromEntries(Object.entries(h).map(([k, val]) => [k.toLowerCase(), val]));

/** Path-style URL → what the server parses out of it. */
function arriving(method: string, url: string, headers: Record<string, string>): OssRequest {
  const u = new URL(url);
  return { method, ...parsePath(u.pathname), query: parseQuery(u.search.slice(1)), headers: lower(headers) };
}

interface Case {
  v: SignatureVector;
  req: OssRequest;
  now: Date;
  region: string;
}

function build(v: SignatureVector): Case {
  const r = v.request;
  const region = v.region ?? 'cn-hangzhou';
  const ep = { endpoint: 'http://localhost:9000', pathStyle: true };
  const token = v.securityToken ?? undefined;
  switch (v.kind) {
    case 'v4-header': {
      const now = new Date((v.signTimeUnix as number) * 1000);
      const headers: Record<string, string> = { ...r.headers, 'x-oss-date': v4Timestamp(now), authorization: v.expected.authorization };
      if (token) headers['x-oss-security-token'] = token;
      return { v, region, now, req: arriving(r.method, objectUrl(ep, r.bucket, r.key, r.query), headers) };
    }
    case 'v4-presigned-url': {
      const now = new Date((v.signTimeUnix as number) * 1000);
      const ts = v4Timestamp(now);
      const query: QueryPairs = [
        ...r.query,
        ['x-oss-signature-version', 'OSS4-HMAC-SHA256'],
        ['x-oss-credential', `${v.accessKeyId}/${ts.slice(0, 8)}/${region}/oss/aliyun_v4_request`],
        ['x-oss-date', ts],
        ['x-oss-expires', String(v.expiresSeconds)],
      ];
      if (token) query.push(['x-oss-security-token', token]);
      if (r.additionalHeaders?.length) query.push(['x-oss-additional-headers', r.additionalHeaders.join(';')]);
      query.push(['x-oss-signature', v.expected.signature]);
      return { v, region, now, req: arriving(r.method, objectUrl(ep, r.bucket, r.key, query), r.headers) };
    }
    case 'v1-header': {
      const date = lower(r.headers)['x-oss-date'] ?? lower(r.headers)['date'];
      return { v, region, now: new Date(date), req: arriving(r.method, objectUrl(ep, r.bucket, r.key, r.query), { ...r.headers, authorization: v.expected.authorization }) };
    }
    case 'v1-presigned-url': {
      // The vector's URL is virtual-hosted; the local endpoint takes the bucket as the first path segment.
      const u = new URL(v.expected.url);
      const url = `${ep.endpoint}/${r.bucket}${u.pathname}${u.search}`;
      return { v, region, now: new Date(((r.expires as number) - 60) * 1000), req: arriving(r.method, url, r.headers) };
    }
    default:
      throw new Error(`not a request vector: ${v.kind}`);
  }
}

const requestVectors = signatureVectors;

function verify(c: Case, req: OssRequest = c.req) {
  return verifyRequest(req, { iam: iamFor(c.v), region: c.region, now: c.now });
}

function refusal(c: Case, req: OssRequest): string | undefined {
  try {
    verify(c, req);
    return undefined;
  } catch (e) {
    return e instanceof OssError ? e.code : String(e);
  }
}

/** Change the byte at `i` (to its neighbour), so the string differs by exactly one byte. */
function flip(s: string, i: number): string {
  return s.slice(0, i) + String.fromCharCode(s.charCodeAt(i) ^ 1) + s.slice(i + 1);
}

/** Small changes: a byte of the signature, of a signed header, of the path or of a query value; the URL's lifetime one second shorter. */
function tamperings(c: Case): [string, OssRequest][] {
  const { req } = c;
  const out: [string, OssRequest][] = [];
  const auth = req.headers['authorization'];
  if (auth !== undefined) out.push(['signature', { ...req, headers: { ...req.headers, authorization: flip(auth, auth.length - 5) } }]);
  const sigParam = req.query.findIndex(([k]) => k === 'x-oss-signature' || k === 'Signature');
  if (sigParam >= 0) {
    out.push(['signature', { ...req, query: req.query.map(([k, val], i) => [k, i === sigParam ? flip(val, 0) : val]) }]);
  }
  const signedHeader = Object.keys(req.headers).find((h) => h === 'content-type' || h === 'content-md5' || (h.startsWith('x-oss-') && h !== 'x-oss-date'));
  if (signedHeader) out.push([`header ${signedHeader}`, { ...req, headers: { ...req.headers, [signedHeader]: flip(req.headers[signedHeader], 0) } }]);
  out.push(['path', { ...req, key: flip(req.key as string, 0) }]);
  const lifetime = req.query.findIndex(([k]) => k === 'x-oss-expires' || k === 'Expires');
  if (lifetime >= 0) out.push(['lifetime', { ...req, query: req.query.map(([k, val], i) => [k, i === lifetime ? String(Number(val) - 1) : val]) }]);
  const AUTH_PARAMS = /^(x-oss-(signature|credential|date|expires|signature-version|security-token)|security-token|Signature|OSSAccessKeyId|Expires)$/;
  const valued = req.query.findIndex(([k, val]) => val !== '' && !AUTH_PARAMS.test(k));
  if (valued >= 0) out.push(['query value', { ...req, query: req.query.map(([k, val], i) => [k, i === valued ? flip(val, 0) : val]) }]);
  return out;
}

describe('the local OSS verifier and the signature vectors', () => {
  it.each(requestVectors.map((v) => [v.id, v] as const))('accepts %s as it arrives', (_id, v) => {
    const c = build(v);
    expect(verify(c)?.principal.accessKeyId).toBe(v.accessKeyId);
  });

  it.each(requestVectors.map((v) => [v.id, v] as const))('refuses %s when anything signed is changed', (_id, v) => {
    const c = build(v);
    const tampered = tamperings(c);
    expect(tampered.length).toBeGreaterThanOrEqual(3);
    for (const [what, req] of tampered) expect([what, refusal(c, req)]).toEqual([what, 'SignatureDoesNotMatch']);
  });

  it('shows the string it signed when a V4 signature does not match, without the security token', () => {
    const c = build(signatureVectors.find((v) => v.id === 'V4-H2-STS')!);
    const [, req] = tamperings(c)[0];
    try {
      verify(c, req);
      throw new Error('accepted');
    } catch (e) {
      const err = e as OssError;
      expect(err.details.StringToSign).toBe(c.v.expected.stringToSign);
      expect(err.details.CanonicalRequest).toContain('x-oss-security-token:<security-token>');
      expect(JSON.stringify(err.details)).not.toContain(`:${c.v.securityToken}\n`);
    }
  });
});

describe('PostObject form signatures from the vectors', () => {
  const postVectors = policyVectors;

  function formOf(v: PolicyVector): { fields: Map<string, string>; iam: IamStore; now: Date; accessKeyId: string } {
    const policy = JSON.parse(v.policyJson) as { expiration: string; conditions: unknown[] };
    const fields = new Map<string, string>([['policy', v.expected.policyBase64]]);
    for (const c of policy.conditions) if (!Array.isArray(c)) for (const [k, val] of Object.entries(c as object)) fields.set(k.toLowerCase(), String(val));
    const iam = new IamStore();
    const token = fields.get('x-oss-security-token');
    // V4 policies name the key in x-oss-credential; V1 ones do not name it at all.
    const accessKeyId = fields.get('x-oss-credential')?.split('/')[0] ?? 'ak';
    iam.addKey({ accessKeyId, accessKeySecret: v.accessKeySecret, securityToken: token, name: 'vector', policies: [ALLOW_ALL] });
    if (v.kind === 'post-policy-v4') fields.set('x-oss-signature', v.expected.signature);
    else {
      fields.set('ossaccesskeyid', accessKeyId);
      fields.set('signature', v.expected.signature);
    }
    // Posted when signed (x-oss-date) or, for V1, well before the policy expires.
    const signed = fields.get('x-oss-date')?.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z');
    return { fields, iam, accessKeyId, now: signed ? new Date(signed) : new Date(new Date(policy.expiration).getTime() - 30 * 60 * 1000) };
  }

  it.each(postVectors.map((v) => [v.id, v] as const))('accepts %s', (_id, v) => {
    const { fields, iam, now, accessKeyId } = formOf(v);
    expect(verifyForm(fields, { iam, region: 'cn-hangzhou', now }).principal.accessKeyId).toBe(accessKeyId);
  });

  it.each(postVectors.map((v) => [v.id, v] as const))('refuses %s with one byte of the signature or the policy changed', (_id, v) => {
    const { fields, iam, now } = formOf(v);
    const sigField = fields.has('x-oss-signature') ? 'x-oss-signature' : 'signature';
    for (const field of [sigField, 'policy']) {
      const changed = new Map(fields);
      changed.set(field, flip(fields.get(field) as string, 10));
      expect(() => verifyForm(changed, { iam, region: 'cn-hangzhou', now })).toThrow(expect.objectContaining({ code: 'SignatureDoesNotMatch' }));
    }
  });
});
