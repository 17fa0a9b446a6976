// Every known-answer vector of kinds v1-*, v4-* and post-policy-* from test/vectors, through the
// signer's public functions, intermediate strings included.

import type { Condition } from '../../shared/signer/signature-version';
import { objectUrl } from '../../shared/signer/url';
import { authorizeV1, postSignatureV1, presignV1, signPostV1 } from '../../shared/signer/v1';
import { authorizeV4, postSignatureV4, presignV4, signPostV4 } from '../../shared/signer/v4';
import { KINDS, type PolicyVector, policyVectors, type SignatureVector, signatureVectors } from '../helpers/vectors';

const ofKind = <V extends { id: string; kind: string }>(vectors: V[], kind: string) => vectors.filter((v) => v.kind === kind).map((v) => [v.id, v] as const);

const creds = (v: SignatureVector) => ({
  accessKeyId: v.accessKeyId,
  accessKeySecret: v.accessKeySecret,
  securityToken: v.securityToken ?? undefined,
});

test('the vector file holds the kinds this suite covers', () => {
  for (const k of ['v1-header', 'v1-presigned-url', 'v4-header', 'v4-presigned-url', 'post-policy-v4', 'post-policy-v1']) expect(KINDS).toContain(k);
});

describe.each(ofKind(signatureVectors, 'v1-header'))('V1 header signature %s', (_id, v) => {
  test('string to sign and Authorization match', () => {
    const { authorization, stringToSign } = authorizeV1(v.request, creds(v));
    expect(stringToSign).toBe(v.expected.stringToSign);
    expect(authorization).toBe(v.expected.authorization);
  });
});

/** A URL as the server reads it: origin, decoded path (the key), decoded query pairs in name order. */
function asReceived(url: string) {
  const u = new URL(url);
  return { origin: u.origin, path: decodeURIComponent(u.pathname), query: [...u.searchParams].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) };
}

describe.each(ofKind(signatureVectors, 'v1-presigned-url'))('V1 presigned URL %s', (_id, v) => {
  test('string to sign, signature and URL match', () => {
    const { query, stringToSign } = presignV1(v.request, creds(v), v.request.expires!);
    expect(stringToSign).toBe(v.expected.stringToSign);
    const url = objectUrl({ endpoint: 'http://oss-cn-hangzhou.aliyuncs.com', pathStyle: false }, v.request.bucket, v.request.key, query);
    // The vectors' URLs come from SDKs that order and escape the path and query their own way (ali-oss
    // leaves !'()* bare: `(final)` in a key): compare both as OSS decodes them; the V1 signature is
    // over the decoded resource, so it is the same either way.
    expect(asReceived(url)).toEqual(asReceived(v.expected.url));
    expect(url).toContain(`Signature=${v.expected.signatureUrlEncoded}`);
  });
});

describe.each(ofKind(signatureVectors, 'v4-header'))('V4 header signature %s', (_id, v) => {
  test('canonical request, string to sign and Authorization match', () => {
    const signed = authorizeV4(v.request, creds(v), v.region!, new Date(v.signTimeUnix! * 1000));
    expect(signed.canonicalRequest).toBe(v.expected.canonicalRequest);
    expect(signed.stringToSign).toBe(v.expected.stringToSign);
    expect(signed.headers.Authorization).toBe(v.expected.authorization);
  });
});

describe.each(ofKind(signatureVectors, 'v4-presigned-url'))('V4 presigned URL %s', (_id, v) => {
  test('canonical request, string to sign and signature match', () => {
    const signed = presignV4(v.request, creds(v), v.region!, new Date(v.signTimeUnix! * 1000), v.expiresSeconds!);
    expect(signed.canonicalRequest).toBe(v.expected.canonicalRequest);
    expect(signed.stringToSign).toBe(v.expected.stringToSign);
    expect(signed.signature).toBe(v.expected.signature);
    expect(signed.query.at(-1)).toEqual(['x-oss-signature', v.expected.signature]);
    expect(new Map(signed.query).get('x-oss-security-token')).toBe(v.securityToken ?? undefined);
  });
});

/** The policy conditions the signer adds itself; the rest are the rule conditions it is given. */
const CREDENTIAL_FIELDS = new Set(['x-oss-signature-version', 'x-oss-credential', 'x-oss-date', 'x-oss-security-token']);

/** The parts a policy vector is made of: the rule conditions (credential fields excluded), its time and lifetime. */
function policyParts(v: PolicyVector) {
  const doc = JSON.parse(v.policyJson) as { expiration: string; conditions: Condition[] };
  const credentialField = (c: Condition) => !Array.isArray(c) && Object.keys(c).some((k) => CREDENTIAL_FIELDS.has(k));
  const xOssDate = doc.conditions.find((c) => !Array.isArray(c) && 'x-oss-date' in c) as Record<string, string> | undefined;
  const token = doc.conditions.find((c) => !Array.isArray(c) && 'x-oss-security-token' in c) as Record<string, string> | undefined;
  const expiration = new Date(doc.expiration);
  // V1 policies carry no date of their own: sign one hour before expiry, as the V4 vectors do.
  const now = xOssDate ? new Date(xOssDate['x-oss-date'].replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z')) : new Date(expiration.getTime() - 3600_000);
  const accessKeyId = (doc.conditions.find((c) => !Array.isArray(c) && 'x-oss-credential' in c) as Record<string, string> | undefined)?.['x-oss-credential'].split('/')[0] ?? 'ak';
  return {
    rules: doc.conditions.filter((c) => !credentialField(c)),
    now,
    expiresSeconds: (expiration.getTime() - now.getTime()) / 1000,
    credentials: { accessKeyId, accessKeySecret: v.accessKeySecret, securityToken: token?.['x-oss-security-token'] },
  };
}

describe.each(ofKind(policyVectors, 'post-policy-v4'))('V4 PostObject policy %s', (_id, v) => {
  test('the Base64 policy and its signature match', () => {
    expect(Buffer.from(v.policyJson, 'utf8').toString('base64')).toBe(v.expected.policyBase64);
    expect(postSignatureV4(v.accessKeySecret, v.date!, v.region!, v.expected.policyBase64)).toBe(v.expected.signature);
  });

  test('signPostV4 builds the same policy from the rule conditions and signs it the same', () => {
    const p = policyParts(v);
    const form = signPostV4(p.rules, {}, p.credentials, v.region!, p.now, p.expiresSeconds);
    expect(form.policy).toBe(v.expected.policyBase64);
    expect(form.fields['x-oss-signature']).toBe(v.expected.signature);
    expect(form.fields['x-oss-security-token']).toBe(p.credentials.securityToken);
  });
});

describe.each(ofKind(policyVectors, 'post-policy-v1'))('V1 PostObject policy %s', (_id, v) => {
  test('the Base64 policy and its signature match', () => {
    expect(Buffer.from(v.policyJson, 'utf8').toString('base64')).toBe(v.expected.policyBase64);
    expect(postSignatureV1(v.accessKeySecret, v.expected.policyBase64)).toBe(v.expected.signature);
  });

  test('signPostV1 builds the same policy and Signature field', () => {
    const p = policyParts(v);
    const form = signPostV1(p.rules, {}, p.credentials, p.now, p.expiresSeconds);
    expect(form.policy).toBe(v.expected.policyBase64);
    expect(form.fields.Signature).toBe(v.expected.signature);
  });
});
