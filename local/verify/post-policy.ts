// PostObject form signatures: what is signed is the Base64 policy field itself, byte for byte.
// Sources: the OSS API reference, PostObject and "Signature Version 4 for POST"
// (help.aliyun.com/en/oss/developer-reference/signature-version-4-recommend, …/signature-version-1);
// vectors POST-V4, POST-V4-STS, POST-V1 and the /sign form vectors in test/vectors.

import { v1Signature } from './v1';
import { v4Signature } from './v4';

/** `x-oss-signature`: lower-case hex HMAC-SHA256 of the Base64 policy under the signing key of `day` (yyyymmdd) and `region`. */
export function v4PolicySignature(accessKeySecret: string, day: string, region: string, policyBase64: string): string {
  return v4Signature(accessKeySecret, day, region, policyBase64);
}

/** `Signature`: Base64 HMAC-SHA1 of the Base64 policy under the AccessKey secret. */
export function v1PolicySignature(accessKeySecret: string, policyBase64: string): string {
  return v1Signature(accessKeySecret, policyBase64);
}
