// Inputs every group shares: one configuration, the function role's STS credentials, one user's grant.

import { type KeyObject, randomBytes, sign } from 'node:crypto';
import { CALLBACK_MAC_MAX_SECONDS, callbackMac } from '../shared/callback-auth/mac';
import { callbackStringToSign } from '../shared/callback-auth/verify';
import { type Config, loadConfig } from '../shared/config';
import { type Grant, grantFor } from '../shared/policy/rules';
import type { Credentials } from '../shared/signer/credentials';

export const REGION = 'cn-hangzhou';
export const BUCKET = 'bench-uploads';

/** The environment of a deployed sign function: V4, callback on, overwrite forbidden, a size limit. */
export const BENCH_ENV: Record<string, string> = {
  OSS_BUCKET: BUCKET,
  OSS_REGION: REGION,
  CALLBACK_URL: 'https://app.example.com/api/callback',
  CALLBACK_MAC_KEY: randomBytes(32).toString('base64'),
  UPLOAD_MAX_SIZE: String(20 * 1024 * 1024),
};

// FC hands a function STS credentials; a real SecurityToken is several hundred characters and is
// signed into every URL, so its length matters.
export const FUNCTION_CREDENTIALS: Credentials = {
  accessKeyId: 'STS.NUgYrLnoC37mZZCNnAbez2Tw',
  accessKeySecret: 'J8qTiPSDKAKBsGzDv7Wu9JaXkC6Qa1TdjmFnhd2R3Vau',
  securityToken: 'CAIS' + randomBytes(540).toString('base64'),
};

export function benchConfig(): Config {
  return loadConfig(BENCH_ENV);
}

export function benchGrant(config: Config = benchConfig()): Grant {
  return grantFor('alice', 'upload', config.rules);
}

/** What a client asks the sign function for: a 1.2 MB JPEG under its own prefix. */
export const UPLOAD_REQUEST = { key: 'users/alice/2024/06/photo-0001.jpg', contentType: 'image/jpeg', size: 1_234_567 };

/** What OSS puts in x-oss-pub-key-url: Base64 of its key's URL. */
export const OSS_PUB_KEY_URL_HEADER = Buffer.from('https://gosspublic.alicdn.com/callback_pub_key_v1.pem').toString('base64');

export interface Upload {
  key: string;
  etag: string;
  size: number;
  mimeType: string;
}

/** A callback body as OSS fills the template /sign pins after a PutObject: OSS's variables and a valid MAC for alice's key. */
export function callbackBody(upload: Upload): Buffer {
  const exp = Math.floor(Date.now() / 1000) + CALLBACK_MAC_MAX_SECONDS;
  const mac = callbackMac(benchConfig().callback.macKeys!, { bucket: BUCKET, key: upload.key, owner: 'alice', exp });
  const vars = { bucket: BUCKET, object: upload.key, etag: upload.etag, size: upload.size, mimeType: upload.mimeType, operation: 'PutObject' };
  return Buffer.from(JSON.stringify({ ...vars, owner: 'alice', exp, mac }), 'utf8');
}

/** The Authorization header OSS sends: Base64 RSA-MD5 over what the callback verifier checks. */
export function signCallback(privateKey: KeyObject, path: string, body: Buffer): string {
  return sign('md5', callbackStringToSign(path, undefined, body), privateKey).toString('base64');
}
