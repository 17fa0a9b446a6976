// The known-answer vectors (test/vectors/oss-vectors.json), typed by what they hold.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { QueryPairs } from '../../shared/signer/signature-version';

/** A request signed in its header or URL: kinds v1-header, v1-presigned-url, v4-header, v4-presigned-url. */
export interface SignatureVector {
  id: string;
  kind: string;
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string | null;
  region?: string;
  signTimeUnix?: number;
  expiresSeconds?: number;
  request: {
    method: string;
    bucket: string;
    key: string;
    query: QueryPairs;
    headers: Record<string, string>;
    additionalHeaders?: string[];
    expires?: number;
  };
  expected: Record<string, string>;
}

/** A PostObject policy and its signature: kinds post-policy-v4, post-policy-v1. */
export interface PolicyVector {
  id: string;
  kind: string;
  accessKeySecret: string;
  date?: string;
  region?: string;
  policyJson: string;
  expected: Record<string, string>;
}

const all = (JSON.parse(readFileSync(join(__dirname, '..', 'vectors', 'oss-vectors.json'), 'utf8')) as { vectors: { kind: string }[] }).vectors;

export const KINDS = new Set(all.map((v) => v.kind));
export const signatureVectors = all.filter((v) => /^v[14]-/.test(v.kind)) as SignatureVector[];
export const policyVectors = all.filter((v) => v.kind.startsWith('post-policy-')) as PolicyVector[];

/** A POP RPC call and its signature: kind pop-rpc. */
export interface PopVector {
  id: string;
  kind: string;
  accessKeySecret: string;
  method: string;
  params: Record<string, string>;
  expected: { stringToSign: string; signature: string };
}

export const popVectors = all.filter((v) => v.kind === 'pop-rpc') as PopVector[];
