// The credentials the token function vends, used with ali-oss against the local OSS (which checks
// signatures, tokens and policies as OSS does): they work under the caller's prefix, for the
// actions of the access level asked for, and nowhere else.

import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { tokenHandler } from '../../functions/token';
import { createLocalAccount, type LocalAccount } from '../../local/account';
import { startLocalOss, type LocalOss } from '../../local/oss';
import { type LocalSts, startLocalSts } from '../../local/sts/server';
import { setLogSink } from '../../shared/log';
import { switchableConfig } from '../helpers/config';
import { fcContext, httpEvent } from '../helpers/events';
import { type AliOss, refusal } from './local-oss-setup';

const BUCKET = 'local-uploads';
const OTHER_BUCKET = 'other-bucket';
const HS256 = randomBytes(32).toString('base64url');
const config = switchableConfig();
const handler = tokenHandler(config.source);

interface Vended {
  AccessKeyId: string;
  AccessKeySecret: string;
  SecurityToken: string;
  bucket: string;
  region: string;
  endpoint: string;
  prefix: string;
}

/** ali-oss calls used here beyond those local-oss-setup types. */
interface AliOssMultipart extends AliOss {
  useBucket(name: string): void;
  initMultipartUpload(name: string): Promise<{ uploadId: string }>;
  uploadPart(name: string, uploadId: string, partNo: number, file: string, start: number, end: number): Promise<{ etag: string }>;
  /** One part comes back as an object, several as an array (xml2js). */
  listParts(name: string, uploadId: string, query?: Record<string, unknown>): Promise<{ parts: { PartNumber: string } | { PartNumber: string }[] }>;
  abortMultipartUpload(name: string, uploadId: string): Promise<{ res: { status: number } }>;
}

const OSS = require('ali-oss') as new (options: Record<string, unknown>) => AliOssMultipart;

let account: LocalAccount;
let sts: LocalSts;
let oss: LocalOss;
let dataDir: string;
let bigFile: string;
let bigMd5: string;
let restoreSink: (line: string) => void;

beforeAll(async () => {
  restoreSink = setLogSink(() => {});
  account = createLocalAccount(BUCKET, 'users/${uid}/');
  sts = await startLocalSts({ iam: account.iam });
  dataDir = mkdtempSync(join(tmpdir(), 'token-oss-'));
  oss = await startLocalOss({
    iam: account.iam,
    dataDir: join(dataDir, 'oss'),
    region: 'cn-hangzhou',
    buckets: [BUCKET, OTHER_BUCKET],
    corsOrigins: [],
    callbackPrivateKeyPem: '',
  });
  config.configure({
    OSS_BUCKET: BUCKET,
    OSS_REGION: 'cn-hangzhou',
    OSS_ENDPOINT: oss.url,
    OSS_PATH_STYLE: 'true',
    STS_ENDPOINT: sts.url,
    STS_ROLE_ARN: account.uploadRoleArn,
    AUTH_HS256_SECRET: HS256,
  });
  const big = randomBytes(6 * 1024 * 1024 + 12345);
  bigFile = join(dataDir, 'six-megabytes.bin');
  writeFileSync(bigFile, big);
  bigMd5 = createHash('md5').update(big).digest('hex');
});

afterAll(async () => {
  await oss.close();
  await sts.close();
  rmSync(dataDir, { recursive: true, force: true });
  setLogSink(restoreSink);
});

async function vend(user: string, access: 'upload' | 'download' | 'readwrite'): Promise<Vended> {
  const jwt = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(user).setExpirationTime('1h').sign(new TextEncoder().encode(HS256));
  const r = await handler(
    httpEvent({ method: 'POST', path: '/token', headers: { Authorization: `Bearer ${jwt}` }, body: { access } }),
    fcContext({ credentials: account.credentialsFor('token') }),
  );
  expect(r.statusCode).toBe(200);
  return JSON.parse(r.body) as Vended;
}

/** An ali-oss client configured from nothing but the token answer, as a mobile or web app would. */
function clientOf(v: Vended): AliOssMultipart {
  const creds = { accessKeyId: v.AccessKeyId, accessKeySecret: v.AccessKeySecret, stsToken: v.SecurityToken };
  return new OSS({
    endpoint: v.endpoint,
    sldEnable: true,
    bucket: v.bucket,
    region: `oss-${v.region}`,
    ...creds,
    authorizationV4: true,
    retryMax: 0,
    refreshSTSToken: async () => creds,
    refreshSTSTokenInterval: 3600_000,
  });
}

const denied = { status: 403, code: 'AccessDenied' };

describe("alice's upload credentials", () => {
  let alice: AliOssMultipart;
  beforeAll(async () => {
    alice = clientOf(await vend('alice', 'upload'));
  });

  it('put an object under her prefix', async () => {
    expect((await alice.put('users/alice/hello.txt', Buffer.from('hello'))).res.status).toBe(200);
  });

  it('upload a file over 5 MB in parts under her prefix', async () => {
    const done = await alice.multipartUpload('users/alice/big.bin', bigFile, { partSize: 1024 * 1024, parallel: 3 });
    expect(done.res.status).toBe(200);
    const readback = clientOf(await vend('alice', 'download'));
    const got = await readback.get('users/alice/big.bin');
    expect(createHash('md5').update(got.content).digest('hex')).toBe(bigMd5);
  });

  it('list the parts of, and abort, her own multipart upload', async () => {
    const { uploadId } = await alice.initMultipartUpload('users/alice/aborted.bin');
    await alice.uploadPart('users/alice/aborted.bin', uploadId, 1, bigFile, 0, 200 * 1024);
    const { parts } = await alice.listParts('users/alice/aborted.bin', uploadId);
    expect([parts].flat().map((p) => Number(p.PartNumber))).toEqual([1]);
    expect((await alice.abortMultipartUpload('users/alice/aborted.bin', uploadId)).res.status).toBe(204);
  });

  it("are refused under bob's prefix and beside the prefix", async () => {
    expect(await refusal(alice.put('users/bob/x.txt', Buffer.from('x')))).toEqual(denied);
    expect(await refusal(alice.put('users/alice', Buffer.from('x')))).toEqual(denied);
    expect(await refusal(alice.put('users/alice-2/x.txt', Buffer.from('x')))).toEqual(denied);
    expect(await refusal(alice.multipartUpload('users/bob/big.bin', bigFile, { partSize: 1024 * 1024 }))).toEqual(denied);
  });

  it('are refused in another bucket of the same account', async () => {
    alice.useBucket(OTHER_BUCKET);
    try {
      expect(await refusal(alice.put('users/alice/x.txt', Buffer.from('x')))).toEqual(denied);
    } finally {
      alice.useBucket(BUCKET);
    }
  });

  it('are refused for reading, listing and deleting, which upload does not include', async () => {
    await alice.put('users/alice/mine.txt', Buffer.from('mine'));
    expect(await refusal(alice.get('users/alice/mine.txt'))).toEqual(denied);
    expect(await refusal(alice.list({ prefix: 'users/alice/', 'max-keys': 10 }, {}))).toEqual(denied);
    expect(await refusal(alice.delete('users/alice/mine.txt'))).toEqual(denied);
  });
});

describe("alice's download credentials", () => {
  it("read under her prefix, not bob's, and cannot write", async () => {
    await clientOf(await vend('alice', 'upload')).put('users/alice/for-download.txt', Buffer.from('for alice'));
    await clientOf(await vend('bob', 'upload')).put('users/bob/private.txt', Buffer.from('for bob'));
    const alice = clientOf(await vend('alice', 'download'));
    expect((await alice.get('users/alice/for-download.txt')).content.toString()).toBe('for alice');
    expect(await refusal(alice.get('users/bob/private.txt'))).toEqual(denied);
    expect(await refusal(alice.put('users/alice/new.txt', Buffer.from('x')))).toEqual(denied);
  });
});

describe("alice's readwrite credentials", () => {
  it('upload over 5 MB in parts, read back the same bytes, and list her prefix', async () => {
    const alice = clientOf(await vend('alice', 'readwrite'));
    await alice.multipartUpload('users/alice/rw/big.bin', bigFile, { partSize: 1024 * 1024, parallel: 3 });
    const got = await alice.get('users/alice/rw/big.bin');
    expect(createHash('md5').update(got.content).digest('hex')).toBe(bigMd5);
    const listed = await alice.list({ prefix: 'users/alice/rw/', 'max-keys': 10 }, {});
    expect(listed.objects?.map((o) => o.name)).toEqual(['users/alice/rw/big.bin']);
  });

  it("list nothing outside her prefix, and delete only under it", async () => {
    const alice = clientOf(await vend('alice', 'readwrite'));
    await alice.put('users/alice/rw/gone.txt', Buffer.from('gone'));
    await clientOf(await vend('bob', 'upload')).put('users/bob/rw-kept.txt', Buffer.from('bob'));
    expect(await refusal(alice.list({ prefix: 'users/', 'max-keys': 10 }, {}))).toEqual(denied);
    expect(await refusal(alice.list({ prefix: 'users/bob/', 'max-keys': 10 }, {}))).toEqual(denied);
    expect((await alice.delete('users/alice/rw/gone.txt')).res.status).toBe(204);
    expect(await refusal(alice.delete('users/bob/rw-kept.txt'))).toEqual(denied);
  });
});
