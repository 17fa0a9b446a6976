// The bucket CORS rule browser uploads need (bucket-cors.json, in the JSON form `ossutil api
// put-bucket-cors` takes), for the app's origins. ETag is exposed because browser multipart uploads read
// each part's ETag to complete the upload; x-oss-hash-crc64ecma so a browser can compare the CRC-64 OSS
// computed with its own; x-oss-meta-filename so a download that HEADs can show the exact file name.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface CorsRule {
  AllowedOrigin: string[];
  AllowedMethod: string[];
  AllowedHeader: string;
  ExposeHeader: string[];
  MaxAgeSeconds: number;
}

export interface BucketCors {
  CORSRule: CorsRule[];
}

/**
 * The rules of bucket-cors.json with `${ALLOWED_ORIGIN}` standing for `origins`, as they are: the
 * local OSS serves these, so what works locally is what the deployed bucket allows.
 */
export function bucketCorsRules(origins: string[]): CorsRule[] {
  const doc = JSON.parse(readFileSync(join(__dirname, 'bucket-cors.json'), 'utf8')) as BucketCors;
  return doc.CORSRule.map((rule) => ({ ...rule, AllowedOrigin: rule.AllowedOrigin.flatMap((o) => (o === '${ALLOWED_ORIGIN}' ? origins : [o])) }));
}

/** The bucket's CORS configuration for a deployment; throws unless `origins` are the app's (scheme and host, no `*`). */
export function bucketCors(origins: string[]): BucketCors {
  if (origins.length === 0 || origins.some((o) => o === '*' || !/^https?:\/\/[^/]+$/.test(o))) {
    throw new Error('bucket CORS needs the app\'s origins, e.g. https://app.example.com (no paths, no "*")');
  }
  return { CORSRule: bucketCorsRules(origins) };
}
