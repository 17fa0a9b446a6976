// One grant, its four outputs side by side: the session policy for STS, the PostObject conditions,
// the presigned PUT/GET constraints, and the checks the callback applies to what OSS reports.

import { loadConfig } from '../../shared/config';
import type { Pinning } from '../../shared/policy/callback';
import { postPlan } from '../../shared/policy/post-conditions';
import { grantFor, roleSessionName, type Rules } from '../../shared/policy/rules';
import { sessionPolicy, sessionPolicyJson } from '../../shared/policy/session-policy';
import { checkFilename, checkObjectType, checkUpload } from '../../shared/policy/upload-checks';
import { callbackPlan, deletePlan, getPlan, putPlan } from '../../shared/policy/url-constraints';
import { callbackParamFor, filenameSha256 } from '../helpers/callback-mac';
import { isAllowed, type RamPolicy } from '../../local/iam/evaluate';
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
const NOW = new Date('2026-05-01T10:00:00Z');
const pin: Pinning = { keys: loadConfig(ENV).callback.macKeys, now: NOW };
const at = (seconds: number) => NOW.getTime() / 1000 + seconds;

const rules = rulesWith();
const grant = grantFor('alice', 'readwrite', rules);
const KEY = 'users/alice/cat.jpg';
const SIZE = 2048;

// What OSS is asked to POST back after the upload: its own variables, as JSON values, and the MAC for
// this key and owner, valid the signature's 300 s plus an hour for the transfer.
const CALLBACK = callbackParamFor({
  callbackUrl: 'https://fc.example/api/callback',
  bucket: 'photos-prod',
  key: 'users/alice/cat.jpg',
  owner: 'alice',
  exp: at(300 + 3600),
  macKey: TEST_MAC_KEY,
});

/** Every field that changes how an object is stored or served, pinned empty in a form. */
const EMPTY_PINS = [
  'x-oss-content-type',
  'x-oss-storage-class',
  'x-oss-tagging',
  'x-oss-server-side-encryption',
  'x-oss-server-side-encryption-key-id',
  'Cache-Control',
  'Content-Disposition',
  'Content-Encoding',
  'Expires',
  'success_action_redirect',
].map((f) => ['eq', `$${f}`, '']);

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
  test('allows upload (with multipart), download, delete and listing, on her prefix only, and denies a write that asks for a public ACL (OSS\'s Scenario 10)', () => {
    expect(sessionPolicy(grant)).toEqual({
      Version: '1',
      Statement: [
        {
          Effect: 'Allow',
          Action: ['oss:PutObject', 'oss:AbortMultipartUpload', 'oss:ListParts', 'oss:GetObject', 'oss:DeleteObject'],
          Resource: ['acs:oss:*:*:photos-prod/users/alice/*'],
        },
        { Effect: 'Deny', Action: ['oss:PutObject', 'oss:PutObjectAcl'], Resource: ['*'], Condition: { StringNotEquals: { 'oss:x-oss-object-acl': ['private', 'default'] } } },
        {
          Effect: 'Allow',
          Action: ['oss:ListObjects'],
          Resource: ['acs:oss:*:*:photos-prod'],
          Condition: { StringLike: { 'oss:Prefix': ['users/alice/*'] } },
        },
      ],
    });
  });

  test.each([
    ['names no ACL (OSS reads default)', true, 'default'],
    ['asks for private', true, 'private'],
    ['asks for public-read', false, 'public-read'],
    ['asks for public-read-write', false, 'public-read-write'],
  ])('as RAM evaluates it, a write that %s is allowed: %s', (_, allowed, acl) => {
    const policy = sessionPolicy(grantFor('alice', 'upload', rules)) as unknown as RamPolicy;
    expect(isAllowed([policy], 'oss:PutObject', 'acs:oss:*:*:photos-prod/users/alice/cat.jpg', { 'oss:x-oss-object-acl': acl })).toBe(allowed);
    expect(isAllowed([policy], 'oss:PutObjectAcl', 'acs:oss:*:*:photos-prod/users/alice/cat.jpg', { 'oss:x-oss-object-acl': acl })).toBe(false);
  });

  test('stays within STS\'s 2048 characters for upload, download and delete grants whatever prefix the key rules allow', () => {
    const longest = rulesWith({ UPLOAD_PREFIX: `${'d/'.repeat(500)}\${uid}/` });
    for (const access of ['upload', 'download', 'delete'] as const) expect(sessionPolicyJson(grantFor('a'.repeat(64), access, longest)).length).toBeLessThanOrEqual(2048);
    expect(policyCode(() => sessionPolicyJson(grantFor('a'.repeat(64), 'readwrite', longest)))).toBe('SessionPolicyTooLarge');
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
      { Effect: 'Deny', Action: ['oss:PutObject', 'oss:PutObjectAcl'], Resource: ['*'], Condition: { StringNotEquals: { 'oss:x-oss-object-acl': ['private', 'default'] } } },
    ]);
    expect(sessionPolicy(grantFor('alice', 'download', rules)).Statement).toEqual([
      { Effect: 'Allow', Action: ['oss:GetObject'], Resource: ['acs:oss:*:*:photos-prod/users/alice/*'] },
    ]);
  });

  test('a delete grant, what /sign signs a DELETE with, may delete under her prefix and do nothing else', () => {
    expect(sessionPolicy(grantFor('alice', 'delete', rules)).Statement).toEqual([
      { Effect: 'Allow', Action: ['oss:DeleteObject'], Resource: ['acs:oss:*:*:photos-prod/users/alice/*'] },
    ]);
  });

  test('an upload grant cannot delete, so it cannot undo x-oss-forbid-overwrite by deleting first', () => {
    const policy = sessionPolicy(grantFor('alice', 'upload', rules)) as unknown as RamPolicy;
    expect(isAllowed([policy], 'oss:DeleteObject', 'acs:oss:*:*:photos-prod/users/alice/cat.jpg')).toBe(false);
  });

  test('the STS session is named after the user', () => {
    expect(roleSessionName(grant.uid)).toBe('alice');
  });
});

describe('output 2: the PostObject policy conditions', () => {
  test('pin the bucket, the exact key, a private ACL, the exact size, the type, every field that changes storing or serving, no file name, no overwrite and the callback', () => {
    expect(postPlan(grant, { key: KEY, contentType: 'image/jpeg', size: SIZE }, pin)).toEqual({
      key: KEY,
      fields: {
        key: KEY,
        success_action_status: '200',
        'x-oss-object-acl': 'private',
        'Content-Type': 'image/jpeg',
        'x-oss-forbid-overwrite': 'true',
        callback: CALLBACK,
      },
      conditions: [
        { bucket: 'photos-prod' },
        ['eq', '$key', KEY],
        ['eq', '$success_action_status', '200'],
        ['eq', '$x-oss-object-acl', 'private'],
        ['content-length-range', SIZE, SIZE],
        ['eq', '$Content-Type', 'image/jpeg'],
        ...EMPTY_PINS,
        ['eq', '$x-oss-meta-filename', ''],
        { 'x-oss-forbid-overwrite': 'true' },
        ['eq', '$callback', CALLBACK],
      ],
      minSize: SIZE,
      maxSize: SIZE,
      expiresSeconds: 300,
    });
  });

  test('every eq condition on a field the client must send has its value in the fields', () => {
    const plan = postPlan(grant, { key: KEY, contentType: 'image/jpeg' }, pin);
    const eqs: [string, unknown][] = plan.conditions.flatMap((c) => (Array.isArray(c) ? (c[0] === 'eq' ? [[String(c[1]).slice(1), c[2]] as [string, unknown]] : []) : Object.entries(c)));
    for (const [field, value] of eqs) {
      if (field === 'bucket') continue;
      expect([field, plan.fields[field] ?? '']).toEqual([field, value]);
    }
  });

  test('without a size or type, allow the rules’ size range and list of types', () => {
    const plan = postPlan(grant, { key: KEY }, pin);
    expect(plan.conditions).toContainEqual(['content-length-range', 1, 10485760]);
    expect(plan.conditions).toContainEqual(['in', '$Content-Type', ['image/jpeg', 'image/png', 'application/pdf']]);
    expect(plan.fields['Content-Type']).toBeUndefined();
  });

  test.each([
    ['a key under another user’s prefix', { key: 'users/bob/cat.jpg' }, 'KeyOutsidePrefix'],
    ['a type the rules do not allow', { key: KEY, contentType: 'text/html' }, 'ContentTypeNotAllowed'],
    ['a size over the limit', { key: KEY, size: 10485761 }, 'TooLarge'],
    ['an empty file', { key: KEY, size: 0 }, 'TooSmall'],
    ['a lifetime over the limit', { key: KEY, expiresIn: 1801 }, 'ExpiryTooLong'],
    ['${filename} after part of a segment', { key: 'users/alice/a${filename}' }, 'InvalidKey'],
    ['${filename} followed by more segments', { key: 'users/alice/${filename}/x' }, 'InvalidKey'],
    ['${filename} in the middle of a key', { key: 'users/alice/${filename}.jpg' }, 'InvalidKey'],
    ['${filename} twice', { key: 'users/alice/${filename}/${filename}' }, 'InvalidKey'],
    ['another ${…} placeholder', { key: 'users/alice/${x}' }, 'InvalidKey'],
    ['${filename} as the whole key after another user’s prefix', { key: 'users/bob/${filename}' }, 'KeyOutsidePrefix'],
  ])('refuse %s', (_, req, code) => {
    expect(policyCode(() => postPlan(grant, req, pin))).toBe(code);
  });

  test('with a filename, generate a key carrying its safe form and pin the exact name, percent-encoded, in the field and the callback', () => {
    const plan = postPlan(grant, { filename: '报告 2026 (final).pdf', contentType: 'application/pdf' }, pin);
    const encoded = '%E6%8A%A5%E5%91%8A%202026%20(final).pdf';
    expect(plan.key).toMatch(/^users\/alice\/[A-Za-z0-9_-]{16}\/报告 2026 \(final\)\.pdf$/);
    expect(plan.fields['x-oss-meta-filename']).toBe(encoded);
    expect(plan.conditions).toContainEqual(['eq', '$x-oss-meta-filename', encoded]);
    expect(plan.fields.callback).toBe(
      callbackParamFor({ callbackUrl: 'https://fc.example/api/callback', bucket: 'photos-prod', key: plan.key, filename: encoded, owner: 'alice', exp: at(300 + 3600), macKey: TEST_MAC_KEY }),
    );
  });

  test('a ${filename} form pins no name (x-oss-meta-filename eq ""): OSS writes the uploaded file\'s name into the key', () => {
    const plan = postPlan(grant, { key: 'users/alice/inbox/${filename}', filename: 'ignored.png', contentType: 'image/png' }, pin);
    expect(plan.conditions).toContainEqual(['eq', '$x-oss-meta-filename', '']);
    expect(plan.fields['x-oss-meta-filename']).toBeUndefined();
  });

  test.each(['users/alice/${filename}', 'users/alice/inbox/${filename}'])('accept ${filename} as the whole last segment: %s', (key) => {
    const plan = postPlan(grant, { key, contentType: 'image/png' }, pin);
    const start = key.slice(0, -'${filename}'.length);
    expect(plan.conditions).toContainEqual(['starts-with', '$key', start]);
    expect(plan.fields.key).toBe(key);
  });

  test('a ${filename} form pins a callback whose MAC binds the signed key prefix', () => {
    const plan = postPlan(grant, { key: 'users/alice/inbox/${filename}', contentType: 'image/png' }, pin);
    expect(plan.fields.callback).toBe(
      callbackParamFor({ callbackUrl: 'https://fc.example/api/callback', bucket: 'photos-prod', keyPrefix: 'users/alice/inbox/', owner: 'alice', exp: at(300 + 3600), macKey: TEST_MAC_KEY }),
    );
  });
});

describe('output 3: the presigned URL constraints', () => {
  test('a PUT binds the exact key, type and length, forbids overwrite and carries the callback', () => {
    expect(putPlan(grant, { key: KEY, contentType: 'image/jpeg', size: SIZE }, pin)).toEqual({
      method: 'PUT',
      key: KEY,
      headers: { 'Content-Type': 'image/jpeg', 'Content-Length': '2048', 'x-oss-forbid-overwrite': 'true' },
      query: { callback: CALLBACK },
      additionalHeaders: ['content-length'],
      expiresSeconds: 300,
    });
  });

  test('a GET binds the exact key and downloads under the asked file name, as the type the extension names', () => {
    expect(getPlan(grant, { key: KEY, filename: 'cat.jpg' })).toEqual({
      method: 'GET',
      key: KEY,
      headers: {},
      query: { 'response-content-type': 'image/jpeg', 'response-content-disposition': 'attachment; filename="cat.jpg"; filename*=UTF-8\'\'cat.jpg' },
      additionalHeaders: [],
      expiresSeconds: 300,
    });
  });

  test('a GET is served as the passive type its key’s extension names, whatever type OSS holds, as an attachment named as the key ends', () => {
    expect(getPlan(grant, { key: KEY }).query).toEqual({ 'response-content-type': 'image/jpeg', 'response-content-disposition': 'attachment; filename="cat.jpg"; filename*=UTF-8\'\'cat.jpg' });
    expect(getPlan(grant, { key: 'users/alice/notes.txt' }).query).toEqual({
      'response-content-type': 'text/plain',
      'response-content-disposition': 'attachment; filename="notes.txt"; filename*=UTF-8\'\'notes.txt',
    });
  });

  test('a GET of a generated key without a filename downloads under the safe name the key carries', () => {
    const key = 'users/alice/Xq3v9Yb2kLm0-PqR/报告 2026 (final).pdf';
    expect(getPlan(grant, { key }).query['response-content-disposition']).toBe(
      'attachment; filename="__ 2026 (final).pdf"; filename*=UTF-8\'\'%E6%8A%A5%E5%91%8A%202026%20%28final%29.pdf',
    );
  });

  test.each(['users/alice/page.html', 'users/alice/icon.svg', 'users/alice/blob', 'users/alice/archive.unknownext', 'users/alice/x.png.html'])(
    'a GET of %s, whose extension names no passive type, downloads as an application/octet-stream attachment',
    (key) => {
      const name = key.slice('users/alice/'.length);
      expect(getPlan(grant, { key }).query).toEqual({
        'response-content-type': 'application/octet-stream',
        'response-content-disposition': `attachment; filename="${name}"; filename*=UTF-8''${name}`,
      });
    },
  );

  test('a named GET of an active type keeps its RFC 5987 name and is served as application/octet-stream', () => {
    expect(getPlan(grant, { key: 'users/alice/page.html', filename: 'page.html' }).query).toEqual({
      'response-content-type': 'application/octet-stream',
      'response-content-disposition': 'attachment; filename="page.html"; filename*=UTF-8\'\'page.html',
    });
  });

  test('the type of a PUT follows the file name when none is given', () => {
    expect(putPlan(grant, { filename: 'scan.PDF', size: SIZE }, pin).headers['Content-Type']).toBe('application/pdf');
  });

  test('a PUT with a filename goes to a fresh key carrying its safe form, and signs the exact name as x-oss-meta-filename; the callback\'s MAC binds it', () => {
    const plan = putPlan(grant, { filename: 'résumé\u202e.pdf', size: SIZE }, pin);
    expect(plan.key).toMatch(/^users\/alice\/[A-Za-z0-9_-]{16}\/résumé_\.pdf$/);
    expect(plan.headers).toEqual({ 'Content-Type': 'application/pdf', 'Content-Length': '2048', 'x-oss-meta-filename': 'r%C3%A9sum%C3%A9%E2%80%AE.pdf', 'x-oss-forbid-overwrite': 'true' });
    expect(plan.query.callback).toBe(
      callbackParamFor({ callbackUrl: 'https://fc.example/api/callback', bucket: 'photos-prod', key: plan.key, filename: 'r%C3%A9sum%C3%A9%E2%80%AE.pdf', owner: 'alice', exp: at(300 + 3600), macKey: TEST_MAC_KEY }),
    );
  });

  test('a PUT to the caller\'s own key with a filename: the key must end with the name\'s safe form', () => {
    expect(putPlan(grant, { key: 'users/alice/docs/a_b.pdf', filename: 'a:b.pdf', size: SIZE }, pin).headers['x-oss-meta-filename']).toBe('a%3Ab.pdf');
    expect(policyCode(() => putPlan(grant, { key: 'users/alice/docs/other.pdf', filename: 'a:b.pdf', size: SIZE }, pin))).toBe('InvalidFilename');
  });

  test('an upload with STS credentials and a filename must send the name as x-oss-meta-filename, and its callback\'s MAC binds it', () => {
    const plan = callbackPlan(grant, { filename: '报告 2026 (final).pdf' }, pin);
    const encoded = '%E6%8A%A5%E5%91%8A%202026%20(final).pdf';
    expect(plan.headers).toEqual({ 'x-oss-meta-filename': encoded, 'x-oss-forbid-overwrite': 'true' });
    expect(plan.callback?.base64).toBe(
      callbackParamFor({ callbackUrl: 'https://fc.example/api/callback', bucket: 'photos-prod', key: plan.key, filename: encoded, owner: 'alice', exp: at(86400), macKey: TEST_MAC_KEY }),
    );
  });

  test('a DELETE binds the exact key under the caller\'s prefix and nothing else', () => {
    expect(deletePlan(grant, { key: KEY })).toEqual({ method: 'DELETE', key: KEY, headers: {}, query: {}, additionalHeaders: [], expiresSeconds: 300 });
  });

  test('an upload with STS credentials gets its key and a callback whose MAC lasts a day', () => {
    expect(callbackPlan(grant, { key: KEY, contentType: 'image/jpeg', size: SIZE }, pin)).toEqual({
      key: KEY,
      headers: { 'x-oss-forbid-overwrite': 'true' },
      callback: {
        base64: callbackParamFor({ callbackUrl: 'https://fc.example/api/callback', bucket: 'photos-prod', key: KEY, owner: 'alice', exp: at(86400), macKey: TEST_MAC_KEY }),
        param: expect.objectContaining({ callbackUrl: 'https://fc.example/api/callback', callbackBodyType: 'application/json' }),
      },
      expiresAt: new Date(at(86400) * 1000).toISOString(),
    });
  });

  test.each([
    ['another user’s key', { key: 'users/bob/cat.jpg' }, 'KeyOutsidePrefix'],
    ['a type the rules do not allow', { contentType: 'text/html' }, 'ContentTypeNotAllowed'],
    ['a size over the limit', { size: 10485761 }, 'TooLarge'],
  ])('an upload with STS credentials is refused a callback for %s', (_, req, code) => {
    expect(policyCode(() => callbackPlan(grant, req, pin))).toBe(code);
  });

  test.each([
    ['a PUT to another user’s key', () => putPlan(grant, { key: 'users/bob/cat.jpg', contentType: 'image/jpeg', size: SIZE }, pin), 'KeyOutsidePrefix'],
    ['a GET of another user’s key', () => getPlan(grant, { key: 'users/bob/cat.jpg' }), 'KeyOutsidePrefix'],
    ['a PUT without a size', () => putPlan(grant, { key: KEY, contentType: 'image/jpeg' }, pin), 'SizeRequired'],
    ['a PUT without a type or a known extension', () => putPlan(grant, { key: 'users/alice/blob', size: SIZE }, pin), 'ContentTypeRequired'],
    ['a PUT of a type the rules do not allow', () => putPlan(grant, { key: KEY, contentType: 'image/svg+xml', size: SIZE }, pin), 'ContentTypeNotAllowed'],
    ['a PUT over the size limit', () => putPlan(grant, { key: KEY, contentType: 'image/jpeg', size: 10485761 }, pin), 'TooLarge'],
    ['a GET without a key', () => getPlan(grant, {}), 'KeyRequired'],
    ['a DELETE without a key', () => deletePlan(grant, {}), 'KeyRequired'],
    ['a DELETE of another user’s key', () => deletePlan(grant, { key: 'users/bob/cat.jpg' }), 'KeyOutsidePrefix'],
    ['a DELETE that lives longer than allowed', () => deletePlan(grant, { key: KEY, expiresIn: 1801 }), 'ExpiryTooLong'],
    ['a PUT whose filename is not a string', () => putPlan(grant, { filename: 7, size: SIZE, contentType: 'image/jpeg' }, pin), 'InvalidFilename'],
    ['a form whose filename is empty', () => postPlan(grant, { filename: '' }, pin), 'InvalidFilename'],
    ['a GET that lives longer than allowed', () => getPlan(grant, { key: KEY, expiresIn: 1801 }), 'ExpiryTooLong'],
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

  test.each(['Normal', 'Multipart'])('a %s object may stay under a user’s prefix', (type) => {
    expect(checkObjectType(rules, KEY, type)).toEqual({ ok: true, user: 'alice', prefix: 'users/alice/' });
  });

  test.each(['Symlink', 'Appendable', ''])('a %j object is flagged ObjectTypeNotAllowed, with its owner', (type) => {
    expect(checkObjectType(rules, KEY, type)).toMatchObject({ ok: false, code: 'ObjectTypeNotAllowed', user: 'alice' });
  });

  const NAMED_KEY = 'users/alice/Xq3v9Yb2kLm0-PqR/报告 2026 (final).pdf';
  const NAME = '%E6%8A%A5%E5%91%8A%202026%20(final).pdf';

  test('the file name is the stored x-oss-meta-filename, decoded, when it is the one signed and its safe form ends the key', () => {
    expect(checkFilename(NAMED_KEY, NAME, filenameSha256(NAME))).toEqual({ ok: true, filename: '报告 2026 (final).pdf' });
    expect(checkFilename(NAMED_KEY, NAME, undefined)).toEqual({ ok: true, filename: '报告 2026 (final).pdf' });
    expect(checkFilename('users/alice/id/a_b.pdf', 'a%3Ab.pdf', undefined)).toEqual({ ok: true, filename: 'a:b.pdf' });
  });

  test('without a stored or signed name, the file name is the key\'s last segment', () => {
    expect(checkFilename('users/alice/inbox/holiday photo.png', undefined, undefined)).toEqual({ ok: true, filename: 'holiday photo.png' });
  });

  test.each([
    ['a signed name that OSS does not hold', undefined, filenameSha256(NAME), 'FilenameMissing'],
    ['another name than the one signed', '%E6%8A%A5%E5%91%8A.pdf', filenameSha256(NAME), 'FilenameMismatch'],
    ['the signed name spelt another way (lower-case hex)', NAME.replace('%E6', '%e6'), filenameSha256(NAME), 'FilenameMismatch'],
    ['a name whose safe form is not the key\'s last segment (no MAC: the event path)', 'invoice.pdf', undefined, 'FilenameMismatch'],
    ['a value that is not percent-encoded UTF-8', '%FF%FE.pdf', undefined, 'InvalidFilename'],
    ['a non-canonical encoding', '%E6%8a%A5%E5%91%8A%202026%20(final).pdf', undefined, 'InvalidFilename'],
  ])('%s is flagged', (_, stored, signed, code) => {
    expect(checkFilename(NAMED_KEY, stored, signed)).toMatchObject({ ok: false, code });
  });
});

describe('a rule change reaches all four outputs', () => {
  test('UPLOAD_PREFIX moves the policy resource, the form and URL keys, and the owner the callback finds', () => {
    const moved = rulesWith({ UPLOAD_PREFIX: 'tenants/acme/${uid}/' });
    const g = grantFor('alice', 'readwrite', moved);
    const key = 'tenants/acme/alice/cat.jpg';
    expect(sessionPolicy(g).Statement[0].Resource).toEqual(['acs:oss:*:*:photos-prod/tenants/acme/alice/*']);
    expect(postPlan(g, {}, pin).key.startsWith('tenants/acme/alice/')).toBe(true);
    expect(policyCode(() => postPlan(g, { key: KEY }, pin))).toBe('KeyOutsidePrefix');
    expect(putPlan(g, { key, contentType: 'image/jpeg', size: SIZE }, pin).key).toBe(key);
    expect(policyCode(() => getPlan(g, { key: KEY }))).toBe('KeyOutsidePrefix');
    expect(checkUpload(moved, { bucket: 'photos-prod', key, size: SIZE, mimeType: 'image/jpeg' })).toEqual({ ok: true, user: 'alice', prefix: 'tenants/acme/alice/' });
    expect(checkUpload(moved, { bucket: 'photos-prod', key: KEY, size: SIZE, mimeType: 'image/jpeg' })).toMatchObject({ ok: false, code: 'KeyOutsidePrefix' });
  });

  test('UPLOAD_MAX_SIZE changes the form’s range, what a URL may be signed for, and what the callback accepts', () => {
    const small = rulesWith({ UPLOAD_MAX_SIZE: '1000' });
    const g = grantFor('alice', 'upload', small);
    expect(postPlan(g, { key: KEY }, pin).conditions).toContainEqual(['content-length-range', 1, 1000]);
    expect(policyCode(() => putPlan(g, { key: KEY, contentType: 'image/jpeg', size: 1001 }, pin))).toBe('TooLarge');
    expect(checkUpload(small, { bucket: 'photos-prod', key: KEY, size: 1001, mimeType: 'image/jpeg' })).toMatchObject({ ok: false, code: 'TooLarge' });
  });

  test('UPLOAD_CONTENT_TYPES changes the form’s types, what a URL may be signed for, and what the callback accepts', () => {
    const pdfOnly = rulesWith({ UPLOAD_CONTENT_TYPES: 'application/pdf' });
    const g = grantFor('alice', 'upload', pdfOnly);
    expect(postPlan(g, { key: KEY }, pin).conditions).toContainEqual(['in', '$Content-Type', ['application/pdf']]);
    expect(policyCode(() => putPlan(g, { key: KEY, contentType: 'image/jpeg', size: SIZE }, pin))).toBe('ContentTypeNotAllowed');
    expect(checkUpload(pdfOnly, { bucket: 'photos-prod', key: KEY, size: SIZE, mimeType: 'image/jpeg' })).toMatchObject({ ok: false, code: 'ContentTypeNotAllowed' });
  });

  test('FORBID_OVERWRITE=false drops the no-overwrite condition from the form and the header from the PUT', () => {
    const g = grantFor('alice', 'upload', rulesWith({ FORBID_OVERWRITE: 'false' }));
    const post = postPlan(g, { key: KEY, contentType: 'image/jpeg' }, pin);
    expect(post.fields['x-oss-forbid-overwrite']).toBeUndefined();
    expect(post.conditions).not.toContainEqual({ 'x-oss-forbid-overwrite': 'true' });
    expect(putPlan(g, { key: KEY, contentType: 'image/jpeg', size: SIZE }, pin).headers['x-oss-forbid-overwrite']).toBeUndefined();
  });

  test('without CALLBACK_URL neither the form nor the PUT asks OSS for a callback', () => {
    const g = grantFor('alice', 'upload', loadConfig({ OSS_BUCKET: 'photos-prod', OSS_REGION: 'cn-hangzhou' }).rules);
    const post = postPlan(g, { key: KEY, contentType: 'image/jpeg' }, pin);
    expect(post.fields.callback).toBeUndefined();
    expect(JSON.stringify(post.conditions)).not.toContain('callback');
    expect(putPlan(g, { key: KEY, contentType: 'image/jpeg', size: SIZE }, pin).query).toEqual({});
    expect(callbackPlan(g, { key: KEY }, pin)).toEqual({ key: KEY, headers: { 'x-oss-forbid-overwrite': 'true' } });
  });
});
