// The local STS holds AssumeRole callers to STS's rules, with the project's own RAM files
// (deploy/ram) as the roles' policies and trust.

import { randomUUID } from 'node:crypto';
import RPCClient from '@alicloud/pop-core';
import vectors from '../vectors/oss-vectors.json';
import { createLocalAccount, type LocalAccount } from '../../local/account';
import { isAllowed } from '../../local/iam/evaluate';
import { IamStore } from '../../local/iam/store';
import type { AssumeRoleResult } from '../../local/sts/assume-role';
import { type LocalSts, startLocalSts } from '../../local/sts/server';
import type { FcCredentials } from '../../shared/http/event';
import { type PopParams, popSignedQuery } from '../../local/verify';

const BUCKET = 'local-uploads';
const OBJECT = (key: string) => `acs:oss:*:*:${BUCKET}/${key}`;

let account: LocalAccount;
let sts: LocalSts;
let token: FcCredentials;
let uploadRoleArn: string;

beforeAll(async () => {
  account = createLocalAccount(BUCKET, 'users/${uid}/');
  uploadRoleArn = account.uploadRoleArn;
  sts = await startLocalSts({ iam: account.iam });
});
afterAll(() => sts.close());
beforeEach(() => {
  token = account.credentialsFor('token');
});

const secondsIso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

interface CallOptions {
  method?: 'GET' | 'POST';
  /** Sign with this secret instead of the caller's own. */
  secret?: string;
  /** Sign for this method but send with `method` (a GET signature sent as POST, say). */
  signedAs?: 'GET' | 'POST';
  timestamp?: string;
  nonce?: string;
  omitToken?: boolean;
}

/** An AssumeRole call signed with the project's POP signer, sent with fetch. */
function signedParams(creds: FcCredentials, params: PopParams, opts: CallOptions = {}): PopParams {
  const all: PopParams = {
    Action: 'AssumeRole',
    Version: '2015-04-01',
    Format: 'JSON',
    AccessKeyId: creds.accessKeyId,
    SignatureMethod: 'HMAC-SHA1',
    SignatureVersion: '1.0',
    SignatureNonce: opts.nonce ?? randomUUID(),
    Timestamp: opts.timestamp ?? secondsIso(new Date()),
    ...params,
  };
  if (creds.securityToken && !opts.omitToken) all.SecurityToken = creds.securityToken;
  return all;
}

async function send(query: string, method: 'GET' | 'POST'): Promise<{ status: number; body: Record<string, unknown> }> {
  const res =
    method === 'POST'
      ? await fetch(`${sts.url}/`, { method, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: query })
      : await fetch(`${sts.url}/?${query}`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

function call(creds: FcCredentials, params: PopParams, opts: CallOptions = {}) {
  const method = opts.method ?? 'POST';
  const all = signedParams(creds, params, opts);
  return send(popSignedQuery(opts.secret ?? creds.accessKeySecret, opts.signedAs ?? method, all), method);
}

const assume = (params: PopParams = {}, opts: CallOptions = {}) =>
  call(token, { RoleArn: uploadRoleArn, RoleSessionName: 'alice', DurationSeconds: '900', ...params }, opts);

const alicePolicy = JSON.stringify({
  Version: '1',
  Statement: [{ Effect: 'Allow', Action: ['oss:PutObject'], Resource: [OBJECT('users/alice/*')] }],
});

describe('a well-formed AssumeRole from pop-core', () => {
  async function popCoreAssume(policy?: string) {
    const client = new RPCClient({ ...token, endpoint: sts.url, apiVersion: '2015-04-01' });
    return client.request<AssumeRoleResult>(
      'AssumeRole',
      { RoleArn: uploadRoleArn, RoleSessionName: 'alice', DurationSeconds: 900, ...(policy ? { Policy: policy } : {}) },
      { method: 'POST', timeout: 3000 },
    );
  }

  it('is answered with STS response shape: RequestId, AssumedRoleUser and Credentials with a seconds-precision Expiration', async () => {
    const before = Date.now();
    const r = await popCoreAssume(alicePolicy);
    expect(Object.keys(r).sort()).toEqual(['AssumedRoleUser', 'Credentials', 'RequestId']);
    expect(Object.keys(r.Credentials).sort()).toEqual(['AccessKeyId', 'AccessKeySecret', 'Expiration', 'SecurityToken']);
    expect(r.Credentials.AccessKeyId).toMatch(/^STS\./);
    expect(r.Credentials.Expiration).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const lifetime = Date.parse(r.Credentials.Expiration) - before;
    expect(lifetime).toBeGreaterThan(899_000 - 1000);
    expect(lifetime).toBeLessThanOrEqual(901_000);
    expect(r.AssumedRoleUser.Arn).toBe(`${uploadRoleArn.replace(/role\/(.*)$/, (_, n: string) => `role/${n.toLowerCase()}`)}/alice`);
    expect(r.AssumedRoleUser.AssumedRoleId).toMatch(/^\d{17}:alice$/);
  });

  it('issues credentials that are worth exactly the session policy intersected with the role policy', async () => {
    const r = await popCoreAssume(alicePolicy);
    const resolved = account.iam.resolve(r.Credentials.AccessKeyId, r.Credentials.SecurityToken);
    if (!resolved.ok) throw new Error(resolved.fault);
    const p = resolved.principal;
    expect(p.name).toBe(`role/${uploadRoleArn.split('/').pop()}/alice`);
    // OSS sets oss:x-oss-object-acl to `default` on a write that names no ACL (the upload role denies public ones).
    const plain = { 'oss:x-oss-object-acl': 'default' };
    expect(isAllowed(p.policies, 'oss:PutObject', OBJECT('users/alice/a.jpg'), plain)).toBe(true);
    expect(isAllowed(p.policies, 'oss:PutObject', OBJECT('users/bob/a.jpg'), plain)).toBe(false);
    // The session policy asked for nothing but PutObject; the role's GetObject is not in the token.
    expect(isAllowed(p.policies, 'oss:GetObject', OBJECT('users/alice/a.jpg'))).toBe(false);
  });

  it('issues credentials with all of the role policy, and no more, when no session policy is sent', async () => {
    const r = await popCoreAssume();
    const resolved = account.iam.resolve(r.Credentials.AccessKeyId, r.Credentials.SecurityToken);
    if (!resolved.ok) throw new Error(resolved.fault);
    expect(isAllowed(resolved.principal.policies, 'oss:GetObject', OBJECT('users/bob/a.jpg'))).toBe(true);
    expect(isAllowed(resolved.principal.policies, 'oss:DeleteObject', OBJECT('users/bob/a.jpg'))).toBe(true);
    expect(isAllowed(resolved.principal.policies, 'oss:DeleteObject', OBJECT('elsewhere/a.jpg'))).toBe(false);
    expect(isAllowed(resolved.principal.policies, 'oss:PutObjectAcl', OBJECT('users/bob/a.jpg'))).toBe(false);
    expect(isAllowed(resolved.principal.policies, 'oss:PutObject', OBJECT('elsewhere/a.jpg'))).toBe(false);
  });
});

describe('the POP signature', () => {
  const vector = vectors.vectors.find((v) => v.id === 'RPC-ASSUMEROLE-GET') as unknown as {
    accessKeySecret: string;
    params: PopParams;
    expected: { signature: string };
  };

  async function vectorSts() {
    // The vector's account, key and role, at the vector's own time, so its signature is current.
    const iam = new IamStore('1234567890123');
    iam.addKey({
      accessKeyId: vector.params.AccessKeyId,
      accessKeySecret: vector.accessKeySecret,
      name: 'user/vector',
      policies: [{ Version: '1', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }] }],
    });
    iam.addRole({ arn: vector.params.RoleArn, trusted: ['root'], policy: { Version: '1', Statement: [] }, maxSessionDuration: 3600 });
    return startLocalSts({ iam, now: () => new Date(vector.params.Timestamp) });
  }

  it('accepts the STS documentation example (RPC-ASSUMEROLE-GET) with its published signature', async () => {
    const local = await vectorSts();
    try {
      const query = `${new URLSearchParams(vector.params)}&Signature=${encodeURIComponent(vector.expected.signature)}`;
      const res = await fetch(`${local.url}/?${query}`);
      expect(res.status).toBe(200);
      expect(((await res.json()) as { AssumedRoleUser: { Arn: string } }).AssumedRoleUser.Arn).toBe('acs:ram::1234567890123:role/firstrole/client');
    } finally {
      await local.close();
    }
  });

  it('refuses the same GET signature when the parameters are POSTed, since the method is signed', async () => {
    const local = await vectorSts();
    try {
      const body = `${new URLSearchParams(vector.params)}&Signature=${encodeURIComponent(vector.expected.signature)}`;
      const res = await fetch(`${local.url}/`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { Code: string }).Code).toBe('SignatureDoesNotMatch');
    } finally {
      await local.close();
    }
  });

  it('accepts a POST signed for POST and a GET signed for GET', async () => {
    expect((await assume({}, { method: 'POST' })).status).toBe(200);
    expect((await assume({}, { method: 'GET' })).status).toBe(200);
  });

  it('refuses a call signed with the wrong secret', async () => {
    const r = await assume({}, { secret: 'not-the-secret' });
    expect(r.status).toBe(400);
    expect(r.body.Code).toBe('SignatureDoesNotMatch');
  });

  it('refuses a parameter changed after signing', async () => {
    const all = signedParams(token, { RoleArn: uploadRoleArn, RoleSessionName: 'alice' });
    const body = popSignedQuery(token.accessKeySecret, 'POST', all).replace('RoleSessionName=alice', 'RoleSessionName=mallory');
    const r = await send(body, 'POST');
    expect(r.body.Code).toBe('SignatureDoesNotMatch');
  });

  it('refuses a Timestamp more than 15 minutes old, and one that is not ISO 8601', async () => {
    const stale = await assume({}, { timestamp: secondsIso(new Date(Date.now() - 16 * 60_000)) });
    expect([stale.status, stale.body.Code]).toEqual([400, 'InvalidTimeStamp.Expired']);
    const malformed = await assume({}, { timestamp: 'yesterday' });
    expect([malformed.status, malformed.body.Code]).toEqual([400, 'InvalidTimeStamp.Format']);
  });

  it('accepts a Timestamp 14 minutes old', async () => {
    expect((await assume({}, { timestamp: secondsIso(new Date(Date.now() - 14 * 60_000)) })).status).toBe(200);
  });

  it('refuses a replayed request: the same SignatureNonce twice', async () => {
    const body = popSignedQuery(token.accessKeySecret, 'POST', signedParams(token, { RoleArn: uploadRoleArn, RoleSessionName: 'alice' }));
    expect((await send(body, 'POST')).status).toBe(200);
    const replay = await send(body, 'POST');
    expect([replay.status, replay.body.Code]).toEqual([400, 'SignatureNonceUsed']);
  });
});

/** A session of the sign function's role, which the upload role trusts, had its policy lost sts:AssumeRole. */
function trustedWithoutPermission() {
  const sign = [...account.iam.roles.values()].find((r) => r.arn.endsWith('/oss-upload-sign-fn'))!;
  return account.iam.addKey({
    accessKeyId: `STS.no-permission-${Math.random().toString(36).slice(2)}`,
    accessKeySecret: 'no-permission-secret',
    securityToken: 'CAISnoPermissionToken',
    expiration: new Date(Date.now() + 3600_000),
    name: 'role/oss-upload-sign-fn/fc',
    roleArn: sign.arn,
    policies: [{ Version: '1', Statement: [{ Effect: 'Allow', Action: 'oss:GetObject', Resource: '*' }] }],
  });
}

describe('the caller', () => {
  it('must use a key STS knows', async () => {
    const r = await call({ accessKeyId: 'LTAI-nobody', accessKeySecret: 'x' }, { RoleArn: uploadRoleArn, RoleSessionName: 'alice' });
    expect([r.status, r.body.Code]).toEqual([404, 'InvalidAccessKeyId.NotFound']);
  });

  it('must send the SecurityToken of STS credentials', async () => {
    const r = await assume({}, { omitToken: true });
    expect([r.status, r.body.Code]).toEqual([400, 'MissingSecurityToken']);
  });

  it('must be allowed sts:AssumeRole on the role by its own policies, even when the role trusts it', async () => {
    const r = await call(trustedWithoutPermission(), { RoleArn: uploadRoleArn, RoleSessionName: 'alice' });
    expect([r.status, r.body.Code]).toEqual([403, 'NoPermission']);
  });

  it("must be trusted by the role's trust policy even when its own policies allow the call", async () => {
    const keen = account.iam.addKey({
      accessKeyId: 'LTAI-keen-user',
      accessKeySecret: 'keen-secret',
      name: 'user/keen',
      policies: [{ Version: '1', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }] }],
    });
    const r = await call(keen, { RoleArn: uploadRoleArn, RoleSessionName: 'alice' });
    expect([r.status, r.body.Code]).toEqual([403, 'NoPermission']);
  });

  it('cannot be the root account', async () => {
    const root = account.iam.addKey({
      accessKeyId: 'LTAI-root',
      accessKeySecret: 'root-secret',
      name: 'root',
      policies: [{ Version: '1', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }],
    });
    const r = await call(root, { RoleArn: uploadRoleArn, RoleSessionName: 'alice' });
    expect([r.status, r.body.Code, r.body.Message]).toEqual([403, 'NoPermission', 'Roles may not be assumed by root accounts.']);
  });
});

describe('the parameters', () => {
  it('name an existing role', async () => {
    const r = await assume({ RoleArn: uploadRoleArn.replace('oss-upload', 'oss-upload-gone') });
    expect([r.status, r.body.Code]).toEqual([404, 'EntityNotExist.Role']);
  });

  it('include RoleArn and RoleSessionName, and RoleArn is an ARN', async () => {
    const all = signedParams(token, { RoleSessionName: 'alice' });
    expect((await send(popSignedQuery(token.accessKeySecret, 'POST', all), 'POST')).body.Code).toBe('MissingRoleArn');
    const noName = signedParams(token, { RoleArn: uploadRoleArn });
    expect((await send(popSignedQuery(token.accessKeySecret, 'POST', noName), 'POST')).body.Code).toBe('MissingRoleSessionName');
    expect((await assume({ RoleArn: 'oss-upload' })).body.Code).toBe('InvalidParameter.RoleArn');
  });

  it.each([['a'], ['x'.repeat(65)], ['has space'], ['slash/name'], ['名字']])('refuse RoleSessionName %j', async (name) => {
    const r = await assume({ RoleSessionName: name });
    expect([r.status, r.body.Code]).toEqual([400, 'InvalidParameter.RoleSessionName']);
  });

  it('accept a RoleSessionName of 64 characters of [A-Za-z0-9.@_-]', async () => {
    expect((await assume({ RoleSessionName: `${'a.@_-9Z'.repeat(9)}x` })).status).toBe(200);
  });

  it.each([['899'], ['3601'], ['-900'], ['900.5'], ['lots']])('refuse DurationSeconds %s (the upload role allows 900 to 3600)', async (d) => {
    const r = await assume({ DurationSeconds: d });
    expect([r.status, r.body.Code]).toEqual([400, 'InvalidParameter.DurationSeconds']);
  });

  it('accept DurationSeconds up to the role maximum', async () => {
    expect((await assume({ DurationSeconds: '3600' })).status).toBe(200);
  });

  it('refuse a Policy over 2048 characters', async () => {
    const big = JSON.stringify({
      Version: '1',
      Statement: [{ Effect: 'Allow', Action: ['oss:GetObject'], Resource: [OBJECT(`users/${'a'.repeat(2048)}/*`)] }],
    });
    const r = await assume({ Policy: big });
    expect([r.status, r.body.Code]).toEqual([400, 'InvalidParameter.PolicySize']);
  });

  const statement = { Effect: 'Allow', Action: ['oss:GetObject'], Resource: [OBJECT('users/alice/*')] };
  it.each([
    ['not JSON', '{"Version":"1",'],
    ['a Version other than "1"', JSON.stringify({ Version: '2', Statement: [statement] })],
    ['no Statement', JSON.stringify({ Version: '1' })],
    ['an empty Statement', JSON.stringify({ Version: '1', Statement: [] })],
    ['an Effect other than Allow or Deny', JSON.stringify({ Version: '1', Statement: [{ ...statement, Effect: 'Maybe' }] })],
    ['a statement without Resource', JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: ['oss:GetObject'] }] })],
    ['a statement without Action', JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Resource: ['*'] }] })],
    ['an Action that is not service:action', JSON.stringify({ Version: '1', Statement: [{ ...statement, Action: ['GetObject'] }] })],
    ['an unknown statement field', JSON.stringify({ Version: '1', Statement: [{ ...statement, Principal: '*' }] })],
  ])('refuse a Policy with %s', async (_what, policy) => {
    const r = await assume({ Policy: policy });
    expect([r.status, r.body.Code]).toEqual([400, 'InvalidParameter.PolicyGrammar']);
  });

  it('refuse a malformed ExternalId', async () => {
    const r = await assume({ ExternalId: 'x' });
    expect([r.status, r.body.Code]).toEqual([400, 'InvalidParameter.ExternalId']);
  });
});

describe('errors', () => {
  it('come as STS sends them: {RequestId, HostId, Code, Message} and nothing else', async () => {
    const r = await assume({ RoleSessionName: 'a' });
    expect(Object.keys(r.body).sort()).toEqual(['Code', 'HostId', 'Message', 'RequestId']);
    expect(r.body.RequestId).toMatch(/^[0-9A-F-]{36}$/);
  });

  it('reach pop-core as an error carrying the STS code and data', async () => {
    const { accessKeyId, accessKeySecret, securityToken } = trustedWithoutPermission();
    const client = new RPCClient({ accessKeyId, accessKeySecret, securityToken, endpoint: sts.url, apiVersion: '2015-04-01' });
    await expect(client.request('AssumeRole', { RoleArn: uploadRoleArn, RoleSessionName: 'alice' }, { method: 'POST' })).rejects.toMatchObject({
      code: 'NoPermission',
      data: { Code: 'NoPermission' },
    });
  });

  it('answer an action other than AssumeRole with InvalidAction.NotFound', async () => {
    const r = await call(token, { Action: 'GetCallerIdentity' });
    expect([r.status, r.body.Code]).toEqual([404, 'InvalidAction.NotFound']);
  });
});

describe('the quota, when the local STS is given one', () => {
  let limited: LocalSts;
  let clock = Date.now();
  beforeAll(async () => {
    limited = await startLocalSts({ iam: account.iam, throttlePerSecond: 3, now: () => new Date(clock) });
  });
  afterAll(() => limited.close());

  const assumeAt = async () => {
    const all = signedParams(token, { RoleArn: uploadRoleArn, RoleSessionName: 'alice', DurationSeconds: '900' }, { timestamp: secondsIso(new Date(clock)) });
    const res = await fetch(`${limited.url}/`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: popSignedQuery(token.accessKeySecret, 'POST', all) });
    return { status: res.status, code: ((await res.json()) as { Code?: string }).Code };
  };

  it('answers 400 Throttling.User past its requests in one second, and answers again the next second', async () => {
    const first = [await assumeAt(), await assumeAt(), await assumeAt(), await assumeAt()];
    expect(first.map((r) => r.status)).toEqual([200, 200, 200, 400]);
    expect(first[3].code).toBe('Throttling.User');
    clock += 1000;
    expect((await assumeAt()).status).toBe(200);
    expect([limited.issued.length, limited.throttled]).toEqual([4, 1]);
    expect(limited.issued[0]).toMatchObject({ sessionName: 'alice', policy: undefined });
  });
});
