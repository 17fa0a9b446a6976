// ali-oss 6.23 as an outside reference for the known-answer vectors of the request shapes /sign
// emits: each function computes, with ali-oss's public signing calls, what a vector records.
// ali-oss reads the clock itself, so callers fake Date (jest.setSystemTime) to the vector's time.

import type { PolicyVector, SignatureVector } from './vectors';

interface AliOss {
  signatureUrlV4(method: string, expires: number, request: { headers: Record<string, string>; queries: Record<string, string> }, objectName: string, additionalHeaders?: string[]): Promise<string>;
  signatureUrl(name: string, options: Record<string, unknown>): string;
  signPostObjectPolicyV4(policy: object, date: Date): string;
  calculatePostSignature(policy: object): { OSSAccessKeyId: string; Signature: string; policy: string };
  _getResource(params: { bucket: string; object: string }): string;
}

interface SignUtils {
  getCanonicalRequest(method: string, request: { headers: Record<string, string>; queries: Record<string, string> }, bucket: string, key: string, additional: string[]): string;
  getStringToSign(region: string, date: string, canonicalRequest: string): string;
  buildCanonicalString(method: string, resource: string, request: { headers: Record<string, string>; parameters: Record<string, string> }, expires: string): string;
  fixAdditionalHeaders(names?: string[]): string[];
}

const OSS = require('ali-oss') as new (options: Record<string, unknown>) => AliOss;
const signUtils = require('ali-oss/lib/common/signUtils') as SignUtils;
const { policy2Str } = require('ali-oss/lib/common/utils/policy2Str') as { policy2Str(policy: object): string };

/** The endpoint the V1 URL vectors are written for (ali-oss keeps it as given: http, virtual-hosted). */
export const VECTOR_ENDPOINT = 'http://oss-cn-hangzhou.aliyuncs.com';

function client(v: { accessKeyId?: string; accessKeySecret: string; securityToken?: string | null; region?: string }, bucket: string): AliOss {
  return new OSS({
    region: `oss-${v.region ?? 'cn-hangzhou'}`,
    endpoint: VECTOR_ENDPOINT,
    accessKeyId: v.accessKeyId ?? 'ak',
    accessKeySecret: v.accessKeySecret,
    stsToken: v.securityToken ?? undefined,
    bucket,
  });
}

/** V4 presigned URL: ali-oss's signatureUrlV4, and its canonical request and string to sign over the query that URL carries. */
export async function deriveV4Url(v: SignatureVector): Promise<Record<string, string>> {
  const r = v.request;
  const url = new URL(await client(v, r.bucket).signatureUrlV4(r.method, v.expiresSeconds as number, { headers: { ...r.headers }, queries: Object.fromEntries(r.query) }, r.key, r.additionalHeaders));
  const signed = Object.fromEntries([...url.searchParams].filter(([k]) => k !== 'x-oss-signature'));
  const canonicalRequest = signUtils.getCanonicalRequest(r.method, { headers: r.headers, queries: signed }, r.bucket, r.key, signUtils.fixAdditionalHeaders(r.additionalHeaders));
  return {
    canonicalRequest,
    stringToSign: signUtils.getStringToSign(v.region as string, signed['x-oss-date'], canonicalRequest),
    signature: url.searchParams.get('x-oss-signature') as string,
  };
}

/** V1 presigned URL: ali-oss's signatureUrl (request.query as its subResource, headers as options), and the string it signs. */
export function deriveV1Url(v: SignatureVector): Record<string, string> {
  const r = v.request;
  const oss = client(v, r.bucket);
  const subResource = Object.fromEntries(r.query);
  const url = oss.signatureUrl(r.key, { method: r.method, expires: v.expiresSeconds, ...r.headers, subResource: { ...subResource } });
  const headers = Object.fromEntries(Object.entries(r.headers).map(([k, val]) => [k.toLowerCase(), val]));
  const parameters = v.securityToken ? { ...subResource, 'security-token': v.securityToken } : subResource;
  const stringToSign = signUtils.buildCanonicalString(r.method, oss._getResource({ bucket: r.bucket, object: r.key }), { headers, parameters }, String(r.expires));
  return { stringToSign, signatureUrlEncoded: encodeURIComponent(new URL(url).searchParams.get('Signature') as string), url };
}

/** V4 PostObject: the Base64 policy as ali-oss serialises it, and signPostObjectPolicyV4 over it. */
export function deriveV4Policy(v: PolicyVector): Record<string, string> {
  const policy = JSON.parse(v.policyJson) as object;
  const day = v.date as string;
  const signature = client(v, 'examplebucket').signPostObjectPolicyV4(policy, new Date(`${day.slice(0, 4)}-${day.slice(4, 6)}-${day.slice(6, 8)}T12:00:00Z`));
  return { policyBase64: Buffer.from(policy2Str(policy), 'utf8').toString('base64'), signature };
}

/** V1 PostObject: calculatePostSignature's policy and Signature. */
export function deriveV1Policy(v: PolicyVector): Record<string, string> {
  const { policy, Signature } = client(v, 'examplebucket').calculatePostSignature(JSON.parse(v.policyJson) as object);
  return { policyBase64: policy, signature: Signature };
}
