// The local OSS's PostObject policy conditions and upload-callback bodies, checked directly.

import { generateKeyPairSync, verify } from 'node:crypto';
import { buildCallbackBody, parseCallback, parseCallbackVars, signCallback, type CallbackFacts } from '../../local/oss/callback';
import { ossCodeOf } from '../helpers/oss-error';
import { checkConditions, checkSize, parsePolicy } from '../../local/oss/post-policy';
import { loadConfig } from '../../shared/config';
import { pinnedCallback } from '../../shared/policy/callback';
import { grantFor } from '../../shared/policy/rules';
import { TEST_MAC_KEY } from '../helpers/config';

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64');
const NOW = new Date('2024-05-01T12:00:00Z');
const policyOf = (conditions: unknown[], expiration = '2024-05-01T13:00:00.000Z') => parsePolicy(b64({ expiration, conditions }));


describe('PostObject policy conditions', () => {
  const policy = policyOf([
    { bucket: 'b' },
    ['starts-with', '$key', 'users/alice/'],
    ['eq', '$Content-Type', 'image/png'],
    ['in', '$cache-control', ['no-cache', 'max-age=60']],
    ['not-in', '$content-disposition', ['inline']],
    ['content-length-range', 1, 100],
  ]);
  const fields = (over: Record<string, string> = {}) =>
    new Map(Object.entries({ bucket: 'b', key: 'users/alice/a.png', 'content-type': 'image/png', 'cache-control': 'no-cache', 'content-disposition': 'attachment', ...over }));

  it('accept a form that meets every condition (field names matched without case)', () => {
    expect(ossCodeOf(() => checkConditions(policy, fields(), NOW))).toBeUndefined();
  });

  it.each([
    ['key outside the prefix', { key: 'users/bob/a.png' }],
    ['another content type', { 'content-type': 'image/PNG' }],
    ['a value not in the list', { 'cache-control': 'public' }],
    ['a value in the not-in list', { 'content-disposition': 'inline' }],
    ['another bucket', { bucket: 'c' }],
  ])('refuse %s with AccessDenied', (_what, over) => {
    expect(ossCodeOf(() => checkConditions(policy, fields(over), NOW))).toBe('403 AccessDenied');
  });

  it('treat a missing field as empty', () => {
    const f = fields();
    f.delete('cache-control');
    expect(ossCodeOf(() => checkConditions(policy, f, NOW))).toBe('403 AccessDenied');
  });

  it('refuse a form once the policy has expired', () => {
    expect(ossCodeOf(() => checkConditions(policy, fields(), new Date('2024-05-01T13:00:01Z')))).toBe('403 AccessDenied');
  });

  it('take the size range from content-length-range', () => {
    expect([policy.minSize, policy.maxSize]).toEqual([1, 100]);
    expect(ossCodeOf(() => checkSize(policy, 0))).toBe('400 EntityTooSmall');
    expect(ossCodeOf(() => checkSize(policy, 1))).toBeUndefined();
  });

  it.each([
    ['not Base64 JSON', '%%%'],
    ['no expiration', b64({ conditions: [] })],
    ['an unknown operator', b64({ expiration: '2024-05-01T13:00:00Z', conditions: [['matches', '$key', 'x']] })],
    ['a condition with two fields', b64({ expiration: '2024-05-01T13:00:00Z', conditions: [{ a: '1', b: '2' }] })],
    ['a negative size', b64({ expiration: '2024-05-01T13:00:00Z', conditions: [['content-length-range', -1, 5]] })],
  ])('refuse a policy with %s as InvalidPolicyDocument', (_what, doc) => {
    expect(ossCodeOf(() => parsePolicy(doc))).toBe('400 InvalidPolicyDocument');
  });
});

describe('upload callback bodies', () => {
  const facts: CallbackFacts = {
    bucket: 'local-uploads',
    object: 'users/alice/a "b"&c.png',
    etag: 'D41D8CD98F00B204E9800998ECF8427E',
    size: 42,
    mimeType: 'image/png',
    clientIp: '127.0.0.1',
    reqId: 'REQ',
    operation: 'PutObject',
    requester: 'oss-upload/alice',
  };

  it("fill the project's JSON template with JSON values, and keep its MAC fields as written", () => {
    const config = loadConfig({ OSS_BUCKET: 'local-uploads', OSS_REGION: 'cn-hangzhou', CALLBACK_URL: 'http://localhost:1/cb', CALLBACK_MAC_KEY: TEST_MAC_KEY });
    const pinned = pinnedCallback(grantFor('alice', 'upload', config.rules), { key: facts.object }, 300, { keys: config.callback.macKeys, now: new Date(1_700_000_000_000) })!;
    const spec = parseCallback(pinned.base64, {});
    expect(JSON.parse(buildCallbackBody(spec, facts))).toEqual({
      bucket: 'local-uploads',
      object: 'users/alice/a "b"&c.png',
      etag: 'D41D8CD98F00B204E9800998ECF8427E',
      size: 42,
      mimeType: 'image/png',
      operation: 'PutObject',
      owner: 'alice',
      exp: 1_700_000_300,
      mac: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    });
    expect(spec.body).toBe(pinned.param.callbackBody);
  });

  it('URL-encode values in a form template, custom x: variables included', () => {
    const spec = parseCallback(b64({ callbackUrl: 'http://localhost:1/cb', callbackBody: 'o=${object}&u=${x:uid}&m=${contentMd5}' }), parseCallbackVars(b64({ 'x:uid': 'a b' })));
    expect(buildCallbackBody(spec, { ...facts, contentMd5: '1B2M2Y8AsgTpgAmY7PhCfg==' })).toBe('o=users%2Falice%2Fa%20%22b%22%26c.png&u=a%20b&m=1B2M2Y8AsgTpgAmY7PhCfg%3D%3D');
  });

  it('fill ${crc64} with the stored CRC-64, as a JSON string', () => {
    const spec = parseCallback(b64({ callbackUrl: 'http://localhost:1/cb', callbackBody: '{"crc":${crc64}}', callbackBodyType: 'application/json' }), {});
    expect(JSON.parse(buildCallbackBody(spec, { ...facts, crc64: '11051210869376104954' }))).toEqual({ crc: '11051210869376104954' });
  });

  it.each([
    ['no callbackUrl', { callbackBody: 'x' }],
    ['an empty callbackBody', { callbackUrl: 'http://h/', callbackBody: '' }],
    ['an unknown body type', { callbackUrl: 'http://h/', callbackBody: 'x', callbackBodyType: 'text/plain' }],
    ['an unknown variable', { callbackUrl: 'http://h/', callbackBody: '${secret}' }],
    ['six URLs', { callbackUrl: 'http://a/;http://b/;http://c/;http://d/;http://e/;http://f/', callbackBody: 'x' }],
  ])('refuse a callback with %s as InvalidArgument', (_what, c) => {
    expect(ossCodeOf(() => parseCallback(b64(c), {}))).toBe('400 InvalidArgument');
  });

  it('refuse custom variables that are not lower-case x: names', () => {
    expect(ossCodeOf(() => parseCallback(b64({ callbackUrl: 'http://h/', callbackBody: 'x' }), { 'x:UID': '1' }))).toBe('400 InvalidArgument');
  });

  it('sign decoded path, raw query and body with RSA-MD5, as the receiver recomputes it', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const url = new URL('http://localhost:1/api/call%20back?a=1&b=%2F');
    const sig = signCallback(privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, url, 'body');
    expect(verify('RSA-MD5', Buffer.from('/api/call back?a=1&b=%2F\nbody'), publicKey, Buffer.from(sig, 'base64'))).toBe(true);
    expect(verify('RSA-MD5', Buffer.from('/api/call back?a=1&b=%2F\nbodY'), publicKey, Buffer.from(sig, 'base64'))).toBe(false);
  });
});
