// A local OSS for the local-oss tests: the project's upload role (deploy/ram), alice's STS session
// bound to the session policy the token function would ask for, an all-powerful account key, a
// server clock the tests can move, and the object-created events it emits.

import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalAccount, type LocalAccount } from '../../local/account';
import type { RamPolicy } from '../../local/iam/evaluate';
import type { Principal } from '../../local/iam/store';
import { startLocalOss, type LocalOss } from '../../local/oss';
import { loadConfig } from '../../shared/config';
import { grantFor, type Rules } from '../../shared/policy/rules';
import { sessionPolicy } from '../../shared/policy/session-policy';
import { authorizeV4 } from '../../shared/signer/v4';
import { objectUrl } from '../../shared/signer/url';
import type { QueryPairs } from '../../shared/signer/signature-version';

export const BUCKET = 'local-uploads';
export const REGION = 'cn-hangzhou';

export interface Creds {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
}

export interface AliOssError extends Error {
  status: number;
  code: string;
}

export interface AliResult {
  res: { status: number; headers: Record<string, string> };
}

/** The parts of ali-oss 6.23 these tests drive. */
export interface AliOss {
  put(name: string, body: Buffer, options?: { headers?: Record<string, string>; callback?: Record<string, unknown> }): Promise<AliResult & { name: string; data?: unknown }>;
  get(name: string, options?: Record<string, unknown>): Promise<AliResult & { content: Buffer }>;
  head(name: string): Promise<AliResult>;
  getObjectMeta(name: string): Promise<AliResult>;
  delete(name: string): Promise<AliResult>;
  list(
    query: Record<string, unknown>,
    options: Record<string, unknown>,
  ): Promise<AliResult & { objects?: { name: string; size: number; etag: string }[]; prefixes?: string[]; isTruncated: boolean; nextMarker?: string }>;
  listV2(query: Record<string, unknown>, options: Record<string, unknown>): Promise<AliResult & { objects?: { name: string }[]; isTruncated: boolean; nextContinuationToken?: string }>;
  multipartUpload(name: string, file: string | Buffer, options?: Record<string, unknown>): Promise<AliResult & { etag?: string }>;
  signatureUrl(name: string, options?: Record<string, unknown>): string;
  signatureUrlV4(method: string, expires: number, request?: { headers?: Record<string, string>; queries?: Record<string, string> }, objectName?: string): Promise<string>;
  cancel(): void;
}

const OSS = require('ali-oss') as new (options: Record<string, unknown>) => AliOss;

export interface TestOss {
  oss: LocalOss;
  account: LocalAccount;
  rules: Rules;
  alice: Creds;
  admin: Creds;
  publicKeyPem: string;
  /** Where the server keeps objects, parts and temporary files. */
  dataDir: string;
  events: Buffer[];
  /** Milliseconds added to the server's clock. */
  clock: { offsetMs: number };
  /** An STS session for `uid` under the upload role and the session policy of `access`. */
  session(uid: string, access: 'upload' | 'download' | 'readwrite', now?: Date): Creds;
  client(creds: Creds, extra?: Record<string, unknown>): AliOss;
  close(): Promise<void>;
}

const ALLOW_ALL: RamPolicy = { Version: '1', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

const credsOf = (p: Principal): Creds => ({ accessKeyId: p.accessKeyId, accessKeySecret: p.accessKeySecret, securityToken: p.securityToken });

export async function startTestOss(corsOrigins: string[] = []): Promise<TestOss> {
  const account = createLocalAccount(BUCKET, 'users/${uid}/');
  const rules = loadConfig({ OSS_BUCKET: BUCKET, OSS_REGION: REGION }).rules;
  const role = account.iam.roles.get(account.uploadRoleArn);
  if (!role) throw new Error('the local account has no upload role');
  const session = (uid: string, access: 'upload' | 'download' | 'readwrite', now?: Date) =>
    credsOf(account.iam.issueSession(role, uid, 3600, sessionPolicy(grantFor(uid, access, rules)) as unknown as RamPolicy, now));
  const admin = credsOf(account.iam.addKey({ accessKeyId: 'LTAIlocaladmin', accessKeySecret: 'admin-secret', name: 'root', policies: [ALLOW_ALL] }));
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const dataDir = mkdtempSync(join(tmpdir(), 'local-oss-test-'));
  const clock = { offsetMs: 0 };
  const events: Buffer[] = [];
  const oss = await startLocalOss({
    iam: account.iam,
    dataDir,
    region: REGION,
    buckets: [BUCKET],
    corsOrigins,
    callbackPrivateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    onObjectCreated: async (e) => {
      events.push(e);
    },
    now: () => new Date(Date.now() + clock.offsetMs),
  });
  return {
    oss,
    account,
    rules,
    alice: session('alice', 'readwrite'),
    admin,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }) as string,
    dataDir,
    events,
    clock,
    session,
    client: (c, extra = {}) =>
      new OSS({
        endpoint: oss.url,
        sldEnable: true,
        bucket: BUCKET,
        region: `oss-${REGION}`,
        accessKeyId: c.accessKeyId,
        accessKeySecret: c.accessKeySecret,
        stsToken: c.securityToken,
        authorizationV4: true,
        retryMax: 0,
        // Given only to quiet ali-oss's advice to set one; sessions here outlive every test.
        ...(c.securityToken
          ? { refreshSTSToken: async () => ({ accessKeyId: c.accessKeyId, accessKeySecret: c.accessKeySecret, stsToken: c.securityToken }), refreshSTSTokenInterval: 3600_000 }
          : {}),
        ...extra,
      }),
    async close() {
      await oss.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface RawRequest {
  /** Decoded pairs; '' for a bare parameter such as `objectMeta`. */
  query?: QueryPairs;
  headers?: Record<string, string>;
  body?: string | Buffer;
  signal?: AbortSignal;
}

/**
 * A request signed with a V4 Authorization header, sent as an SDK would send it (every header given
 * is signed where V4 signs it); `key` '' addresses the bucket.
 */
export function send(t: TestOss, creds: Creds, method: string, key: string, req: RawRequest = {}): Promise<Response> {
  const query = req.query ?? [];
  const headers = req.headers ?? {};
  const auth = authorizeV4({ method, bucket: BUCKET, key, query, headers }, creds, REGION, new Date(Date.now() + t.clock.offsetMs));
  const body = typeof req.body === 'string' ? Buffer.from(req.body) : req.body;
  return fetch(objectUrl({ endpoint: t.oss.url, pathStyle: true }, BUCKET, key, query), {
    method,
    headers: { ...headers, ...auth.headers },
    body: body === undefined ? undefined : new Uint8Array(body),
    signal: req.signal,
  });
}

/** The text of every `<name>` element of an XML answer, in document order. */
export function elements(xml: string, name: string): string[] {
  return [...xml.matchAll(new RegExp(`<${name}>([^<]*)</${name}>`, 'g'))].map((m) => m[1]);
}

/** The <Code> of an OSS XML error answer. */
export async function errorCode(res: Response): Promise<string | undefined> {
  return elements(await res.text(), 'Code')[0];
}

/** What an ali-oss call was refused with. */
export async function refusal(p: Promise<unknown>): Promise<{ status?: number; code?: string }> {
  try {
    await p;
    return {};
  } catch (e) {
    const err = e as AliOssError;
    return { status: err.status, code: err.code };
  }
}
