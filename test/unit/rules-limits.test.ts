// Per-path write limits that RAM cannot express: every multipart step is oss:PutObject to RAM, so a
// rule that takes multipart uploads only is held at /sign (no form, no presigned PUT) and on the OSS
// event's name (an object made by PutObject or PostObject there is a violation); a required file name
// is held at /sign and by the callback's HeadObject.

import { join } from 'node:path';
import { ApiError } from '../../shared/api/errors';
import { loadConfig } from '../../shared/config';
import { callerOf, grantsAt } from '../../shared/policy/grants';
import { postPlan } from '../../shared/policy/post-conditions';
import { sessionPolicy } from '../../shared/policy/session-policy';
import { checkUpload } from '../../shared/policy/upload-checks';
import { isAllowed, type RamPolicy } from '../../local/iam/evaluate';
import { callbackPlan, putPlan } from '../../shared/policy/url-constraints';
import { parseRules, readRules } from '../../rules/load';
import { TEST_MAC_KEY } from '../helpers/config';

const config = loadConfig(
  { OSS_BUCKET: 'photos-prod', OSS_REGION: 'cn-hangzhou', CALLBACK_URL: 'https://fc.example/cb', CALLBACK_MAC_KEY: TEST_MAC_KEY },
  readRules(join(__dirname, '..', '..', 'examples', 'photo-app.rules.yaml')).storage,
);
const { rules } = config;
const pin = { keys: config.callback.macKeys, now: new Date() };
const alice = callerOf({ uid: 'alice' }, rules);
const [video] = grantsAt(rules, alice, 'write', 'videos/alice/clip.mp4');
const [document] = grantsAt(rules, alice, 'write', 'documents/alice/cv.pdf');

/** The code and rule of the ApiError `fn` throws. */
function refusal(fn: () => unknown): { code: string; rule?: string } {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiError) return { code: err.code, rule: err.rule };
    throw err;
  }
  throw new Error('not refused');
}

describe('a multipart-only path (videos/{uid}/*)', () => {
  const req = { key: 'videos/alice/clip.mp4', contentType: 'video/mp4', size: 1000 };

  test('/sign makes no form there: RuleDenied naming the rule', () => {
    expect(refusal(() => postPlan(video, req, pin))).toEqual({ code: 'RuleDenied', rule: 'videos/{uid}/*' });
  });

  test('/sign makes no presigned PUT there: RuleDenied naming the rule', () => {
    expect(refusal(() => putPlan(video, req, pin))).toEqual({ code: 'RuleDenied', rule: 'videos/{uid}/*' });
  });

  test('/sign pins the callback of a multipart upload there', () => {
    expect(callbackPlan(video, req, pin).key).toBe('videos/alice/clip.mp4');
  });

  test('a form or PUT elsewhere is signed as before (avatars/{uid}/*)', () => {
    const [avatar] = grantsAt(rules, alice, 'write', 'avatars/alice/me.png');
    expect(postPlan(avatar, { key: 'avatars/alice/me.png', contentType: 'image/png', size: 1000 }, pin).key).toBe('avatars/alice/me.png');
  });

  test.each([
    ['CompleteMultipartUpload', true],
    ['PutObject', false],
    ['PostObject', false],
    ['CopyObject', false],
  ])('the OSS event of an object there made by %s is accepted: %s', (createdBy, ok) => {
    const verdict = checkUpload(rules, { bucket: 'photos-prod', key: 'videos/alice/clip.mp4', size: 1000, mimeType: 'video/mp4', createdBy });
    expect(verdict.ok ? 'ok' : verdict.code).toBe(ok ? 'ok' : 'RuleDenied');
  });

  test('a video over 5 GB or of another type is refused after the fact as well', () => {
    const report = { bucket: 'photos-prod', key: 'videos/alice/clip.mp4', createdBy: 'CompleteMultipartUpload' };
    expect(checkUpload(rules, { ...report, size: 5 * 1024 ** 3 + 1, mimeType: 'video/mp4' })).toMatchObject({ ok: false, code: 'TooLarge' });
    expect(checkUpload(rules, { ...report, size: 10, mimeType: 'image/png' })).toMatchObject({ ok: false, code: 'ContentTypeNotAllowed' });
  });
});

describe('a path that requires the file name (documents/{uid}/*)', () => {
  test('/sign refuses an upload without one: RuleDenied naming the rule', () => {
    expect(refusal(() => postPlan(document, { key: 'documents/alice/cv.pdf', contentType: 'application/pdf', size: 10 }, pin))).toEqual({ code: 'RuleDenied', rule: 'documents/{uid}/*' });
  });

  test('/sign signs one with its file name', () => {
    expect(postPlan(document, { key: 'documents/alice/cv.pdf', filename: 'cv.pdf', contentType: 'application/pdf', size: 10 }, pin).fields['x-oss-meta-filename']).toBe('cv.pdf');
  });

  test('an object OSS holds there without a name is refused by the callback\'s check', () => {
    const report = { bucket: 'photos-prod', key: 'documents/alice/cv.pdf', size: 10, mimeType: 'application/pdf' };
    expect(checkUpload(rules, { ...report, named: false })).toMatchObject({ ok: false, code: 'FilenameMissing' });
    expect(checkUpload(rules, { ...report, named: true })).toMatchObject({ ok: true, user: 'alice' });
  });
});

describe('placeholders are whole segments, in RAM too', () => {
  const odd = loadConfig({ OSS_BUCKET: 'photos-prod', OSS_REGION: 'cn-hangzhou' }, parseRules('version: 1\nrules:\n  - path: "{uid}/inbox/*"\n    allow:\n      authenticated: [write]\n', 'inline.yaml').storage).rules;
  const bob = callerOf({ uid: 'bob' }, odd);

  test('a key whose would-be placeholder spans two segments is under no rule', () => {
    expect(refusal(() => grantsAt(odd, bob, 'write', 'a/b/inbox/x.txt'))).toMatchObject({ code: 'KeyOutsidePrefix' });
  });

  test("a grant there is narrowed to the key's own segment: RAM's * would cross \"/\"", () => {
    const [grant] = grantsAt(odd, bob, 'write', 'alice/inbox/x.txt');
    const policy = [sessionPolicy(grant) as unknown as RamPolicy];
    const put = (key: string) => isAllowed(policy, 'oss:PutObject', `acs:oss:*:*:photos-prod/${key}`, { 'oss:x-oss-object-acl': 'default' });
    expect(put('alice/inbox/x.txt')).toBe(true);
    expect(put('a/b/inbox/x.txt')).toBe(false);
    expect(put('carol/inbox/x.txt')).toBe(false);
  });
});
