// What the callback and the OSS event path decide about an object OSS reports stored: whose it is,
// and for one that breaks the rules, the code and the reason the callback answers with and the
// event path logs, naming the rule it breaks.

import { join } from 'node:path';
import { loadConfig } from '../../shared/config';
import { checkFilename, checkObjectType, checkUpload } from '../../shared/policy/upload-checks';
import { filenameDigest } from '../../shared/policy/filename';
import { parseRules, readRules } from '../../rules/load';

const ENV = { OSS_BUCKET: 'photos-prod', OSS_REGION: 'cn-hangzhou' };
const rules = loadConfig(ENV, readRules(join(__dirname, '..', '..', 'examples', 'photo-app.rules.yaml')).storage).rules;
const AVATAR = { bucket: 'photos-prod', key: 'avatars/alice/me.png', size: 1000, mimeType: 'image/png' };

describe('an object that keeps its rule', () => {
  test('belongs to the user its key names, in that user’s folder', () => {
    expect(checkUpload(rules, AVATAR)).toEqual({ ok: true, user: 'alice', prefix: 'avatars/alice/' });
  });

  test.each([
    ['at the size limit', { size: 2097152 }],
    ['of one byte, the environment’s minimum', { size: 1 }],
    ['with a type parameter', { mimeType: 'image/png; charset=binary' }],
    ['made by an operation whose upload path is not known', { createdBy: 'AppendObject' }],
    ['made by a form, where forms are allowed', { createdBy: 'PostObject' }],
  ])('%s is kept', (_, change) => {
    expect(checkUpload(rules, { ...AVATAR, ...change })).toMatchObject({ ok: true, user: 'alice' });
  });
});

describe('an object that breaks its rule', () => {
  test.each([
    ['in another bucket', { bucket: 'other' }, { code: 'WrongBucket', reason: 'bucket other is not photos-prod' }],
    ['under a key validateKey refuses', { key: 'avatars/alice/../bob/me.png' }, { code: 'InvalidKey', reason: 'the key has a "." or ".." segment, or one that decodes to a separator' }],
    ['under no rule', { key: 'elsewhere/me.png' }, { code: 'KeyOutsidePrefix', reason: 'the key is under no user prefix' }],
    ['with a size that is no byte count', { size: -1 }, { code: 'InvalidSize', reason: 'size is not a byte count', user: 'alice' }],
    ['with a fractional size', { size: 1.5 }, { code: 'InvalidSize', reason: 'size is not a byte count', user: 'alice' }],
    ['one byte over the rule’s limit', { size: 2097153 }, { code: 'TooLarge', reason: 'size 2097153 is over 2097152 (rule "avatars/{uid}/*")', user: 'alice' }],
    ['empty, under the minimum', { size: 0 }, { code: 'TooSmall', reason: 'size 0 is under 1 (rule "avatars/{uid}/*")', user: 'alice' }],
    ['of a type the rule does not allow', { mimeType: 'text/html' }, { code: 'ContentTypeNotAllowed', reason: 'text/html is not allowed (rule "avatars/{uid}/*")', user: 'alice' }],
    ['without a type', { mimeType: undefined }, { code: 'ContentTypeNotAllowed', reason: 'no type is not allowed (rule "avatars/{uid}/*")', user: 'alice' }],
    ['stored with a no-break space before its type (no media type to a browser, which sniffs instead)', { mimeType: '\xa0image/png' }, { code: 'ContentTypeNotAllowed', reason: '\xa0image/png is not allowed (rule "avatars/{uid}/*")', user: 'alice' }],
  ])('%s', (_, change, verdict) => {
    expect(checkUpload(rules, { ...AVATAR, ...change })).toEqual({ ok: false, ...verdict });
  });

  test('stored as the list image/png, text/html under a rule allowing image/*: ContentTypeNotAllowed (browsers read a list as its last type)', () => {
    expect(checkUpload(rules, { bucket: 'photos-prod', key: 'teams/red/page.png', size: 10, mimeType: 'image/png, text/html' })).toMatchObject({ ok: false, code: 'ContentTypeNotAllowed' });
  });

  test.each([
    ['PutObject'],
    ['PostObject'],
    ['CopyObject'],
  ])('made by %s under a multipart-only rule: RuleDenied, naming the operation', (createdBy) => {
    expect(checkUpload(rules, { bucket: 'photos-prod', key: 'videos/alice/clip.mp4', size: 10, mimeType: 'video/mp4', createdBy })).toEqual({
      ok: false,
      code: 'RuleDenied',
      reason: `rule "videos/{uid}/*" allows uploads by multipart only; this object was made by ${createdBy}`,
      user: 'alice',
    });
  });

  test('made by PutObject under a rule that takes forms and multipart: RuleDenied, listing both', () => {
    const noPut = loadConfig(
      ENV,
      parseRules(['version: 1', 'rules:', '  - path: "inbox/{uid}/*"', '    allow:', '      owner: [write]', '    write:', '      uploadPaths: [form, multipart]'].join('\n'), 'no-put.rules.yaml').storage,
    ).rules;
    expect(checkUpload(noPut, { bucket: 'photos-prod', key: 'inbox/alice/a.png', size: 10, mimeType: 'image/png', createdBy: 'PutObject' })).toMatchObject({
      code: 'RuleDenied',
      reason: 'rule "inbox/{uid}/*" allows uploads by form, multipart only; this object was made by PutObject',
    });
  });

  test('without the file name a rule requires: FilenameMissing, once HeadObject has said so', () => {
    const document = { bucket: 'photos-prod', key: 'documents/alice/cv.pdf', size: 10, mimeType: 'application/pdf' };
    expect(checkUpload(rules, { ...document, named: false })).toEqual({ ok: false, code: 'FilenameMissing', reason: 'rule "documents/{uid}/*" requires a file name (x-oss-meta-filename)', user: 'alice' });
    expect(checkUpload(rules, { ...document, named: true }).ok).toBe(true);
    expect(checkUpload(rules, document).ok).toBe(true);
    expect(checkUpload(rules, { ...AVATAR, named: false }).ok).toBe(true);
  });
});

describe('a key two rules could hold', () => {
  const overlapping = loadConfig(
    ENV,
    parseRules(
      [
        'version: 1',
        'rules:',
        '  - path: "box/{uid}/*"',
        '    allow:',
        '      owner: [write]',
        '    write:',
        '      contentTypes: [image/png]',
        '  - path: "box/{claims.team}/*"',
        '    allow:',
        '      owner: [write]',
        '    write:',
        '      contentTypes: [application/pdf]',
      ].join('\n'),
      'overlap.rules.yaml',
    ).storage,
  ).rules;
  const report = { bucket: 'photos-prod', key: 'box/red/a', size: 10 };

  test('the first rule whose limits the object keeps decides', () => {
    expect(checkUpload(overlapping, { ...report, mimeType: 'image/png' })).toEqual({ ok: true, user: 'red', prefix: 'box/red/' });
    expect(checkUpload(overlapping, { ...report, mimeType: 'application/pdf' })).toEqual({ ok: true, user: '', prefix: 'box/red/' });
  });

  test('when it keeps none, the first rule’s refusal is the answer', () => {
    expect(checkUpload(overlapping, { ...report, mimeType: 'text/plain' })).toEqual({ ok: false, code: 'ContentTypeNotAllowed', reason: 'text/plain is not allowed (rule "box/{uid}/*")', user: 'red' });
  });
});

describe('the type of object OSS made', () => {
  test.each([
    ['Symlink', 'an object of type Symlink may not be stored under a user prefix'],
    ['Appendable', 'an object of type Appendable may not be stored under a user prefix'],
    ['', 'an object without a type may not be stored under a user prefix'],
  ])('%j: ObjectTypeNotAllowed, with its owner', (type, reason) => {
    expect(checkObjectType(rules, 'avatars/alice/me.png', type)).toEqual({ ok: false, code: 'ObjectTypeNotAllowed', reason, user: 'alice' });
  });

  test('under no rule: KeyOutsidePrefix', () => {
    expect(checkObjectType(rules, 'elsewhere/me.png', 'Normal')).toEqual({ ok: false, code: 'KeyOutsidePrefix', reason: 'the key is under no user prefix' });
  });
});

describe('the file name OSS holds', () => {
  const KEY = 'documents/alice/Xq3v9Yb2kLm0-PqR/a_b.pdf';
  const STORED = 'a%3Ab.pdf';

  test.each([
    ['a signed name OSS does not hold', undefined, filenameDigest(STORED), { code: 'FilenameMissing', reason: 'the upload was signed with a file name but OSS holds no x-oss-meta-filename' }],
    ['another name than the one signed', 'a%3Ac.pdf', filenameDigest(STORED), { code: 'FilenameMismatch', reason: 'x-oss-meta-filename is not the file name the upload was signed with' }],
    ['a value that is not a percent-encoded name', '%FF.pdf', undefined, { code: 'InvalidFilename', reason: 'x-oss-meta-filename is not a percent-encoded UTF-8 file name of 1 to 255 characters' }],
    ['a name whose safe form is not the key’s last segment', 'other.pdf', undefined, { code: 'FilenameMismatch', reason: 'x-oss-meta-filename names a file whose safe form is not the name the key ends with' }],
  ])('%s is refused, saying which', (_, stored, signed, verdict) => {
    expect(checkFilename(KEY, stored, signed)).toEqual({ ok: false, ...verdict });
  });

  test('the signed name, held exactly, is the file name', () => {
    expect(checkFilename(KEY, STORED, filenameDigest(STORED))).toEqual({ ok: true, filename: 'a:b.pdf' });
  });
});
