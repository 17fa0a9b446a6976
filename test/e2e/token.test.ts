// The token function against the local STS, with the project's RAM files as the roles' policies:
// what it sends to STS, what it answers, and what the credentials it hands out are worth.

import { randomBytes } from 'node:crypto';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT } from 'jose';
import { tokenHandler } from '../../functions/token';
import { createLocalAccount, type LocalAccount } from '../../local/account';
import { isAllowed, type RequestContext } from '../../local/iam/evaluate';
import { type LocalSts, startLocalSts } from '../../local/sts/server';
import type { FcCredentials } from '../../shared/http/event';
import type { HttpResponse } from '../../shared/http/response';
import { setLogSink } from '../../shared/log';
import { grantFor } from '../../shared/policy/rules';
import { sessionPolicyJson } from '../../shared/policy/session-policy';
import { popSignature } from '../../local/verify';
import { switchableConfig } from '../helpers/config';
import { fcContext, httpEvent } from '../helpers/events';

const BUCKET = 'local-uploads';
const HS256 = randomBytes(32).toString('base64url');

interface Recorded {
  method: string;
  url: string;
  contentType: string;
  body: string;
  status: number;
}

let account: LocalAccount;
let sts: LocalSts;
let recorder: Server;
let recorded: Recorded[];
let logs: string[];
let restoreSink: (line: string) => void;
const config = switchableConfig();
const handler = tokenHandler(config.source);

/** A loopback hop in front of the local STS that keeps what crossed it. */
function startRecorder(target: string): Promise<string> {
  recorder = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const out = request(`${target}${req.url}`, { method: req.method, headers: req.headers }, (up) => {
        const answer: Buffer[] = [];
        up.on('data', (c: Buffer) => answer.push(c));
        up.on('end', () => {
          recorded.push({ method: req.method ?? '', url: req.url ?? '', contentType: req.headers['content-type'] ?? '', body: body.toString('utf8'), status: up.statusCode ?? 0 });
          res.writeHead(up.statusCode ?? 502, up.headers);
          res.end(Buffer.concat(answer));
        });
      });
      out.end(body);
    });
  });
  return new Promise((resolve) => recorder.listen(0, '127.0.0.1', () => resolve(`http://localhost:${(recorder.address() as AddressInfo).port}`)));
}

let stsUrl: string;

beforeAll(async () => {
  account = createLocalAccount(BUCKET, 'users/${uid}/');
  sts = await startLocalSts({ iam: account.iam });
  stsUrl = await startRecorder(sts.url);
});
afterAll(async () => {
  await new Promise((r) => recorder.close(r));
  recorder.closeAllConnections();
  await sts.close();
});

function useEnv(extra: Record<string, string> = {}) {
  config.configure({
    OSS_BUCKET: BUCKET,
    OSS_REGION: 'cn-hangzhou',
    OSS_ENDPOINT: 'http://localhost:9',
    OSS_PATH_STYLE: 'true',
    STS_ENDPOINT: stsUrl,
    STS_ROLE_ARN: account.uploadRoleArn,
    AUTH_HS256_SECRET: HS256,
    ...extra,
  });
}

beforeEach(() => {
  useEnv();
  recorded = [];
  logs = [];
  restoreSink = setLogSink((line) => logs.push(line));
});
afterEach(() => {
  setLogSink(restoreSink);
});

const jwt = (user: string) => new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(user).setIssuedAt().setExpirationTime('1h').sign(new TextEncoder().encode(HS256));

let functionCreds: FcCredentials;
beforeEach(() => {
  functionCreds = account.credentialsFor('token');
});

async function token(user: string, access: unknown, opts: { method?: 'GET' | 'POST'; credentials?: FcCredentials } = {}): Promise<HttpResponse> {
  const auth = { Authorization: `Bearer ${await jwt(user)}` };
  const event =
    opts.method === 'GET'
      ? httpEvent({ method: 'GET', path: '/token', headers: auth, query: { access: String(access) } })
      : httpEvent({ method: 'POST', path: '/token', headers: auth, body: { access } });
  return handler(event, fcContext({ credentials: opts.credentials ?? functionCreds }));
}

interface Answer {
  [field: string]: unknown;
  AccessKeyId: string;
  SecurityToken: string;
  Expiration: string;
  prefix: string;
  error: { code: string; message: string };
}
const json = (r: HttpResponse) => JSON.parse(r.body) as Answer;
const formOf = (body: string) => Object.fromEntries(new URLSearchParams(body));

describe('the AssumeRole request', () => {
  it('is one POST of a form to the STS endpoint, never a GET with the signed query in the URL', async () => {
    await token('alice', 'upload');
    expect(recorded).toHaveLength(1);
    expect([recorded[0].method, recorded[0].url, recorded[0].contentType]).toEqual(['POST', '/', 'application/x-www-form-urlencoded']);
  });

  it('carries exactly the POP common parameters, the function role key and token, and the AssumeRole parameters', async () => {
    await token('alice', 'upload');
    const form = formOf(recorded[0].body);
    const { rules } = config.source();
    expect(form).toEqual({
      Action: 'AssumeRole',
      Version: '2015-04-01',
      Format: 'JSON',
      AccessKeyId: functionCreds.accessKeyId,
      SecurityToken: functionCreds.securityToken,
      SignatureMethod: 'HMAC-SHA1',
      SignatureVersion: '1.0',
      SignatureNonce: expect.stringMatching(/^\S{8,}$/),
      Timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      RoleArn: account.uploadRoleArn,
      RoleSessionName: 'alice',
      DurationSeconds: '3600',
      Policy: sessionPolicyJson(grantFor('alice', 'upload', rules)),
      Signature: expect.any(String),
    });
  });

  it('sends the compiled session policy minified, on the bucket and the user prefix only, with no public object ACL', async () => {
    await token('alice', 'upload');
    const policy = formOf(recorded[0].body).Policy;
    expect(policy).toBe(JSON.stringify(JSON.parse(policy)));
    expect(JSON.parse(policy)).toEqual({
      Version: '1',
      Statement: [
        { Effect: 'Allow', Action: ['oss:PutObject', 'oss:AbortMultipartUpload', 'oss:ListParts'], Resource: [`acs:oss:*:*:${BUCKET}/users/alice/*`] },
        { Effect: 'Deny', Action: ['oss:PutObject', 'oss:PutObjectAcl'], Resource: ['*'], Condition: { StringNotEquals: { 'oss:x-oss-object-acl': ['private', 'default'] } } },
      ],
    });
  });

  it('is signed by pop-core with a POP signature the local STS verifies (and the independent verifier reproduces)', async () => {
    const r = await token('alice', 'upload');
    expect(recorded[0].status).toBe(200);
    expect(r.statusCode).toBe(200);
    const { Signature, ...params } = formOf(recorded[0].body);
    expect(Signature).toBe(popSignature(functionCreds.accessKeySecret, 'POST', params));
  });

  it('names the user in RoleSessionName, so the audit trail does, within 2-32 of [A-Za-z0-9.@_-]', async () => {
    await token('alice@example.com', 'upload');
    await token('Ünïcode user with spaces and a long, long name', 'upload');
    await token('x', 'upload');
    const names = recorded.map((r) => formOf(r.body).RoleSessionName);
    expect(names[0]).toBe('alice@example.com');
    expect(names[1]).toMatch(/^ncodeuserwithsp-[0-9a-f]{16}$/);
    expect(names[2]).toBe('u-x');
    for (const n of names) expect(n).toMatch(/^[A-Za-z0-9.@_-]{2,32}$/);
  });

  it('asks for STS_DURATION_SECONDS and passes STS_EXTERNAL_ID when configured', async () => {
    useEnv({ STS_DURATION_SECONDS: '3600', STS_EXTERNAL_ID: 'tenant-42' });
    const before = Date.now();
    const r = await token('alice', 'upload');
    const form = formOf(recorded[0].body);
    expect([form.DurationSeconds, form.ExternalId]).toEqual(['3600', 'tenant-42']);
    expect(Date.parse(json(r).Expiration) - before).toBeGreaterThan(3590_000);
  });
});

describe('the answer', () => {
  it('has the mobile SDK fields and where to use them, with Cache-Control: no-store', async () => {
    const r = await token('alice', 'upload');
    expect(r.statusCode).toBe(200);
    expect(r.headers['Cache-Control']).toBe('no-store');
    const body = json(r);
    expect(Object.keys(body).sort()).toEqual(
      ['AccessKeyId', 'AccessKeySecret', 'Expiration', 'SecurityToken', 'StatusCode', 'bucket', 'endpoint', 'prefix', 'region'].sort(),
    );
    expect(body).toMatchObject({ StatusCode: 200, bucket: BUCKET, region: 'cn-hangzhou', endpoint: 'http://localhost:9', prefix: 'users/alice/' });
    expect(body.AccessKeyId).toMatch(/^STS\./);
    expect(body.Expiration).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('is not given to a GET, even one with a valid token and ?access=: 405 MethodNotAllowed, and STS is not called', async () => {
    const r = await token('alice', 'download', { method: 'GET' });
    expect([r.statusCode, json(r).error.code, r.headers.Allow]).toEqual([405, 'MethodNotAllowed', 'POST']);
    expect(recorded).toHaveLength(0);
  });

  it('refuses an access level other than upload, download or readwrite', async () => {
    for (const access of ['admin', undefined, 7]) {
      const r = await token('alice', access);
      expect([r.statusCode, json(r).error.code]).toEqual([400, 'InvalidAccess']);
    }
    expect(recorded).toHaveLength(0);
  });

  it('refuses a caller without a valid JWT before calling STS', async () => {
    const r = await handler(httpEvent({ method: 'POST', path: '/token', body: { access: 'upload' } }), fcContext({ credentials: functionCreds }));
    expect([r.statusCode, json(r).error.code]).toEqual([401, 'TokenMissing']);
    expect(recorded).toHaveLength(0);
  });

  it('is a 500 Misconfigured when STS_ROLE_ARN is not set', async () => {
    useEnv({ STS_ROLE_ARN: '' });
    const r = await token('alice', 'upload');
    expect([r.statusCode, json(r).error.code]).toEqual([500, 'Misconfigured']);
  });

  it('is a 500 SessionPolicyTooLarge, without calling STS, when UPLOAD_PREFIX makes the policy too long for STS', async () => {
    // A prefix near the key length limit, twice in a readwrite policy (objects, and the listing condition).
    useEnv({ UPLOAD_PREFIX: `${'deep/'.repeat(200)}\${uid}/` });
    const r = await token('alice', 'readwrite');
    expect([r.statusCode, json(r).error.code]).toEqual([500, 'SessionPolicyTooLarge']);
    expect(recorded).toHaveLength(0);
  });

  it('is a 500 FunctionRoleMissing when the function has no role credentials', async () => {
    const r = await handler(
      httpEvent({ method: 'POST', path: '/token', headers: { Authorization: `Bearer ${await jwt('alice')}` }, body: { access: 'upload' } }),
      { requestId: 'r1' },
    );
    expect([r.statusCode, json(r).error.code]).toEqual([500, 'FunctionRoleMissing']);
  });
});

describe('the credentials, as the local account evaluates them', () => {
  async function powers(user: string, access: string) {
    const body = json(await token(user, access));
    const resolved = account.iam.resolve(body.AccessKeyId, body.SecurityToken);
    if (!resolved.ok) throw new Error(resolved.fault);
    // OSS sets oss:x-oss-object-acl to `default` on a write that names no ACL.
    return (action: string, resource: string, ctx: RequestContext = { 'oss:x-oss-object-acl': 'default' }) => isAllowed(resolved.principal.policies, action, resource, ctx);
  }
  const obj = (key: string, bucket = BUCKET) => `acs:oss:*:*:${bucket}/${key}`;

  it('upload: put, list parts and abort under the own prefix; no read, nothing elsewhere', async () => {
    const can = await powers('alice', 'upload');
    for (const a of ['oss:PutObject', 'oss:ListParts', 'oss:AbortMultipartUpload']) expect(can(a, obj('users/alice/a.bin'))).toBe(true);
    expect(can('oss:GetObject', obj('users/alice/a.bin'))).toBe(false);
    expect(can('oss:DeleteObject', obj('users/alice/a.bin'))).toBe(false);
    // Neighbours whose ids extend hers as well as unrelated ones: the resource ends in "alice/*", not "alice*".
    for (const other of ['bob', 'alice2', 'alice.x', 'alice-x']) {
      for (const a of ['oss:PutObject', 'oss:ListParts', 'oss:AbortMultipartUpload']) expect([other, a, can(a, obj(`users/${other}/a.bin`))]).toEqual([other, a, false]);
    }
    expect(can('oss:PutObject', obj('users/alice/a.bin', 'other-bucket'))).toBe(false);
    expect(can('oss:PutObject', obj('users/alice'))).toBe(false);
  });

  it('download: get under the own prefix only', async () => {
    const can = await powers('alice', 'download');
    expect(can('oss:GetObject', obj('users/alice/a.bin'))).toBe(true);
    expect(can('oss:PutObject', obj('users/alice/a.bin'))).toBe(false);
    for (const other of ['bob', 'alice2', 'alice.x']) expect([other, can('oss:GetObject', obj(`users/${other}/a.bin`))]).toEqual([other, false]);
  });

  it('readwrite: both, and listing only with an oss:Prefix inside the own prefix', async () => {
    const can = await powers('alice', 'readwrite');
    expect(can('oss:GetObject', obj('users/alice/a.bin'))).toBe(true);
    expect(can('oss:PutObject', obj('users/alice/a.bin'))).toBe(true);
    const bucket = `acs:oss:*:*:${BUCKET}`;
    expect(can('oss:ListObjects', bucket, { 'oss:Prefix': 'users/alice/' })).toBe(true);
    for (const other of ['bob', 'alice2', 'alice.x']) expect([other, can('oss:ListObjects', bucket, { 'oss:Prefix': `users/${other}/` })]).toEqual([other, false]);
    expect(can('oss:ListObjects', bucket, {})).toBe(false);
  });
});

describe('when STS refuses for a reason only the operator can fix', () => {
  it('a role that does not exist is a 500 StsRoleNotFound, without a retry', async () => {
    useEnv({ STS_ROLE_ARN: account.uploadRoleArn.replace('oss-upload', 'oss-upload-typo') });
    const r = await token('alice', 'upload');
    expect([r.statusCode, json(r).error.code]).toEqual([500, 'StsRoleNotFound']);
    expect(recorded).toHaveLength(1);
  });

  it('a function role the upload role does not trust is a 500 StsNoPermission naming the RAM files', async () => {
    // A role that may call sts:AssumeRole on the upload role but that the upload role's trust policy does not name.
    const stranger = { arn: 'acs:ram::1234567890123456:role/some-other-fn', trusted: [], maxSessionDuration: 3600, policy: { Version: '1', Statement: [{ Effect: 'Allow' as const, Action: ['sts:AssumeRole'], Resource: [account.uploadRoleArn] }] } };
    account.iam.addRole(stranger);
    const session = account.iam.issueSession(stranger, 'fc', 3600);
    const r = await token('alice', 'upload', { credentials: { accessKeyId: session.accessKeyId, accessKeySecret: session.accessKeySecret, securityToken: session.securityToken } });
    expect([r.statusCode, json(r).error.code]).toEqual([500, 'StsNoPermission']);
    expect(json(r).error.message).toMatch(/deploy\/ram\/upload-role-trust\.json/);
    const line = JSON.parse(logs[logs.length - 1]) as Record<string, unknown>;
    expect(line).toMatchObject({ stsCode: 'NoPermission', stsFailure: 'api', stsStatus: 403, stsAttempts: 1, code: 'StsNoPermission' });
  });
});
