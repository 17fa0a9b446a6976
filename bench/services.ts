// The local OSS and STS in this process, and the three handlers configured to use them, for the
// in-process handler and token groups. The bench holds the callback signing key so it can sign
// callbacks as OSS would, and counts the AssumeRole sessions the local STS issues.

import { generateKeyPairSync, type KeyObject, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { callbackHandler } from '../functions/callback';
import { signHandler } from '../functions/sign';
import { tokenHandler } from '../functions/token';
import { createLocalAccount, type FunctionName } from '../local/account';
import { startLocalOss } from '../local/oss/server';
import { startLocalSts } from '../local/sts/server';
import { type Config, configFrom } from '../shared/config';
import type { FcContext } from '../shared/http/event';
import type { FcHandler } from '../shared/http/handler';
import { presignObjectUrl } from '../shared/signer/presign';
import { BENCH_ENV, BUCKET, REGION } from './fixtures';

/**
 * STS_RATE_LIMIT at its highest (1,000 a second): the gate then paces calls 1 ms apart, under what one
 * AssumeRole to the local STS takes, so a miss measures the STS call and not the default pacing of
 * 50 a second (20 ms between calls), which a run of back-to-back misses would otherwise wait for.
 */
export const STS_UNPACED = { STS_RATE_LIMIT: '1000' };

export interface BenchServices {
  ossUrl: string;
  /** The three functions, configured with the local OSS and STS. */
  handlers: Record<FunctionName, FcHandler>;
  /** Their configuration now. */
  config(): Config;
  /** The environment it is made from (a deployed function would have these variables). */
  env: Record<string, string>;
  /** A new configuration, the same settings with `changes` over them: the STS cache starts empty. */
  reconfigure(changes?: Record<string, string>): void;
  /** The FC context a function receives: its role's credentials from the local account. */
  context(fn: FunctionName, requestId?: string): FcContext;
  /** An HS256 JWT for a user, as the handlers' AUTH_HS256_SECRET accepts; a different `id` makes a different token. */
  jwt(user: string, id?: string): Promise<string>;
  /** Signs callbacks; CALLBACK_TRUSTED_KEYS holds its public half. RSA-512, the size of OSS's key. */
  callbackKey: KeyObject;
  /** AssumeRole sessions the local STS has issued so far. */
  stsSessions(): number;
  /** Store an object as a client would (a presigned PUT); returns its ETag as OSS reports it. */
  putObject(key: string, body: Buffer, contentType: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startBenchServices(): Promise<BenchServices> {
  const account = createLocalAccount(BUCKET, 'users/${uid}/');
  let sessions = 0;
  const issue = account.iam.issueSession.bind(account.iam);
  account.iam.issueSession = (...args) => {
    sessions++;
    return issue(...args);
  };
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 512 });
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-oss-'));
  const sts = await startLocalSts({ iam: account.iam });
  const oss = await startLocalOss({
    iam: account.iam,
    dataDir,
    region: REGION,
    buckets: [BUCKET],
    corsOrigins: [],
    callbackPrivateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  });
  const secret = randomBytes(32).toString('base64url');
  const env: Record<string, string> = {
    ...BENCH_ENV,
    OSS_ENDPOINT: oss.url,
    OSS_INTERNAL_ENDPOINT: oss.url,
    OSS_PATH_STYLE: 'true',
    STS_ENDPOINT: sts.url,
    STS_ROLE_ARN: account.uploadRoleArn,
    CALLBACK_TRUSTED_KEYS: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    AUTH_HS256_SECRET: secret,
  };
  let current = configFrom(env);
  const config = () => current();
  const handlers = { token: tokenHandler(config), sign: signHandler(config), callback: callbackHandler(config) };
  // The function roles' own sessions are FC's doing, not AssumeRole calls of the token function.
  for (const fn of ['token', 'sign', 'callback'] as const) account.credentialsFor(fn);
  const sessionsAtStart = sessions;

  const context = (fn: FunctionName, requestId = 'bench-0001'): FcContext => ({
    requestId,
    credentials: account.credentialsFor(fn),
    function: { name: fn },
    region: REGION,
  });

  return {
    ossUrl: oss.url,
    handlers,
    config,
    env,
    reconfigure(changes = {}) {
      current = configFrom({ ...env, ...changes });
    },
    context,
    callbackKey: privateKey,
    jwt: (user, id = 'bench') =>
      new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(user).setJti(id).setIssuedAt().setExpirationTime('1h').sign(new TextEncoder().encode(secret)),
    stsSessions: () => sessions - sessionsAtStart,
    async putObject(key, body, contentType) {
      const target = { bucket: BUCKET, region: REGION, endpoint: oss.url, pathStyle: true, version: 'v4' as const };
      const headers = { 'Content-Type': contentType };
      // The sign function's role may only assume the upload role; a session of that role writes, as a client's would (not counted as an AssumeRole).
      const uploadRole = account.iam.roles.get(account.uploadRoleArn)!;
      const url = presignObjectUrl(target, { method: 'PUT', key, headers, query: [] }, issue(uploadRole, 'bench', 3600), new Date(), 60);
      const res = await fetch(url, { method: 'PUT', headers, body: new Uint8Array(body) });
      if (res.status !== 200) throw new Error(`local OSS refused the PUT: ${res.status} ${await res.text()}`);
      return (res.headers.get('etag') ?? '').replace(/"/g, '');
    },
    async stop() {
      await oss.close();
      await sts.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
