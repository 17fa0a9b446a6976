// Environment → typed, validated configuration. Read once per instance; every problem names the
// variable and says what is expected, so a misconfigured deploy fails loudly on its first request.
// The upload rules' own checks (prefix template, content types, the storage rules file) belong to
// shared/policy: this module reads the variables and hands the values to them.

import { allowedTypesRule } from './policy/content-type';
import { prefixTemplateRule } from './policy/keys';
import { homeRule, homeTemplate, type Limits, type Rules, UPLOAD_PATHS } from './policy/rules';
import { environmentRule, pathRules, pointerText, prefixOnly, type RulesPointer, type StorageRules } from './policy/storage-rules';
import { STORAGE_CLASSES, type StorageClass } from './policy/upload-checks';
import { type SecretRing, secretRing } from './secrets';
import type { SignatureVersionName } from './signer/signature-version';

/** What the callback does with an upload that breaks the rules: keep it (flagged in the log) or delete it. */
export type ViolationAction = 'keep' | 'delete';

/** Everything the functions are configured with. */
export interface Config {
  /** The upload rules every grant is compiled under (shared/policy). */
  rules: Rules;
  /** Public OSS endpoint handed to clients and used in signed URLs, e.g. `https://oss-cn-hangzhou.aliyuncs.com`. */
  endpoint: string;
  /** Path-style URLs (`endpoint/bucket/key`) instead of virtual-hosted ones; for local and OSS-compatible endpoints. */
  pathStyle: boolean;
  /** Endpoint the functions themselves use to reach OSS (the internal one in the cloud). */
  internalEndpoint: string;
  signatureVersion: SignatureVersionName;
  sts: {
    roleArn?: string;
    endpoint: string;
    externalId?: string;
    timeoutMs: number;
    /**
     * AssumeRole calls per second the functions allow themselves (STS_RATE_LIMIT): every instance
     * together when the shared credential cache is on, each instance on its own when it is off.
     */
    rateLimit: number;
  };
  /** The shared credential cache (CREDENTIAL_CACHE_URL); undefined: each instance keeps its own. */
  credentialCache?: CredentialCacheConfig;
  callback: {
    onViolation: ViolationAction;
    /**
     * The bucket's storage class (OSS_STORAGE_CLASS): what an object gets when its upload names none,
     * so the one class an upload of ours leaves; another is a violation (checkStoredSettings).
     */
    bucketStorageClass: StorageClass;
    /** Extra PEM public keys trusted besides OSS's own; explicit configuration for local runs only. */
    trustedKeys: string[];
    /** Seconds. */
    downloadUrlSeconds: number;
    /**
     * CALLBACK_MAC_KEY (and CALLBACK_MAC_KEY_PREVIOUS while it is rotated): what the sign function
     * MACs the callbacks it pins with and the callback function checks them with.
     */
    macKeys?: SecretRing;
  };
  /**
   * skipDuplicates: the second path (callback or OSS event) does not deliver an event id this
   * instance has already delivered; both paths still confirm and check the upload.
   */
  webhook: { url?: string; secret?: string; timeoutMs: number; skipDuplicates: boolean };
  auth: AuthConfig;
  corsOrigins: string[];
  maxBodyBytes: number;
}

/**
 * A Redis-protocol server every function instance reaches (Alibaba Cloud Tair / ApsaraDB for Redis,
 * inside the functions' VPC), where the instances share the STS credentials they vend.
 */
export interface CredentialCacheConfig {
  host: string;
  port: number;
  /** For AUTH: Redis 6 ACL user and password, or a password alone (Tair also takes `user:password` as the password). */
  username?: string;
  password?: string;
  db: number;
  /** Set for `rediss://`: TLS, trusting Node's CAs and `ca` (PEM, e.g. Tair's CA chain from the console). */
  tls?: { ca: string[] };
  /** CREDENTIAL_CACHE_KEY (and _PREVIOUS during a rotation): encrypts entries and keys their names. */
  keys: SecretRing;
  /** Ms a Redis command may take before the instance stops asking Redis for a cool-down. */
  timeoutMs: number;
}

/** How callers' JWTs are verified (shared/auth). */
export interface AuthConfig {
  jwksUrl?: string;
  hs256Secret?: string;
  issuer?: string;
  audience?: string;
  userClaim: string;
  anonymous: boolean;
}

/** A variable that is missing or malformed; the message names it and says what is expected, never its value when secret. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(
    readonly variable: string,
    expected: string,
  ) {
    super(`${variable}: ${expected}`);
  }
}

/** Where a rules file's problems are reported: the setting that names the file. */
export const RULES_VARIABLE = 'STORAGE_RULES';

/** A problem in the storage rules file, at `at` in the document (the tooling turns it into a line number). */
export class RulesError extends ConfigError {
  override name = 'RulesError';
  constructor(
    readonly at: RulesPointer,
    readonly problem: string,
  ) {
    super(RULES_VARIABLE, `${pointerText(at)}: ${problem}`);
  }
}

/** Environment variables, as process.env holds them. */
export type Env = Record<string, string | undefined>;

/**
 * The default of every optional variable, as it would be written in the environment: the one source
 * the README's configuration table and s.yaml's `${env('NAME', default)}` are checked against.
 */
export const DEFAULTS = {
  OSS_PATH_STYLE: 'false',
  OSS_SIGNATURE_VERSION: 'v4',
  // PutBucket's default storage class.
  OSS_STORAGE_CLASS: 'Standard',
  UPLOAD_PREFIX: 'users/${uid}/',
  UPLOAD_CONTENT_TYPES: 'image/jpeg,image/png,image/gif,image/webp,application/pdf,text/plain',
  UPLOAD_MIN_SIZE: '1',
  UPLOAD_MAX_SIZE: '104857600',
  FORBID_OVERWRITE: 'true',
  URL_EXPIRES_SECONDS: '300',
  URL_MAX_EXPIRES_SECONDS: '1800',
  POST_EXPIRES_SECONDS: '300',
  // One AssumeRole per user and scope an hour: the upload role's default maximum session duration.
  STS_DURATION_SECONDS: '3600',
  // Three attempts of this, plus backoff and a JWKS fetch, must fit the token function's 10 s timeout.
  STS_TIMEOUT_MS: '2000',
  // Half of STS's AssumeRole quota (100 per second per account and region), the rest left to other callers.
  STS_RATE_LIMIT: '50',
  // A slow Redis may cost a request this much, once; then the instance skips it for a cool-down.
  CREDENTIAL_CACHE_TIMEOUT_MS: '100',
  CALLBACK_ON_VIOLATION: 'keep',
  CALLBACK_DOWNLOAD_URL_SECONDS: '300',
  WEBHOOK_TIMEOUT_MS: '2000',
  WEBHOOK_SKIP_DUPLICATES: 'false',
  AUTH_USER_CLAIM: 'sub',
  AUTH_ANONYMOUS: 'false',
  MAX_BODY_BYTES: '65536',
} as const;

type Defaulted = keyof typeof DEFAULTS;

const BUCKET_RE = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;
const REGION_RE = /^[a-z]{2}(-[a-z0-9]+)+$/;

function str(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

function withDefault(env: Env, name: Defaulted): string {
  return str(env, name) ?? DEFAULTS[name];
}

function required(env: Env, name: string, expected: string): string {
  const v = str(env, name);
  if (v === undefined) throw new ConfigError(name, `is required: ${expected}`);
  return v;
}

function failFor(name: string): (expected: string) => never {
  return (expected) => {
    throw new ConfigError(name, expected);
  };
}

function int(env: Env, name: Defaulted, min: number, max: number): number {
  const v = withDefault(env, name);
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
    throw new ConfigError(name, `expected an integer from ${min} to ${max}, got "${v}"`);
  }
  return Number(v);
}

function bool(env: Env, name: Defaulted): boolean {
  const v = withDefault(env, name).toLowerCase();
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new ConfigError(name, `expected true or false, got "${v}"`);
}

function oneOf<T extends string>(env: Env, name: Defaulted, values: readonly T[]): T {
  const v = withDefault(env, name).toLowerCase();
  if (!(values as readonly string[]).includes(v)) throw new ConfigError(name, `expected ${values.join(' or ')}, got "${v}"`);
  return v as T;
}

function list(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function httpUrl(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new ConfigError(name, `expected an absolute URL, got "${value}"`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new ConfigError(name, `expected an http(s) URL, got "${value}"`);
  return value.replace(/\/+$/, '');
}

/**
 * An endpoint requests are built on: scheme, host and port only. The signers put the bucket in the host
 * (or the first path segment) and sign the host; pop-core adds its own query: a path, query, fragment or
 * credentials in the setting would be dropped or signed wrongly, never honoured.
 */
function endpointUrl(name: string, value: string | undefined): string | undefined {
  const text = httpUrl(name, value);
  if (text === undefined) return undefined;
  const u = new URL(text);
  if (hasUserinfo(text) || u.pathname !== '/' || /[?#]/.test(text)) {
    throw new ConfigError(name, `expected scheme://host[:port] and nothing after it, such as ${u.origin}: requests are built on the host and signed for it, so a path, query, fragment or user name would not be honoured`);
  }
  return text;
}

function hasUserinfo(text: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(text);
}

/** Hosts only this machine reaches. */
function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname.endsWith('.localhost') || /^127\.\d+\.\d+\.\d+$/.test(hostname) || hostname === '[::1]' || hostname === '0.0.0.0';
}

/** Alibaba Cloud's own OSS endpoints (regional, internal, accelerated): OSS there calls back from its own network. */
const ALIBABA_OSS_HOST = /^oss-[a-z0-9-]+\.aliyuncs\.com$/;
/** A regional endpoint's host and the region it serves, e.g. oss-cn-hangzhou-internal.aliyuncs.com → cn-hangzhou. */
const REGIONAL_OSS_HOST = /^oss-([a-z]{2}(?:-[a-z0-9]+)+?)(?:-internal)?\.aliyuncs\.com$/;

/**
 * An Alibaba Cloud regional OSS endpoint must serve OSS_REGION: V4 signatures are scoped to the region,
 * and OSS answers a request for a bucket of another region with an error, never the bucket.
 */
function regionalEndpoint(name: string, endpoint: string, region: string): string {
  const served = REGIONAL_OSS_HOST.exec(new URL(endpoint).hostname)?.[1];
  if (served !== undefined && served !== region) {
    throw new ConfigError(name, `${endpoint} serves ${served}, but OSS_REGION is ${region}: use the endpoint of the bucket's region (https://oss-${region}.aliyuncs.com)`);
  }
  return endpoint;
}

/**
 * CALLBACK_URL as OSS will call it and the callback function can check it, percent-encoded as OSS asks
 * for non-ASCII (oss-protocol.md §4.1). Refused, each with the reason in the message:
 * - a query: FC gives the function the parsed query only, never the raw one OSS signs, so the callback
 *   refuses every call and every upload gets 203 CallbackFailed (function-compute.md §1.3, §6.2);
 * - a user name or password: OSS proves itself by its signature, and the callback parameter is readable
 *   by every uploader (presigned URL query, form field);
 * - a fragment: never sent in a request;
 * - `;`: OSS reads it as the separator of up to five URLs (oss-protocol.md §4.1);
 * - an IPv6 literal: OSS calls no IPv6 address (CB2025, oss-protocol.md §4.1);
 * - a loopback host when OSS is Alibaba Cloud's: OSS calls from its own network.
 */
function callbackUrlFrom(value: string | undefined, ossEndpoint: string): string | undefined {
  const text = httpUrl('CALLBACK_URL', value);
  if (text === undefined) return undefined;
  const u = new URL(text);
  const refuse = (why: string): never => {
    throw new ConfigError('CALLBACK_URL', why);
  };
  if (hasUserinfo(text)) refuse('must not hold a user name or password: OSS authenticates its callbacks by its signature, and the callback parameter is readable by every uploader');
  if (text.includes('?')) {
    refuse(`must not have a query string (${u.origin}${u.pathname} instead): Function Compute hands the callback function only the parsed query, not the raw query OSS signs, so every callback would be refused and every upload answered 203 CallbackFailed`);
  }
  if (text.includes('#')) refuse('must not have a #fragment: it is never sent, so OSS would call another URL than the one written');
  if (text.includes(';')) refuse('must not contain ";": OSS reads it as the separator between callback URLs');
  if (u.hostname.startsWith('[')) refuse('must not be an IPv6 address: OSS does not call back to IPv6 addresses; use a host name that resolves to IPv4');
  if (isLoopback(u.hostname) && ALIBABA_OSS_HOST.test(new URL(ossEndpoint).hostname)) {
    refuse(`${u.hostname} is this machine: OSS (${new URL(ossEndpoint).hostname}) calls back from its own network and cannot reach it; use the callback function's public URL`);
  }
  return u.href.replace(/\/+$/, '');
}

/**
 * CORS_ALLOWED_ORIGINS: `*` alone, or origins exactly as browsers send them in `Origin`
 * (scheme://host[:port], lower case, default port left out, no path): the functions compare strings,
 * so any other spelling would never match and its browser would be refused.
 */
function corsOriginsFrom(env: Env): string[] {
  const origins = list(str(env, 'CORS_ALLOWED_ORIGINS') ?? '');
  for (const o of origins) {
    if (o === '*') continue;
    let origin: string | undefined;
    try {
      origin = new URL(o).origin;
    } catch {
      // reported below
    }
    if (o.includes('*') || origin === undefined || origin === 'null' || origin !== o) {
      const fix = origin && origin !== 'null' && !o.includes('*') ? `write "${origin}"` : 'list each origin, or * alone';
      throw new ConfigError('CORS_ALLOWED_ORIGINS', `"${o}" is not an origin as a browser sends it (scheme://host[:port], no path or trailing slash, no wildcard): ${fix}`);
    }
  }
  return origins;
}

/**
 * STS's range for DurationSeconds: at least 15 minutes, at most the role's maximum session duration,
 * which is 3600 s unless the operator raises it, to 43200 s at most (RAM UpdateRole, MaxSessionDuration).
 */
const STS_DURATION_RANGE = [900, 43200] as const;

/**
 * A URL, form or download-URL lifetime setting, held to the credentials that sign it: every signature
 * is made with the caller's STS credentials, and OSS refuses it once they expire. At most half their
 * lifetime, so a credential serves the longest lifetime asked for at least half its life before it must
 * be replaced (at most two AssumeRole calls per user and scope per credential lifetime).
 */
function lifetime(env: Env, name: Defaulted, stsDurationSeconds: number): number {
  const seconds = int(env, name, 1, STS_DURATION_RANGE[1] / 2);
  const max = Math.floor(stsDurationSeconds / 2);
  if (seconds > max) {
    throw new ConfigError(
      name,
      `must be at most half of STS_DURATION_SECONDS (${max} of ${stsDurationSeconds}): URLs and forms are signed with STS credentials and die with them; raise STS_DURATION_SECONDS (and the upload role's maximum session duration) for longer lifetimes`,
    );
  }
  return seconds;
}

function rulesFrom(env: Env, bucket: string, region: string, endpoint: string, file: StorageRules | undefined): Rules {
  const minSize = int(env, 'UPLOAD_MIN_SIZE', 0, 5 * 1024 ** 3);
  const maxSize = int(env, 'UPLOAD_MAX_SIZE', 1, 5 * 1024 ** 3);
  if (minSize > maxSize) throw new ConfigError('UPLOAD_MIN_SIZE', `must not exceed UPLOAD_MAX_SIZE (${maxSize})`);
  const stsDurationSeconds = int(env, 'STS_DURATION_SECONDS', ...STS_DURATION_RANGE);
  const maxUrlExpiresSeconds = lifetime(env, 'URL_MAX_EXPIRES_SECONDS', stsDurationSeconds);
  const urlExpiresSeconds = lifetime(env, 'URL_EXPIRES_SECONDS', stsDurationSeconds);
  if (urlExpiresSeconds > maxUrlExpiresSeconds) {
    throw new ConfigError('URL_EXPIRES_SECONDS', `must not exceed URL_MAX_EXPIRES_SECONDS (${maxUrlExpiresSeconds})`);
  }
  const limits: Limits = {
    allowedContentTypes: allowedTypesRule(list(withDefault(env, 'UPLOAD_CONTENT_TYPES')), failFor('UPLOAD_CONTENT_TYPES')),
    minSize,
    maxSize,
    forbidOverwrite: bool(env, 'FORBID_OVERWRITE'),
    urlExpiresSeconds,
    maxUrlExpiresSeconds,
    postExpiresSeconds: lifetime(env, 'POST_EXPIRES_SECONDS', stsDurationSeconds),
    uploadPaths: UPLOAD_PATHS,
    requireFilename: false,
  };
  // A file that says only what UPLOAD_PREFIX says (the default storage.rules.yaml) gives way to it, so a
  // deployment that set UPLOAD_PREFIX before the rules file existed keeps its paths.
  const prefixSet = str(env, 'UPLOAD_PREFIX') !== undefined;
  if (file !== undefined && prefixSet && !prefixOnly(file)) {
    throw new ConfigError('UPLOAD_PREFIX', `is replaced by the paths of the storage rules file (${RULES_VARIABLE}); remove it`);
  }
  const storage = prefixSet ? undefined : file;
  const paths = storage
    ? pathRules(storage, limits, stsDurationSeconds, (at, problem) => {
        throw new RulesError(at, problem);
      })
    : [environmentRule(prefixTemplateRule(withDefault(env, 'UPLOAD_PREFIX'), failFor('UPLOAD_PREFIX')), limits)];
  return {
    ...limits,
    bucket,
    region,
    prefixTemplate: homeTemplate(homeRule(paths)),
    stsDurationSeconds,
    callbackUrl: callbackUrlFrom(str(env, 'CALLBACK_URL'), endpoint),
    paths,
    groupsClaim: storage?.groupsClaim,
    maxClaimValues: storage?.maxClaimValues ?? 0,
  };
}

function authFrom(env: Env): AuthConfig {
  const hs256Secret = str(env, 'AUTH_HS256_SECRET');
  if (hs256Secret !== undefined && Buffer.byteLength(hs256Secret) < 32) {
    throw new ConfigError('AUTH_HS256_SECRET', 'must be at least 32 bytes long');
  }
  const jwksUrl = httpUrl('AUTH_JWKS_URL', str(env, 'AUTH_JWKS_URL'));
  // Keys fetched over plain HTTP can be replaced on the way, and with them every token accepted.
  if (jwksUrl !== undefined && jwksUrl.startsWith('http:') && !isLoopback(new URL(jwksUrl).hostname)) {
    throw new ConfigError('AUTH_JWKS_URL', 'must be https: keys fetched over plain HTTP can be replaced on the way, and every token signed with the replacement would be accepted');
  }
  const issuer = str(env, 'AUTH_ISSUER');
  const audience = str(env, 'AUTH_AUDIENCE');
  // A key set signs tokens for every app of the provider: without both, a token minted for another app would do.
  if (jwksUrl !== undefined) {
    if (issuer === undefined) throw new ConfigError('AUTH_ISSUER', 'is required with AUTH_JWKS_URL: the issuer (iss) your tokens carry');
    if (audience === undefined) throw new ConfigError('AUTH_AUDIENCE', 'is required with AUTH_JWKS_URL: the audience (aud) your tokens are minted for');
  }
  return { jwksUrl, hs256Secret, issuer, audience, userClaim: withDefault(env, 'AUTH_USER_CLAIM'), anonymous: bool(env, 'AUTH_ANONYMOUS') };
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * CREDENTIAL_CACHE_URL and its companions, or undefined when the URL is unset. The URL's text never
 * appears in an error: it may hold the password.
 */
function credentialCacheFrom(env: Env): CredentialCacheConfig | undefined {
  const text = str(env, 'CREDENTIAL_CACHE_URL');
  const caText = str(env, 'CREDENTIAL_CACHE_TLS_CA');
  if (text === undefined) {
    if (caText !== undefined) throw new ConfigError('CREDENTIAL_CACHE_TLS_CA', 'is only read with a rediss:// CREDENTIAL_CACHE_URL');
    return undefined;
  }
  const shape = 'expected redis://[user:password@]host[:port][/db] or rediss://… (TLS), with no query string';
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new ConfigError('CREDENTIAL_CACHE_URL', shape);
  }
  const db = /^\/?$/.test(u.pathname) ? 0 : /^\/(\d{1,3})$/.test(u.pathname) ? Number(u.pathname.slice(1)) : NaN;
  if ((u.protocol !== 'redis:' && u.protocol !== 'rediss:') || u.hostname === '' || u.search !== '' || u.hash !== '' || !(db <= 255)) {
    throw new ConfigError('CREDENTIAL_CACHE_URL', shape);
  }
  const tls = u.protocol === 'rediss:';
  const ca = caText?.match(PEM_CERTIFICATE) ?? [];
  if (caText !== undefined && (!tls || ca.length === 0)) {
    throw new ConfigError('CREDENTIAL_CACHE_TLS_CA', tls ? 'expected PEM certificates (-----BEGIN CERTIFICATE-----)' : 'is only read with a rediss:// CREDENTIAL_CACHE_URL');
  }
  const keys = secretRing((name) => str(env, name), 'CREDENTIAL_CACHE_KEY', (variable, expected) => {
    throw new ConfigError(variable, expected);
  });
  if (keys === undefined) {
    throw new ConfigError('CREDENTIAL_CACHE_KEY', 'is required when CREDENTIAL_CACHE_URL is set: the key cached credentials are encrypted with (openssl rand -base64 32)');
  }
  return {
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: u.port === '' ? 6379 : Number(u.port),
    username: u.username === '' ? undefined : decodeURIComponent(u.username),
    password: u.password === '' ? undefined : decodeURIComponent(u.password),
    db,
    tls: tls ? { ca } : undefined,
    keys,
    timeoutMs: int(env, 'CREDENTIAL_CACHE_TIMEOUT_MS', 10, 1000),
  };
}

/** OSS_STORAGE_CLASS as OSS spells the class (Standard, IA, Archive, ColdArchive, DeepColdArchive), in any case. */
function storageClass(env: Env): StorageClass {
  const v = withDefault(env, 'OSS_STORAGE_CLASS');
  const known = STORAGE_CLASSES.find((c) => c.toLowerCase() === v.toLowerCase());
  if (known === undefined) throw new ConfigError('OSS_STORAGE_CLASS', `expected the bucket's storage class, one of ${STORAGE_CLASSES.join(', ')}, got "${v}"`);
  return known;
}

/**
 * The configuration `env` describes, with the storage rules of a compiled rules file (rules/load.ts)
 * or, without one, the one rule of UPLOAD_PREFIX; throws ConfigError naming the first variable that
 * is wrong, or a RulesError naming the place in the rules file.
 */
export function loadConfig(env: Env, storage?: StorageRules): Config {
  const bucket = required(env, 'OSS_BUCKET', 'the bucket uploads go to');
  if (!BUCKET_RE.test(bucket)) throw new ConfigError('OSS_BUCKET', `"${bucket}" is not a valid bucket name (3-63 of a-z, 0-9, -)`);
  const region = required(env, 'OSS_REGION', 'the bucket region, e.g. cn-hangzhou').replace(/^oss-/, '');
  if (!REGION_RE.test(region)) throw new ConfigError('OSS_REGION', `"${region}" is not a region id such as cn-hangzhou`);
  const endpoint = regionalEndpoint('OSS_ENDPOINT', endpointUrl('OSS_ENDPOINT', str(env, 'OSS_ENDPOINT')) ?? `https://oss-${region}.aliyuncs.com`, region);
  const internalEndpoint = regionalEndpoint('OSS_INTERNAL_ENDPOINT', endpointUrl('OSS_INTERNAL_ENDPOINT', str(env, 'OSS_INTERNAL_ENDPOINT')) ?? endpoint, region);
  const signatureVersion = oneOf(env, 'OSS_SIGNATURE_VERSION', ['v4', 'v1'] as const);
  const rules = rulesFrom(env, bucket, region, endpoint, storage);
  const onViolation = oneOf(env, 'CALLBACK_ON_VIOLATION', ['keep', 'delete'] as const);
  const roleArn = str(env, 'STS_ROLE_ARN');
  if (roleArn !== undefined && !/^acs:ram::\d+:role\/[\w.@-]+$/.test(roleArn)) {
    throw new ConfigError('STS_ROLE_ARN', `expected acs:ram::<account id>:role/<role name>, got "${roleArn}"`);
  }
  const webhookSecret = str(env, 'WEBHOOK_SECRET');
  if (webhookSecret !== undefined && !/^whsec_[A-Za-z0-9+/=]{24,}$/.test(webhookSecret)) {
    throw new ConfigError('WEBHOOK_SECRET', 'expected a Standard Webhooks secret: "whsec_" followed by Base64 of at least 18 bytes');
  }
  const webhookUrl = httpUrl('WEBHOOK_URL', str(env, 'WEBHOOK_URL'));
  if (webhookUrl !== undefined && webhookSecret === undefined) {
    throw new ConfigError('WEBHOOK_SECRET', 'is required when WEBHOOK_URL is set, so the app can verify events');
  }
  const trustedKeys = str(env, 'CALLBACK_TRUSTED_KEYS');
  const macKeys = secretRing((name) => str(env, name), 'CALLBACK_MAC_KEY', (variable, expected) => {
    throw new ConfigError(variable, expected);
  });
  if (rules.callbackUrl !== undefined && macKeys === undefined) {
    throw new ConfigError('CALLBACK_MAC_KEY', 'is required when CALLBACK_URL is set: the key the pinned callbacks are MACed with (openssl rand -base64 32)');
  }

  return {
    rules,
    endpoint,
    pathStyle: bool(env, 'OSS_PATH_STYLE'),
    internalEndpoint,
    signatureVersion,
    sts: {
      roleArn,
      endpoint: endpointUrl('STS_ENDPOINT', str(env, 'STS_ENDPOINT')) ?? `https://sts.${region}.aliyuncs.com`,
      externalId: str(env, 'STS_EXTERNAL_ID'),
      timeoutMs: int(env, 'STS_TIMEOUT_MS', 100, 30000),
      rateLimit: int(env, 'STS_RATE_LIMIT', 1, 1000),
    },
    credentialCache: credentialCacheFrom(env),
    callback: {
      onViolation,
      bucketStorageClass: storageClass(env),
      trustedKeys: trustedKeys ? trustedKeys.split(/(?<=-----END PUBLIC KEY-----)\s*/).filter((k) => k.includes('BEGIN')) : [],
      downloadUrlSeconds: lifetime(env, 'CALLBACK_DOWNLOAD_URL_SECONDS', rules.stsDurationSeconds),
      macKeys,
    },
    webhook: { url: webhookUrl, secret: webhookSecret, timeoutMs: int(env, 'WEBHOOK_TIMEOUT_MS', 100, 4000), skipDuplicates: bool(env, 'WEBHOOK_SKIP_DUPLICATES') },
    auth: authFrom(env),
    corsOrigins: corsOriginsFrom(env),
    maxBodyBytes: int(env, 'MAX_BODY_BYTES', 1024, 6 * 1024 * 1024),
  };
}

/** Where a function gets its configuration: called on every request, so it must cache. */
export type ConfigSource = () => Config;

/**
 * The configuration `env` describes, read and validated on first use and kept. A ConfigError is not
 * kept: every request asks again, and each answers 500 Misconfigured until the environment is fixed.
 * Deployed functions pass process.env; the local runtime and tests pass an environment of their own.
 */
export function configFrom(env: Env, storage?: StorageRules): ConfigSource {
  let config: Config | undefined;
  return () => (config ??= loadConfig(env, storage));
}
