// One grant, its four outputs side by side: the session policy for STS, the PostObject conditions,
// the presigned PUT/GET constraints, and the checks the callback applies to what OSS reports.

import { loadConfig } from '../../shared/config';
import { postPlan } from '../../shared/policy/post-conditions';
import { grantFor, roleSessionName, type Rules } from '../../shared/policy/rules';
import { sessionPolicy, sessionPolicyJson } from '../../shared/policy/session-policy';
import { checkUpload } from '../../shared/policy/upload-checks';
import { getPlan, putPlan } from '../../shared/policy/url-constraints';
import { policyCode } from '../helpers/policy';
import { TEST_MAC_KEY } from '../helpers/config';

const ENV = {
  OSS_BUCKET: 'photos-prod',
  OSS_REGION: 'cn-hangzhou',
  UPLOAD_CONTENT_TYPES: 'image/jpeg,image/png,application/pdf',
  UPLOAD_MAX_SIZE: '10485760',
  CALLBACK_URL: 'https://fc.example/api/callback',
  CALLBACK_MAC_KEY: TEST_MAC_KEY,
};
const rulesWith = (env: Record<string, string> = {}): Rules => loadConfig({ ...ENV, ...env }).rules;

const rules = rulesWith();
const grant = grantFor('alice', 'readwrite', rules);
const KEY = 'users/alice/cat.jpg';
const SIZE = 2048;

// What OSS is asked to POST back after the upload: its own variables only, as JSON values.
const CALLBACK = Buffer.from(
  JSON.stringify({
    callbackUrl: 'https://fc.example/api/callback',
    callbackBody: '{"bucket":${bucket},"object":${object},"etag":${etag},"size":${size},"mimeType":${mimeType},"operation":${operation}}',
    callbackBodyType: 'application/json',
  }),
).toString('base64');

test('the grant names alice and her prefix', () => {
  expect(grant).toMatchObject({ uid: 'alice', user: 'alice', prefix: 'users/alice/', access: 'readwrite' });
});

test.each([
  ['alice@example.com', 'alice@example.com'],
  ['alice/../bob', expect.stringMatching(/^~[0-9a-f]{32}$/)],
  ['*', expect.stringMatching(/^~[0-9a-f]{32}$/)],
])('the user id %j appears in keys as %p', (uid, user) => {
  expect(grantFor(uid, 'upload', rules).user).toEqual(user);
});

test.each([[''], ['a\ud800'], ['\udc00b']])('the user id %j is refused with InvalidUser', (uid) => {
  expect(policyCode(() => grantFor(uid, 'upload', rules))).toBe('InvalidUser');
});

describe('output 1: the session policy passed to AssumeRole', () => {
  test('allows upload (with multipart), download and listing, on her prefix only', () => {
    expect(sessionPolicy(grant)).toEqual({
      Version: '1',
      Statement: [
        {
          Effect: 'Allow',
          Action: ['oss:PutObject', 'oss:AbortMultipartUpload', 'oss:ListParts', 'oss:GetObject'],
          Resource: ['acs:oss:*:*:photos-prod/users/alice/*'],
        },
        {
          Effect: 'Allow',
          Action: ['oss:ListObjects'],
          Resource: ['acs:oss:*:*:photos-prod'],
          Condition: { StringLike: { 'oss:Prefix': ['users/alice/*'] } },
        },
      ],
    });
  });

  test('is sent minified and within STS’s size limit', () => {
    const json = sessionPolicyJson(grant);
    expect(JSON.parse(json)).toEqual(sessionPolicy(grant));
    expect(json).not.toMatch(/\s/);
    expect(json.length).toBeLessThanOrEqual(2048);
  });

  test('an upload grant has no download or listing; a download grant no upload or listing', () => {
    expect(sessionPolicy(grantFor('alice', 'upload', rules)).Statement).toEqual([
      { Effect: 'Allow', Action: ['oss:PutObject', 'oss:AbortMultipartUpload', 'oss:ListParts'], Resource: ['acs:oss:*:*:photos-prod/users/alice/*'] },
    ]);
    expect(sessionPolicy(grantFor('alice', 'download', rules)).Statement).toEqual([
      { Effect: 'Allow', Action: ['oss:GetObject'], Resource: ['acs:oss:*:*:photos-prod/users/alice/*'] },
    ]);
  });

  test('the STS session is named after the user', () => {
    expect(roleSessionName(grant.uid)).toBe('alice');
  });
});

describe('output 2: the PostObject policy conditions', () => {
  test('pin the bucket, the exact key, the exact size, the type, no overwrite and the callback', () => {
    expect(postPlan(grant, { key: KEY, contentType: 'image/jpeg', size: SIZE })).toEqual({
      key: KEY,
      fields: {
        key: KEY,
        success_action_status: '200',
        'Content-Type': 'image/jpeg',
        'x-oss-forbid-overwrite': 'true',
        callback: CALLBACK,
      },
      conditions: [
        { bucket: 'photos-prod' },
        ['eq', '$key', KEY],
        ['eq', '$success_action_status', '200'],
        ['content-length-range', SIZE, SIZE],
        ['eq', '$Content-Type', 'image/jpeg'],
        { 'x-oss-forbid-overwrite': 'true' },
        ['eq', '$callback', CALLBACK],
      ],
      minSize: SIZE,
      maxSize: SIZE,
      expiresSeconds: 300,
    });
  });

  test('without a size or type, allow the rules’ size range and list of types', () => {
    const plan = postPlan(grant, { key: KEY });
    expect(plan.conditions).toContainEqual(['content-length-range', 1, 10485760]);
    expect(plan.conditions).toContainEqual(['in', '$Content-Type', ['image/jpeg', 'image/png', 'application/pdf']]);
    expect(plan.fields['Content-Type']).toBeUndefined();
  });

  test.each([
    ['a key under another user’s prefix', { key: 'users/bob/cat.jpg' }, 'KeyOutsidePrefix'],
    ['a type the rules do not allow', { key: KEY, contentType: 'text/html' }, 'ContentTypeNotAllowed'],
    ['a size over the limit', { key: KEY, size: 10485761 }, 'TooLarge'],
    ['an empty file', { key: KEY, size: 0 }, 'TooSmall'],
    ['a lifetime over the limit', { key: KEY, expiresIn: 3601 }, 'ExpiryTooLong'],
  ])('refuse %s', (_, req, code) => {
    expect(policyCode(() => postPlan(grant, req))).toBe(code);
  });
});

describe('output 3: the presigned URL constraints', () => {
  test('a PUT binds the exact key, type and length, forbids overwrite and carries the callback', () => {
    expect(putPlan(grant, { key: KEY, contentType: 'image/jpeg', size: SIZE })).toEqual({
      method: 'PUT',
      key: KEY,
      headers: { 'Content-Type': 'image/jpeg', 'Content-Length': '2048', 'x-oss-forbid-overwrite': 'true' },
      query: { callback: CALLBACK },
      additionalHeaders: ['content-length'],
      expiresSeconds: 300,
    });
  });

  test('a GET binds the exact key and downloads under the asked file name', () => {
    expect(getPlan(grant, { key: KEY, filename: 'cat.jpg' })).toEqual({
      method: 'GET',
      key: KEY,
      headers: {},
      query: { 'response-content-disposition': 'attachment; filename="cat.jpg"; filename*=UTF-8\'\'cat.jpg' },
      additionalHeaders: [],
      expiresSeconds: 300,
    });
  });

  test('a GET of content a browser would run is forced to download', () => {
    expect(getPlan(grant, { key: 'users/alice/page.html' }).query).toEqual({ 'response-content-disposition': 'attachment' });
    expect(getPlan(grant, { key: KEY }).query).toEqual({});
  });

  test('the type of a PUT follows the file name when none is given', () => {
    expect(putPlan(grant, { filename: 'scan.PDF', size: SIZE }).headers['Content-Type']).toBe('application/pdf');
  });

  test.each([
    ['a PUT to another user’s key', () => putPlan(grant, { key: 'users/bob/cat.jpg', contentType: 'image/jpeg', size: SIZE }), 'KeyOutsidePrefix'],
    ['a GET of another user’s key', () => getPlan(grant, { key: 'users/bob/cat.jpg' }), 'KeyOutsidePrefix'],
    ['a PUT without a size', () => putPlan(grant, { key: KEY, contentType: 'image/jpeg' }), 'SizeRequired'],
    ['a PUT without a type or a known extension', () => putPlan(grant, { key: 'users/alice/blob', size: SIZE }), 'ContentTypeRequired'],
    ['a PUT of a type the rules do not allow', () => putPlan(grant, { key: KEY, contentType: 'image/svg+xml', size: SIZE }), 'ContentTypeNotAllowed'],
    ['a PUT over the size limit', () => putPlan(grant, { key: KEY, contentType: 'image/jpeg', size: 10485761 }), 'TooLarge'],
    ['a GET without a key', () => getPlan(grant, {}), 'KeyRequired'],
    ['a GET that lives longer than allowed', () => getPlan(grant, { key: KEY, expiresIn: 3601 }), 'ExpiryTooLong'],
  ])('refuse %s', (_, run, code) => {
    expect(policyCode(run)).toBe(code);
  });
});

describe('output 4: the checks on what OSS reports after the upload', () => {
  test('an upload that keeps the rules belongs to alice', () => {
    expect(checkUpload(rules, { bucket: 'photos-prod', key: KEY, size: SIZE, mimeType: 'image/jpeg' })).toEqual({
      ok: true,
      user: 'alice',
      prefix: 'users/alice/',
    });
  });

  test.each([
    ['another bucket', { bucket: 'other-bucket' }, 'WrongBucket'],
    ['a key under no user’s prefix', { key: 'public/cat.jpg' }, 'KeyOutsidePrefix'],
    ['an unsafe key', { key: 'users/alice/%2e%2e/x.jpg' }, 'InvalidKey'],
    ['a size over the limit', { size: 10485761 }, 'TooLarge'],
    ['an empty file', { size: 0 }, 'TooSmall'],
    ['a type the rules do not allow', { mimeType: 'text/html' }, 'ContentTypeNotAllowed'],
    ['no type', { mimeType: '' }, 'ContentTypeNotAllowed'],
  ])('an upload to %s is flagged', (_, change, code) => {
    const verdict = checkUpload(rules, { bucket: 'photos-prod', key: KEY, size: SIZE, mimeType: 'image/jpeg', ...change });
    expect(verdict).toMatchObject({ ok: false, code });
  });
});

describe('a rule change reaches all four outputs', () => {
  test('UPLOAD_PREFIX moves the policy resource, the form and URL keys, and the owner the callback finds', () => {
    const moved = rulesWith({ UPLOAD_PREFIX: 'tenants/acme/${uid}/' });
    const g = grantFor('alice', 'readwrite', moved);
    const key = 'tenants/acme/alice/cat.jpg';
    expect(sessionPolicy(g).Statement[0].Resource).toEqual(['acs:oss:*:*:photos-prod/tenants/acme/alice/*']);
    expect(postPlan(g, {}).key.startsWith('tenants/acme/alice/')).toBe(true);
    expect(policyCode(() => postPlan(g, { key: KEY }))).toBe('KeyOutsidePrefix');
    expect(putPlan(g, { key, contentType: 'image/jpeg', size: SIZE }).key).toBe(key);
    expect(policyCode(() => getPlan(g, { key: KEY }))).toBe('KeyOutsidePrefix');
    expect(checkUpload(moved, { bucket: 'photos-prod', key, size: SIZE, mimeType: 'image/jpeg' })).toEqual({ ok: true, user: 'alice', prefix: 'tenants/acme/alice/' });
    expect(checkUpload(moved, { bucket: 'photos-prod', key: KEY, size: SIZE, mimeType: 'image/jpeg' })).toMatchObject({ ok: false, code: 'KeyOutsidePrefix' });
  });

  test('UPLOAD_MAX_SIZE changes the form’s range, what a URL may be signed for, and what the callback accepts', () => {
    const small = rulesWith({ UPLOAD_MAX_SIZE: '1000' });
    const g = grantFor('alice', 'upload', small);
    expect(postPlan(g, { key: KEY }).conditions).toContainEqual(['content-length-range', 1, 1000]);
    expect(policyCode(() => putPlan(g, { key: KEY, contentType: 'image/jpeg', size: 1001 }))).toBe('TooLarge');
    expect(checkUpload(small, { bucket: 'photos-prod', key: KEY, size: 1001, mimeType: 'image/jpeg' })).toMatchObject({ ok: false, code: 'TooLarge' });
  });

  test('UPLOAD_CONTENT_TYPES changes the form’s types, what a URL may be signed for, and what the callback accepts', () => {
    const pdfOnly = rulesWith({ UPLOAD_CONTENT_TYPES: 'application/pdf' });
    const g = grantFor('alice', 'upload', pdfOnly);
    expect(postPlan(g, { key: KEY }).conditions).toContainEqual(['in', '$Content-Type', ['application/pdf']]);
    expect(policyCode(() => putPlan(g, { key: KEY, contentType: 'image/jpeg', size: SIZE }))).toBe('ContentTypeNotAllowed');
    expect(checkUpload(pdfOnly, { bucket: 'photos-prod', key: KEY, size: SIZE, mimeType: 'image/jpeg' })).toMatchObject({ ok: false, code: 'ContentTypeNotAllowed' });
  });

  test('FORBID_OVERWRITE=false drops the no-overwrite condition from the form and the header from the PUT', () => {
    const g = grantFor('alice', 'upload', rulesWith({ FORBID_OVERWRITE: 'false' }));
    const post = postPlan(g, { key: KEY, contentType: 'image/jpeg' });
    expect(post.fields['x-oss-forbid-overwrite']).toBeUndefined();
    expect(post.conditions).not.toContainEqual({ 'x-oss-forbid-overwrite': 'true' });
    expect(putPlan(g, { key: KEY, contentType: 'image/jpeg', size: SIZE }).headers['x-oss-forbid-overwrite']).toBeUndefined();
  });

  test('without CALLBACK_URL neither the form nor the PUT asks OSS for a callback', () => {
    const g = grantFor('alice', 'upload', loadConfig({ OSS_BUCKET: 'photos-prod', OSS_REGION: 'cn-hangzhou' }).rules);
    const post = postPlan(g, { key: KEY, contentType: 'image/jpeg' });
    expect(post.fields.callback).toBeUndefined();
    expect(JSON.stringify(post.conditions)).not.toContain('callback');
    expect(putPlan(g, { key: KEY, contentType: 'image/jpeg', size: SIZE }).query).toEqual({});
  });
});
