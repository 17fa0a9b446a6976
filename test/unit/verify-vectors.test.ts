// local/verify, the local OSS's and STS's independent signature checks, against every known-answer
// vector of test/vectors, intermediate strings included. (The product signer is held to the same
// vectors in signer-vectors.test.ts; pop-core, the product's STS signer, in verify-pop-signature.test.ts.)

import {
  popSignature,
  popStringToSign,
  v1PolicySignature,
  v1Signature,
  v1StringToSign,
  v4CanonicalRequest,
  v4PolicySignature,
  v4Scope,
  v4Signature,
  v4StringToSign,
  type V4SignedRequest,
} from '../../local/verify';
import { KINDS, policyVectors, popVectors, type SignatureVector, signatureVectors } from '../helpers/vectors';

const ofKind = <V extends { id: string; kind: string }>(vectors: V[], kind: string) => vectors.filter((v) => v.kind === kind).map((v) => [v.id, v] as const);

/** `yyyymmddTHHMMSSZ` of a Unix time, written out here rather than by either implementation. */
function timestampOf(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

test('the vector file holds every kind local/verify checks', () => {
  for (const k of ['v1-header', 'v1-presigned-url', 'v4-header', 'v4-presigned-url', 'post-policy-v4', 'post-policy-v1', 'pop-rpc']) expect(KINDS).toContain(k);
});

/** A V4 vector's request as it reaches OSS: the signer's own headers (header form) or query parameters (URL form) added. */
function v4Arriving(v: SignatureVector): { req: V4SignedRequest; timestamp: string } {
  const r = v.request;
  const timestamp = timestampOf(v.signTimeUnix as number);
  const token = v.securityToken ?? undefined;
  if (v.kind === 'v4-header') {
    const headers: Record<string, string> = { ...r.headers, 'x-oss-date': timestamp };
    if (token) headers['x-oss-security-token'] = token;
    return { timestamp, req: { method: r.method, bucket: r.bucket, key: r.key, query: r.query, headers, additionalHeaders: r.additionalHeaders ?? [] } };
  }
  const query: [string, string][] = [
    ...r.query,
    ['x-oss-signature-version', 'OSS4-HMAC-SHA256'],
    ['x-oss-credential', `${v.accessKeyId}/${v4Scope(timestamp.slice(0, 8), v.region as string)}`],
    ['x-oss-date', timestamp],
    ['x-oss-expires', String(v.expiresSeconds)],
  ];
  if (token) query.push(['x-oss-security-token', token]);
  if (r.additionalHeaders?.length) query.push(['x-oss-additional-headers', r.additionalHeaders.join(';')]);
  return { timestamp, req: { method: r.method, bucket: r.bucket, key: r.key, query, headers: r.headers, additionalHeaders: r.additionalHeaders ?? [] } };
}

describe.each([...ofKind(signatureVectors, 'v4-header'), ...ofKind(signatureVectors, 'v4-presigned-url')])('V4 %s', (_id, v) => {
  const { req, timestamp } = v4Arriving(v);
  const canonical = v4CanonicalRequest(req);
  const toSign = v4StringToSign(timestamp, v.region as string, canonical);
  const signature = v4Signature(v.accessKeySecret, timestamp.slice(0, 8), v.region as string, toSign);

  test('canonical request', () => expect(canonical).toBe(v.expected.canonicalRequest));
  test('string to sign', () => expect(toSign).toBe(v.expected.stringToSign));
  test('signature', () => expect(signature).toBe(v.expected.signature ?? /Signature=([0-9a-f]{64})$/.exec(v.expected.authorization)?.[1]));
});

describe.each(ofKind(signatureVectors, 'v1-header'))('V1 header %s', (_id, v) => {
  const headers = v.request.headers;
  const date = Object.entries(headers).find(([k]) => k.toLowerCase() === 'x-oss-date')?.[1] ?? Object.entries(headers).find(([k]) => k.toLowerCase() === 'date')?.[1];
  const toSign = v1StringToSign(v.request, date as string);

  test('string to sign', () => expect(toSign).toBe(v.expected.stringToSign));
  test('Authorization', () => expect(`OSS ${v.accessKeyId}:${v1Signature(v.accessKeySecret, toSign)}`).toBe(v.expected.authorization));
});

describe.each(ofKind(signatureVectors, 'v1-presigned-url'))('V1 URL %s', (_id, v) => {
  const query: [string, string][] = [...v.request.query];
  if (v.securityToken) query.push(['security-token', v.securityToken]);
  const toSign = v1StringToSign({ ...v.request, query }, String(v.request.expires));

  test('string to sign', () => expect(toSign).toBe(v.expected.stringToSign));
  test('signature', () => expect(encodeURIComponent(v1Signature(v.accessKeySecret, toSign))).toBe(v.expected.signatureUrlEncoded));
});

describe.each(ofKind(policyVectors, 'post-policy-v4'))('V4 PostObject %s', (_id, v) => {
  test('signature over the Base64 policy', () => {
    expect(Buffer.from(v.expected.policyBase64, 'base64').toString('utf8')).toBe(v.policyJson);
    expect(v4PolicySignature(v.accessKeySecret, v.date as string, v.region as string, v.expected.policyBase64)).toBe(v.expected.signature);
  });
});

describe.each(ofKind(policyVectors, 'post-policy-v1'))('V1 PostObject %s', (_id, v) => {
  test('signature over the Base64 policy', () => {
    expect(Buffer.from(v.expected.policyBase64, 'base64').toString('utf8')).toBe(v.policyJson);
    expect(v1PolicySignature(v.accessKeySecret, v.expected.policyBase64)).toBe(v.expected.signature);
  });
});

describe.each(popVectors.map((v) => [v.id, v] as const))('POP RPC %s', (_id, v) => {
  test('string to sign and signature', () => {
    expect(popStringToSign(v.method, v.params)).toBe(v.expected.stringToSign);
    expect(popSignature(v.accessKeySecret, v.method, v.params)).toBe(v.expected.signature);
  });
});
