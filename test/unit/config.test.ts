import { generateKeyPairSync } from 'node:crypto';
import { ConfigError, configFrom, loadConfig } from '../../shared/config';

const BASE = { OSS_BUCKET: 'photos-prod', OSS_REGION: 'cn-hangzhou' };
const MAC_KEY = Buffer.alloc(32, 1).toString('base64');
const PREVIOUS_MAC_KEY = Buffer.alloc(32, 2).toString('base64');

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('loadConfig accepted the configuration');
}

describe('a deploy with only a bucket and a region', () => {
  const config = loadConfig(BASE);

  test('forbids overwriting existing objects', () => {
    expect(config.rules.forbidOverwrite).toBe(true);
  });

  test('signs with V4', () => {
    expect(config.signatureVersion).toBe('v4');
  });

  test('expects the bucket to store objects as Standard, PutBucket\'s default', () => {
    expect(config.callback.bucketStorageClass).toBe('Standard');
  });

  test('hands out short-lived URLs, forms and credentials', () => {
    expect(config.rules.urlExpiresSeconds).toBe(300);
    expect(config.rules.maxUrlExpiresSeconds).toBe(1800);
    expect(config.rules.postExpiresSeconds).toBe(300);
    expect(config.rules.stsDurationSeconds).toBe(3600);
    expect(config.callback.downloadUrlSeconds).toBe(300);
  });

  test('keeps each user under users/<uid>/ and refuses empty files', () => {
    expect(config.rules.prefixTemplate).toBe('users/${uid}/');
    expect(config.rules.minSize).toBe(1);
  });

  test('accepts {uid} for ${uid}, which Serverless Devs would expand in s.yaml', () => {
    expect(loadConfig({ ...BASE, UPLOAD_PREFIX: 'files/{uid}/' }).rules.prefixTemplate).toBe('files/${uid}/');
  });

  test('lets no one in anonymously and no browser origin through CORS', () => {
    expect(config.auth.anonymous).toBe(false);
    expect(config.auth.jwksUrl).toBeUndefined();
    expect(config.auth.hs256Secret).toBeUndefined();
    expect(config.corsOrigins).toEqual([]);
  });

  test('uses the public endpoint and STS endpoint of the region', () => {
    expect(config.endpoint).toBe('https://oss-cn-hangzhou.aliyuncs.com');
    expect(config.internalEndpoint).toBe('https://oss-cn-hangzhou.aliyuncs.com');
    expect(config.sts.endpoint).toBe('https://sts.cn-hangzhou.aliyuncs.com');
  });
});

describe('settings that are read leniently', () => {
  test('a storage class is taken in any case and spelt as OSS reports it', () => {
    expect(loadConfig({ ...BASE, OSS_STORAGE_CLASS: 'coldarchive' }).callback.bucketStorageClass).toBe('ColdArchive');
  });

  test('a region given with its oss- prefix is accepted', () => {
    expect(loadConfig({ ...BASE, OSS_REGION: 'oss-cn-shanghai' }).rules.region).toBe('cn-shanghai');
  });

  test('surrounding spaces are ignored and blank values count as unset', () => {
    const config = loadConfig({ ...BASE, OSS_BUCKET: '  photos-prod ', FORBID_OVERWRITE: '  ', URL_EXPIRES_SECONDS: '' });
    expect(config.rules.bucket).toBe('photos-prod');
    expect(config.rules.forbidOverwrite).toBe(true);
    expect(config.rules.urlExpiresSeconds).toBe(300);
  });

  test('content types and CORS origins are comma-separated lists; types are lower-cased', () => {
    const config = loadConfig({ ...BASE, UPLOAD_CONTENT_TYPES: 'Image/*, application/pdf', CORS_ALLOWED_ORIGINS: 'https://a.example, https://b.example' });
    expect(config.rules.allowedContentTypes).toEqual(['image/*', 'application/pdf']);
    expect(config.corsOrigins).toEqual(['https://a.example', 'https://b.example']);
  });

  test('a trailing slash on an endpoint is dropped', () => {
    expect(loadConfig({ ...BASE, OSS_ENDPOINT: 'http://localhost:9000/' }).endpoint).toBe('http://localhost:9000');
  });

  test('CALLBACK_TRUSTED_KEYS holds any number of concatenated PEM public keys', () => {
    const pem = () => generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const [a, b] = [pem(), pem()];
    expect(loadConfig({ ...BASE, CALLBACK_TRUSTED_KEYS: a + b }).callback.trustedKeys.map((k) => k.trim())).toEqual([a.trim(), b.trim()]);
  });
});

describe('a missing or malformed setting fails with its name and what is expected', () => {
  test.each([
    ['OSS_BUCKET', { OSS_BUCKET: '' }, 'is required'],
    ['OSS_BUCKET', { OSS_BUCKET: 'Photos_Prod' }, 'not a valid bucket name'],
    ['OSS_REGION', { OSS_REGION: '' }, 'is required'],
    ['OSS_REGION', { OSS_REGION: 'hangzhou' }, 'not a region id such as cn-hangzhou'],
    ['OSS_ENDPOINT', { OSS_ENDPOINT: 'oss-cn-hangzhou.aliyuncs.com' }, 'expected an absolute URL'],
    ['OSS_ENDPOINT', { OSS_ENDPOINT: 'ftp://oss.example' }, 'expected an http(s) URL'],
    ['OSS_INTERNAL_ENDPOINT', { OSS_INTERNAL_ENDPOINT: 'internal' }, 'expected an absolute URL'],
    ['OSS_PATH_STYLE', { OSS_PATH_STYLE: 'sometimes' }, 'expected true or false'],
    ['OSS_SIGNATURE_VERSION', { OSS_SIGNATURE_VERSION: 'v2' }, 'expected v4 or v1'],
    ['OSS_STORAGE_CLASS', { OSS_STORAGE_CLASS: 'Glacier' }, "expected the bucket's storage class, one of Standard, IA, Archive, ColdArchive, DeepColdArchive"],
    ['UPLOAD_PREFIX', { UPLOAD_PREFIX: 'uploads/' }, 'must contain ${uid} (or {uid}) exactly once'],
    ['UPLOAD_PREFIX', { UPLOAD_PREFIX: '${uid}/${uid}/' }, 'must contain ${uid} (or {uid}) exactly once'],
    ['UPLOAD_PREFIX', { UPLOAD_PREFIX: '{uid}/{uid}/' }, 'must contain ${uid} (or {uid}) exactly once'],
    ['UPLOAD_PREFIX', { UPLOAD_PREFIX: 'users/${uid}' }, 'must end with "/"'],
    ['UPLOAD_PREFIX', { UPLOAD_PREFIX: '/users/${uid}/' }, 'relative key prefix'],
    ['UPLOAD_PREFIX', { UPLOAD_PREFIX: 'users/*/${uid}/' }, 'without wildcards'],
    ['UPLOAD_PREFIX', { UPLOAD_PREFIX: 'users/../${uid}/' }, 'dot segments'],
    ['UPLOAD_PREFIX', { UPLOAD_PREFIX: 'users//${uid}/' }, 'empty path segment'],
    ['UPLOAD_PREFIX', { UPLOAD_PREFIX: 'users/%2e%2e/${uid}/' }, '".." segment'],
    ['UPLOAD_PREFIX', { UPLOAD_PREFIX: 'users\uff0f${uid}/' }, 'looks like'],
    ['UPLOAD_CONTENT_TYPES', { UPLOAD_CONTENT_TYPES: 'images' }, '"images" is not a content type'],
    ['UPLOAD_CONTENT_TYPES', { UPLOAD_CONTENT_TYPES: ' , ' }, 'at least one content type'],
    ['UPLOAD_MIN_SIZE', { UPLOAD_MIN_SIZE: '-1' }, 'expected an integer from 0 to'],
    ['UPLOAD_MAX_SIZE', { UPLOAD_MAX_SIZE: '10MB' }, 'expected an integer from 1 to 5368709120, got "10MB"'],
    ['UPLOAD_MAX_SIZE', { UPLOAD_MAX_SIZE: '5368709121' }, 'expected an integer from 1 to 5368709120'],
    ['UPLOAD_MIN_SIZE', { UPLOAD_MIN_SIZE: '2000', UPLOAD_MAX_SIZE: '1000' }, 'must not exceed UPLOAD_MAX_SIZE (1000)'],
    ['FORBID_OVERWRITE', { FORBID_OVERWRITE: 'yes' }, 'expected true or false, got "yes"'],
    ['URL_EXPIRES_SECONDS', { URL_EXPIRES_SECONDS: '0' }, 'expected an integer from 1 to 21600'],
    ['URL_EXPIRES_SECONDS', { URL_EXPIRES_SECONDS: '1200', URL_MAX_EXPIRES_SECONDS: '900' }, 'must not exceed URL_MAX_EXPIRES_SECONDS (900)'],
    ['URL_MAX_EXPIRES_SECONDS', { URL_MAX_EXPIRES_SECONDS: '604800' }, 'expected an integer from 1 to 21600'],
    ['URL_MAX_EXPIRES_SECONDS', { URL_MAX_EXPIRES_SECONDS: '3600' }, 'must be at most half of STS_DURATION_SECONDS (1800 of 3600)'],
    ['URL_EXPIRES_SECONDS', { URL_EXPIRES_SECONDS: '1000', URL_MAX_EXPIRES_SECONDS: '900', STS_DURATION_SECONDS: '1800' }, 'must be at most half of STS_DURATION_SECONDS (900 of 1800)'],
    ['POST_EXPIRES_SECONDS', { POST_EXPIRES_SECONDS: '1.5' }, 'expected an integer from 1 to 21600'],
    ['POST_EXPIRES_SECONDS', { POST_EXPIRES_SECONDS: '2400' }, 'must be at most half of STS_DURATION_SECONDS (1800 of 3600)'],
    ['STS_DURATION_SECONDS', { STS_DURATION_SECONDS: '600' }, 'expected an integer from 900 to 43200'],
    ['STS_DURATION_SECONDS', { STS_DURATION_SECONDS: '86400' }, 'expected an integer from 900 to 43200'],
    ['STS_ROLE_ARN', { STS_ROLE_ARN: 'upload-role' }, 'expected acs:ram::<account id>:role/<role name>'],
    ['STS_ENDPOINT', { STS_ENDPOINT: 'sts' }, 'expected an absolute URL'],
    ['STS_TIMEOUT_MS', { STS_TIMEOUT_MS: '60000' }, 'expected an integer from 100 to 30000'],
    ['CALLBACK_URL', { CALLBACK_URL: 'javascript:alert(1)' }, 'expected an http(s) URL'],
    ['CALLBACK_ON_VIOLATION', { CALLBACK_ON_VIOLATION: 'drop' }, 'expected keep or delete'],
    ['CALLBACK_DOWNLOAD_URL_SECONDS', { CALLBACK_DOWNLOAD_URL_SECONDS: '86400' }, 'expected an integer from 1 to 21600'],
    ['CALLBACK_DOWNLOAD_URL_SECONDS', { CALLBACK_DOWNLOAD_URL_SECONDS: '3600' }, 'must be at most half of STS_DURATION_SECONDS (1800 of 3600)'],
    ['CALLBACK_MAC_KEY', { CALLBACK_URL: 'https://fc.example/callback' }, 'is required when CALLBACK_URL is set'],
    ['CALLBACK_MAC_KEY', { CALLBACK_MAC_KEY: Buffer.alloc(16, 7).toString('base64') }, 'expected canonical Base64 of 32 to 1024 random bytes'],
    ['CALLBACK_MAC_KEY', { CALLBACK_MAC_KEY: Buffer.alloc(32, 0xfb).toString('base64url') }, 'expected canonical Base64'],
    ['CALLBACK_MAC_KEY_PREVIOUS', { CALLBACK_MAC_KEY: MAC_KEY, CALLBACK_MAC_KEY_PREVIOUS: 'not base64 at all!' }, 'expected canonical Base64'],
    ['CALLBACK_MAC_KEY', { CALLBACK_MAC_KEY_PREVIOUS: MAC_KEY }, 'is required when CALLBACK_MAC_KEY_PREVIOUS is set'],
    ['AUTH_ISSUER', { AUTH_JWKS_URL: 'https://id.example/jwks.json', AUTH_AUDIENCE: 'uploads' }, 'is required with AUTH_JWKS_URL'],
    ['AUTH_AUDIENCE', { AUTH_JWKS_URL: 'https://id.example/jwks.json', AUTH_ISSUER: 'https://id.example/' }, 'is required with AUTH_JWKS_URL'],
    ['WEBHOOK_SECRET', { WEBHOOK_URL: 'https://app.example/hooks' }, 'is required when WEBHOOK_URL is set'],
    ['WEBHOOK_SECRET', { WEBHOOK_SECRET: 'not-a-whsec' }, 'expected a Standard Webhooks secret'],
    ['WEBHOOK_TIMEOUT_MS', { WEBHOOK_TIMEOUT_MS: '10000' }, 'expected an integer from 100 to 4000'],
    ['AUTH_JWKS_URL', { AUTH_JWKS_URL: 'jwks.json' }, 'expected an absolute URL'],
    ['AUTH_HS256_SECRET', { AUTH_HS256_SECRET: 'short-secret' }, 'must be at least 32 bytes long'],
    ['AUTH_ANONYMOUS', { AUTH_ANONYMOUS: 'maybe' }, 'expected true or false'],
    ['MAX_BODY_BYTES', { MAX_BODY_BYTES: '100' }, 'expected an integer from 1024 to 6291456'],
  ])('%s %j', (variable, env, expected) => {
    const err = configError({ ...BASE, ...env });
    expect(err.variable).toBe(variable);
    expect(err.message.startsWith(`${variable}: `)).toBe(true);
    expect(err.message).toContain(expected);
  });

  test.each([
    ['AUTH_HS256_SECRET', 'tooShortButStillSecret'],
    ['WEBHOOK_SECRET', 'whsec_c2VjcmV0'],
    ['CALLBACK_MAC_KEY', 'c2hvcnQtYnV0LXN0aWxsLXNlY3JldA=='],
  ])('the message for a rejected %s does not repeat the secret', (variable, secret) => {
    const err = configError({ ...BASE, [variable]: secret });
    expect(err.variable).toBe(variable);
    expect(err.message).not.toContain(secret);
  });
});

describe('a setting the deployment could not honour is refused when read, saying why', () => {
  const withMac = { CALLBACK_MAC_KEY: MAC_KEY };
  test.each([
    ['a query string (FC hands the function no raw query)', { CALLBACK_URL: 'https://fc.example/callback?app=photos' }, 'must not have a query string (https://fc.example/callback instead): Function Compute hands the callback function only the parsed query'],
    ['an empty query string', { CALLBACK_URL: 'https://fc.example/callback?' }, 'must not have a query string'],
    ['a user name and password', { CALLBACK_URL: 'https://user:pass@fc.example/callback' }, 'must not hold a user name or password'],
    ['a fragment', { CALLBACK_URL: 'https://fc.example/callback#top' }, 'must not have a #fragment'],
    ['";", OSS\'s separator between URLs', { CALLBACK_URL: 'https://fc.example/a;b' }, 'must not contain ";"'],
    ['an IPv6 address', { CALLBACK_URL: 'http://[2001:db8::1]/callback' }, 'must not be an IPv6 address'],
    ['this machine, with Alibaba Cloud\'s OSS', { CALLBACK_URL: 'http://127.0.0.1:8787/api/callback' }, '127.0.0.1 is this machine: OSS (oss-cn-hangzhou.aliyuncs.com) calls back from its own network'],
  ])('CALLBACK_URL with %s', (_what, env, expected) => {
    const err = configError({ ...BASE, ...withMac, ...env });
    expect(err.variable).toBe('CALLBACK_URL');
    expect(err.message).toContain(expected);
  });

  test('the message for a CALLBACK_URL with a password does not repeat it', () => {
    expect(configError({ ...BASE, ...withMac, CALLBACK_URL: 'https://user:hunter2@fc.example/callback' }).message).not.toContain('hunter2');
  });

  test('a plain HTTPS or HTTP callback URL is taken, non-ASCII percent-encoded as OSS asks', () => {
    expect(loadConfig({ ...BASE, ...withMac, CALLBACK_URL: 'https://fc.example/api/callback' }).rules.callbackUrl).toBe('https://fc.example/api/callback');
    expect(loadConfig({ ...BASE, ...withMac, CALLBACK_URL: 'http://fc.example/回调' }).rules.callbackUrl).toBe('http://fc.example/%E5%9B%9E%E8%B0%83');
  });

  test('a loopback callback URL is taken with a local OSS, which runs on the same machine', () => {
    const config = loadConfig({ ...BASE, ...withMac, OSS_ENDPOINT: 'http://127.0.0.1:9000', CALLBACK_URL: 'http://localhost:8787/api/callback' });
    expect(config.rules.callbackUrl).toBe('http://localhost:8787/api/callback');
  });

  test.each([
    ['OSS_ENDPOINT', 'https://oss-cn-hangzhou.aliyuncs.com/photos', 'expected scheme://host[:port] and nothing after it, such as https://oss-cn-hangzhou.aliyuncs.com'],
    ['OSS_ENDPOINT', 'https://oss-cn-hangzhou.aliyuncs.com?x=1', 'nothing after it'],
    ['OSS_INTERNAL_ENDPOINT', 'https://ak:sk@oss-cn-hangzhou-internal.aliyuncs.com', 'nothing after it'],
    ['STS_ENDPOINT', 'https://sts.cn-hangzhou.aliyuncs.com/v1', 'nothing after it'],
    ['OSS_ENDPOINT', 'https://oss-cn-shanghai.aliyuncs.com', 'serves cn-shanghai, but OSS_REGION is cn-hangzhou: use the endpoint of the bucket\'s region (https://oss-cn-hangzhou.aliyuncs.com)'],
    ['OSS_INTERNAL_ENDPOINT', 'https://oss-cn-beijing-internal.aliyuncs.com', 'serves cn-beijing, but OSS_REGION is cn-hangzhou'],
  ])('%s %s', (variable, value, expected) => {
    const err = configError({ ...BASE, [variable]: value });
    expect(err.variable).toBe(variable);
    expect(err.message).toContain(expected);
    expect(err.message).not.toContain('sk@');
  });

  test('endpoints of the bucket\'s region are taken, internal and accelerated ones included', () => {
    const config = loadConfig({ ...BASE, OSS_ENDPOINT: 'https://oss-accelerate.aliyuncs.com', OSS_INTERNAL_ENDPOINT: 'https://oss-cn-hangzhou-internal.aliyuncs.com' });
    expect(config.endpoint).toBe('https://oss-accelerate.aliyuncs.com');
    expect(config.internalEndpoint).toBe('https://oss-cn-hangzhou-internal.aliyuncs.com');
  });

  test.each([
    ['https://app.example.com/', 'write "https://app.example.com"'],
    ['https://App.Example.com', 'write "https://app.example.com"'],
    ['https://app.example.com:443', 'write "https://app.example.com"'],
    ['https://*.example.com', 'list each origin, or * alone'],
    ['app.example.com', 'list each origin, or * alone'],
  ])('CORS_ALLOWED_ORIGINS %s never matches a browser\'s Origin', (origin, fix) => {
    const err = configError({ ...BASE, CORS_ALLOWED_ORIGINS: `https://ok.example, ${origin}` });
    expect(err.variable).toBe('CORS_ALLOWED_ORIGINS');
    expect(err.message).toContain(`"${origin}" is not an origin as a browser sends it`);
    expect(err.message).toContain(fix);
  });

  test('CORS_ALLOWED_ORIGINS takes * alone and origins with a port', () => {
    expect(loadConfig({ ...BASE, CORS_ALLOWED_ORIGINS: '*' }).corsOrigins).toEqual(['*']);
    expect(loadConfig({ ...BASE, CORS_ALLOWED_ORIGINS: 'http://localhost:5173' }).corsOrigins).toEqual(['http://localhost:5173']);
  });

  test('AUTH_JWKS_URL must be HTTPS, except on this machine', () => {
    const auth = { AUTH_ISSUER: 'https://id.example/', AUTH_AUDIENCE: 'uploads' };
    const err = configError({ ...BASE, ...auth, AUTH_JWKS_URL: 'http://id.example/jwks.json' });
    expect(err.variable).toBe('AUTH_JWKS_URL');
    expect(err.message).toContain('must be https: keys fetched over plain HTTP can be replaced on the way');
    expect(loadConfig({ ...BASE, ...auth, AUTH_JWKS_URL: 'http://127.0.0.1:4000/jwks.json' }).auth.jwksUrl).toBe('http://127.0.0.1:4000/jwks.json');
  });
});

describe('lifetimes follow the STS credentials that sign', () => {
  test('an operator who raises STS_DURATION_SECONDS (and the role\'s maximum session duration) may allow longer URLs', () => {
    const config = loadConfig({ ...BASE, STS_DURATION_SECONDS: '43200', URL_MAX_EXPIRES_SECONDS: '21600', POST_EXPIRES_SECONDS: '21600' });
    expect(config.rules.stsDurationSeconds).toBe(43200);
    expect(config.rules.maxUrlExpiresSeconds).toBe(21600);
    expect(config.rules.postExpiresSeconds).toBe(21600);
  });

  test('half the credential lifetime is allowed exactly, one second more is not', () => {
    expect(loadConfig({ ...BASE, STS_DURATION_SECONDS: '900', URL_MAX_EXPIRES_SECONDS: '450', URL_EXPIRES_SECONDS: '300' }).rules.maxUrlExpiresSeconds).toBe(450);
    expect(configError({ ...BASE, STS_DURATION_SECONDS: '900', URL_MAX_EXPIRES_SECONDS: '451' }).variable).toBe('URL_MAX_EXPIRES_SECONDS');
  });
});

describe('the callback MAC key', () => {
  test('is read as the current key alone when no rotation is under way', () => {
    const keys = loadConfig({ ...BASE, CALLBACK_URL: 'https://fc.example/callback', CALLBACK_MAC_KEY: MAC_KEY }).callback.macKeys!;
    expect(keys.current).toEqual(Buffer.alloc(32, 1));
    expect(keys.accepted).toEqual([Buffer.alloc(32, 1)]);
  });

  test('during a rotation signs with the current key and accepts the previous one too', () => {
    const keys = loadConfig({ ...BASE, CALLBACK_MAC_KEY: MAC_KEY, CALLBACK_MAC_KEY_PREVIOUS: PREVIOUS_MAC_KEY }).callback.macKeys!;
    expect(keys.current).toEqual(Buffer.alloc(32, 1));
    expect(keys.accepted).toEqual([Buffer.alloc(32, 1), Buffer.alloc(32, 2)]);
  });

  test('is optional for a function that pins no callback', () => {
    expect(loadConfig(BASE).callback.macKeys).toBeUndefined();
  });
});

describe('the shared credential cache', () => {
  const CACHE_KEY = Buffer.alloc(32, 3).toString('base64');
  const CA = '-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----';

  test('is off unless CREDENTIAL_CACHE_URL is set, and STS is asked at most 50 times a second', () => {
    const config = loadConfig(BASE);
    expect(config.credentialCache).toBeUndefined();
    expect(config.sts.rateLimit).toBe(50);
  });

  test('reads host, port, database, ACL user and password from the URL, with TLS for rediss://', () => {
    const cache = loadConfig({
      ...BASE,
      CREDENTIAL_CACHE_URL: 'rediss://fn-user:p%40ss%3Aword@r-bp1.redis.rds.aliyuncs.com:6380/2',
      CREDENTIAL_CACHE_KEY: CACHE_KEY,
      CREDENTIAL_CACHE_TLS_CA: `${CA}\n${CA}`,
    }).credentialCache!;
    expect(cache).toMatchObject({ host: 'r-bp1.redis.rds.aliyuncs.com', port: 6380, db: 2, username: 'fn-user', password: 'p@ss:word', timeoutMs: 100 });
    expect(cache.tls).toEqual({ ca: [CA, CA] });
    expect(cache.keys.current).toEqual(Buffer.alloc(32, 3));
  });

  test('takes a password alone (Tair\'s user:password form included), no TLS for redis://, port 6379 and database 0 by default', () => {
    const cache = loadConfig({ ...BASE, CREDENTIAL_CACHE_URL: 'redis://:fn-user%3Asecret@10.0.0.5', CREDENTIAL_CACHE_KEY: CACHE_KEY }).credentialCache!;
    expect(cache).toMatchObject({ host: '10.0.0.5', port: 6379, db: 0, username: undefined, password: 'fn-user:secret', tls: undefined });
  });

  test.each([
    ['CREDENTIAL_CACHE_URL', { CREDENTIAL_CACHE_URL: 'http://cache.internal:6379', CREDENTIAL_CACHE_KEY: CACHE_KEY }, 'expected redis://'],
    ['CREDENTIAL_CACHE_URL', { CREDENTIAL_CACHE_URL: 'redis://cache.internal:6379?tls=true', CREDENTIAL_CACHE_KEY: CACHE_KEY }, 'with no query string'],
    ['CREDENTIAL_CACHE_URL', { CREDENTIAL_CACHE_URL: 'redis://cache.internal/999', CREDENTIAL_CACHE_KEY: CACHE_KEY }, 'expected redis://'],
    ['CREDENTIAL_CACHE_KEY', { CREDENTIAL_CACHE_URL: 'redis://cache.internal' }, 'is required when CREDENTIAL_CACHE_URL is set'],
    ['CREDENTIAL_CACHE_KEY', { CREDENTIAL_CACHE_URL: 'redis://cache.internal', CREDENTIAL_CACHE_KEY: Buffer.alloc(16, 1).toString('base64') }, 'expected canonical Base64 of 32'],
    ['CREDENTIAL_CACHE_TLS_CA', { CREDENTIAL_CACHE_URL: 'redis://cache.internal', CREDENTIAL_CACHE_KEY: CACHE_KEY, CREDENTIAL_CACHE_TLS_CA: CA }, 'only read with a rediss://'],
    ['CREDENTIAL_CACHE_TLS_CA', { CREDENTIAL_CACHE_URL: 'rediss://cache.internal', CREDENTIAL_CACHE_KEY: CACHE_KEY, CREDENTIAL_CACHE_TLS_CA: 'not a pem' }, 'expected PEM certificates'],
    ['CREDENTIAL_CACHE_TIMEOUT_MS', { CREDENTIAL_CACHE_URL: 'redis://cache.internal', CREDENTIAL_CACHE_KEY: CACHE_KEY, CREDENTIAL_CACHE_TIMEOUT_MS: '5000' }, 'expected an integer from 10 to 1000'],
    ['STS_RATE_LIMIT', { STS_RATE_LIMIT: '0' }, 'expected an integer from 1 to 1000'],
  ])('%s %j is refused', (variable, env, expected) => {
    const err = configError({ ...BASE, ...env });
    expect(err.variable).toBe(variable);
    expect(err.message).toContain(expected);
  });

  test('a rejected URL is not repeated in the message: it may hold the password', () => {
    const err = configError({ ...BASE, CREDENTIAL_CACHE_URL: 'redis://:hunter2-password@cache.internal/x', CREDENTIAL_CACHE_KEY: CACHE_KEY });
    expect(err.variable).toBe('CREDENTIAL_CACHE_URL');
    expect(err.message).not.toContain('hunter2');
  });
});

describe('configFrom', () => {
  test('reads its environment on first use and keeps what it read', () => {
    const env: Record<string, string> = { ...BASE, URL_EXPIRES_SECONDS: '120' };
    const config = configFrom(env);
    expect(config().rules.urlExpiresSeconds).toBe(120);
    env.URL_EXPIRES_SECONDS = '60';
    expect(config().rules.urlExpiresSeconds).toBe(120);
    expect(configFrom(env)().rules.urlExpiresSeconds).toBe(60);
  });

  test('keeps no broken configuration: every use asks again and throws again', () => {
    const env: Record<string, string> = { OSS_REGION: 'cn-hangzhou' };
    const config = configFrom(env);
    expect(() => config()).toThrow(ConfigError);
    env.OSS_BUCKET = 'photos-prod';
    expect(config().rules.bucket).toBe('photos-prod');
  });
});
