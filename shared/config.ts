// Environment → typed, validated configuration. Read once per instance; every problem names the
// variable and says what is expected, so a misconfigured deploy fails loudly on its first request.

import { validateKey } from './policy/keys';

export type SignatureVersion = 'v4' | 'v1';
export type ViolationAction = 'keep' | 'delete';

export interface Config {
  bucket: string;
  /** Region id without the `oss-` prefix, e.g. `cn-hangzhou`. */
  region: string;
  /** Public OSS endpoint handed to clients and used in signed URLs, e.g. `https://oss-cn-hangzhou.aliyuncs.com`. */
  endpoint: string;
  /** Path-style URLs (`endpoint/bucket/key`) instead of virtual-hosted ones; for local and OSS-compatible endpoints. */
  pathStyle: boolean;
  /** Endpoint the functions themselves use to reach OSS (the internal one in the cloud). */
  internalEndpoint: string;
  /** Template of a caller's prefix; `${uid}` is replaced by the caller's validated user id. */
  prefixTemplate: string;
  allowedContentTypes: string[];
  minSize: number;
  maxSize: number;
  forbidOverwrite: boolean;
  signatureVersion: SignatureVersion;
  urlExpiresSeconds: number;
  maxUrlExpiresSeconds: number;
  postExpiresSeconds: number;
  stsDurationSeconds: number;
  sts: { roleArn?: string; endpoint: string; externalId?: string; timeoutMs: number };
  callback: {
    url?: string;
    onViolation: ViolationAction;
    /** Extra PEM public keys trusted besides OSS's own; explicit configuration for local runs only. */
    trustedKeys: string[];
    downloadUrlSeconds: number;
  };
  webhook: { url?: string; secret?: string; timeoutMs: number };
  auth: {
    jwksUrl?: string;
    hs256Secret?: string;
    issuer?: string;
    audience?: string;
    userClaim: string;
    anonymous: boolean;
  };
  corsOrigins: string[];
  maxBodyBytes: number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(
    readonly variable: string,
    expected: string,
  ) {
    super(`${variable}: ${expected}`);
  }
}

type Env = Record<string, string | undefined>;

const BUCKET_RE = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;
const REGION_RE = /^[a-z]{2}(-[a-z0-9]+)+$/;
const CONTENT_TYPE_RE = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/(\*|[a-z0-9][a-z0-9!#$&^_.+-]*)$/;

function str(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

function required(env: Env, name: string, expected: string): string {
  const v = str(env, name);
  if (v === undefined) throw new ConfigError(name, `is required: ${expected}`);
  return v;
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const v = str(env, name);
  if (v === undefined) return fallback;
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
    throw new ConfigError(name, `expected an integer from ${min} to ${max}, got "${v}"`);
  }
  return Number(v);
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const v = str(env, name)?.toLowerCase();
  if (v === undefined) return fallback;
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new ConfigError(name, `expected true or false, got "${v}"`);
}

function list(env: Env, name: string, fallback: string[]): string[] {
  const v = str(env, name);
  if (v === undefined) return fallback;
  return v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function httpUrl(env: Env, name: string, value: string | undefined, httpsOnly = false): string | undefined {
  if (value === undefined) return undefined;
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new ConfigError(name, `expected an absolute URL, got "${value}"`);
  }
  const ok = httpsOnly ? u.protocol === 'https:' : u.protocol === 'https:' || u.protocol === 'http:';
  if (!ok) throw new ConfigError(name, `expected an ${httpsOnly ? 'https' : 'http(s)'} URL, got "${value}"`);
  return value.replace(/\/+$/, '');
}

function prefixTemplate(env: Env): string {
  const name = 'UPLOAD_PREFIX';
  // `{uid}` is accepted too: Serverless Devs would expand `${uid}` in s.yaml as one of its own variables.
  const raw = str(env, name) ?? 'users/${uid}/';
  const t = raw.includes('${uid}') ? raw : raw.replace(/\{uid\}/g, '${uid}');
  const parts = t.split('${uid}');
  if (parts.length !== 2) throw new ConfigError(name, 'must contain ${uid} (or {uid}) exactly once, e.g. "users/${uid}/"');
  if (!t.endsWith('/')) throw new ConfigError(name, `must end with "/", got "${t}"`);
  if (/^[/\\]/.test(t) || /[*?\\\x00-\x1f\x7f]/.test(t) || t.split('/').some((s) => s === '.' || s === '..')) {
    throw new ConfigError(name, `must be a relative key prefix without wildcards, control characters or dot segments, got "${t}"`);
  }
  // Every key handed out starts with the prefix, so the prefix must pass the key rules too.
  try {
    validateKey(`${t.replace('${uid}', 'u')}x`);
  } catch (err) {
    throw new ConfigError(name, `must make valid object keys (${err instanceof Error ? err.message : 'invalid'}), got "${t}"`);
  }
  return t;
}

function contentTypes(env: Env): string[] {
  const name = 'UPLOAD_CONTENT_TYPES';
  const types = list(env, name, ['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'application/pdf', 'text/plain']).map((t) =>
    t.toLowerCase(),
  );
  if (types.length === 0) throw new ConfigError(name, 'must list at least one content type');
  for (const t of types) {
    if (!CONTENT_TYPE_RE.test(t)) throw new ConfigError(name, `"${t}" is not a content type such as image/png or image/*`);
  }
  return types;
}

export function loadConfig(env: Env = process.env): Config {
  const bucket = required(env, 'OSS_BUCKET', 'the bucket uploads go to');
  if (!BUCKET_RE.test(bucket)) throw new ConfigError('OSS_BUCKET', `"${bucket}" is not a valid bucket name (3-63 of a-z, 0-9, -)`);
  const region = required(env, 'OSS_REGION', 'the bucket region, e.g. cn-hangzhou').replace(/^oss-/, '');
  if (!REGION_RE.test(region)) throw new ConfigError('OSS_REGION', `"${region}" is not a region id such as cn-hangzhou`);
  const endpoint = httpUrl(env, 'OSS_ENDPOINT', str(env, 'OSS_ENDPOINT')) ?? `https://oss-${region}.aliyuncs.com`;
  const internalEndpoint = httpUrl(env, 'OSS_INTERNAL_ENDPOINT', str(env, 'OSS_INTERNAL_ENDPOINT')) ?? endpoint;

  const signatureVersion = (str(env, 'OSS_SIGNATURE_VERSION') ?? 'v4').toLowerCase();
  if (signatureVersion !== 'v4' && signatureVersion !== 'v1') {
    throw new ConfigError('OSS_SIGNATURE_VERSION', `expected v4 or v1, got "${signatureVersion}"`);
  }
  const minSize = int(env, 'UPLOAD_MIN_SIZE', 1, 0, 5 * 1024 ** 3);
  const maxSize = int(env, 'UPLOAD_MAX_SIZE', 100 * 1024 * 1024, 1, 5 * 1024 ** 3);
  if (minSize > maxSize) throw new ConfigError('UPLOAD_MIN_SIZE', `must not exceed UPLOAD_MAX_SIZE (${maxSize})`);
  const urlExpiresSeconds = int(env, 'URL_EXPIRES_SECONDS', 300, 1, 604800);
  const maxUrlExpiresSeconds = int(env, 'URL_MAX_EXPIRES_SECONDS', 3600, 1, 604800);
  if (urlExpiresSeconds > maxUrlExpiresSeconds) {
    throw new ConfigError('URL_EXPIRES_SECONDS', `must not exceed URL_MAX_EXPIRES_SECONDS (${maxUrlExpiresSeconds})`);
  }
  const onViolation = (str(env, 'CALLBACK_ON_VIOLATION') ?? 'keep').toLowerCase();
  if (onViolation !== 'keep' && onViolation !== 'delete') {
    throw new ConfigError('CALLBACK_ON_VIOLATION', `expected keep or delete, got "${onViolation}"`);
  }
  const roleArn = str(env, 'STS_ROLE_ARN');
  if (roleArn !== undefined && !/^acs:ram::\d+:role\/[\w.@-]+$/.test(roleArn)) {
    throw new ConfigError('STS_ROLE_ARN', `expected acs:ram::<account id>:role/<role name>, got "${roleArn}"`);
  }
  const webhookSecret = str(env, 'WEBHOOK_SECRET');
  if (webhookSecret !== undefined && !/^whsec_[A-Za-z0-9+/=]{24,}$/.test(webhookSecret)) {
    throw new ConfigError('WEBHOOK_SECRET', 'expected a Standard Webhooks secret: "whsec_" followed by Base64 of at least 18 bytes');
  }
  const webhookUrl = httpUrl(env, 'WEBHOOK_URL', str(env, 'WEBHOOK_URL'));
  if (webhookUrl !== undefined && webhookSecret === undefined) {
    throw new ConfigError('WEBHOOK_SECRET', 'is required when WEBHOOK_URL is set, so the app can verify events');
  }
  const hs256Secret = str(env, 'AUTH_HS256_SECRET');
  if (hs256Secret !== undefined && Buffer.byteLength(hs256Secret) < 32) {
    throw new ConfigError('AUTH_HS256_SECRET', 'must be at least 32 bytes long');
  }
  const trustedKeys = str(env, 'CALLBACK_TRUSTED_KEYS');

  return {
    bucket,
    region,
    endpoint,
    pathStyle: bool(env, 'OSS_PATH_STYLE', false),
    internalEndpoint,
    prefixTemplate: prefixTemplate(env),
    allowedContentTypes: contentTypes(env),
    minSize,
    maxSize,
    forbidOverwrite: bool(env, 'FORBID_OVERWRITE', true),
    signatureVersion,
    urlExpiresSeconds,
    maxUrlExpiresSeconds,
    postExpiresSeconds: int(env, 'POST_EXPIRES_SECONDS', 300, 1, 604800),
    stsDurationSeconds: int(env, 'STS_DURATION_SECONDS', 900, 900, 3600),
    sts: {
      roleArn,
      endpoint: httpUrl(env, 'STS_ENDPOINT', str(env, 'STS_ENDPOINT')) ?? `https://sts.${region}.aliyuncs.com`,
      externalId: str(env, 'STS_EXTERNAL_ID'),
      // Three attempts of this, plus backoff and a JWKS fetch, must fit the token function's 10 s timeout.
      timeoutMs: int(env, 'STS_TIMEOUT_MS', 2000, 100, 30000),
    },
    callback: {
      url: httpUrl(env, 'CALLBACK_URL', str(env, 'CALLBACK_URL')),
      onViolation,
      trustedKeys: trustedKeys ? trustedKeys.split(/(?<=-----END PUBLIC KEY-----)\s*/).filter((k) => k.includes('BEGIN')) : [],
      downloadUrlSeconds: int(env, 'CALLBACK_DOWNLOAD_URL_SECONDS', 300, 1, 3600),
    },
    webhook: { url: webhookUrl, secret: webhookSecret, timeoutMs: int(env, 'WEBHOOK_TIMEOUT_MS', 2000, 100, 4000) },
    auth: {
      jwksUrl: httpUrl(env, 'AUTH_JWKS_URL', str(env, 'AUTH_JWKS_URL')),
      hs256Secret,
      issuer: str(env, 'AUTH_ISSUER'),
      audience: str(env, 'AUTH_AUDIENCE'),
      userClaim: str(env, 'AUTH_USER_CLAIM') ?? 'sub',
      anonymous: bool(env, 'AUTH_ANONYMOUS', false),
    },
    corsOrigins: list(env, 'CORS_ALLOWED_ORIGINS', []),
    maxBodyBytes: int(env, 'MAX_BODY_BYTES', 64 * 1024, 1024, 6 * 1024 * 1024),
  };
}

let cached: Config | undefined;

/** The instance's configuration, read from the environment on first use. */
export function getConfig(): Config {
  cached ??= loadConfig();
  return cached;
}

/** Forget the cached configuration (the local runtime and tests change the environment). */
export function resetConfig(): void {
  cached = undefined;
}
