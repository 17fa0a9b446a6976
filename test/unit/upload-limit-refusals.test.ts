// What a caller is told when a size, a lifetime or an upload path is outside the rules: the code a
// client switches on and the message a developer reads, with each limit's last allowed value accepted.

import { join } from 'node:path';
import { loadConfig } from '../../shared/config';
import { callerOf, grantsAt } from '../../shared/policy/grants';
import { expiresWithinRules, sizeWithinRules, uploadAllowed } from '../../shared/policy/limits';
import { readRules } from '../../rules/load';
import { apiRefusal } from '../helpers/policy';

// UPLOAD_MIN_SIZE 10 and UPLOAD_MAX_SIZE 1000 bytes, URL_MAX_EXPIRES_SECONDS 600.
const rules = loadConfig({ OSS_BUCKET: 'photos-prod', OSS_REGION: 'cn-hangzhou', UPLOAD_MIN_SIZE: '10', UPLOAD_MAX_SIZE: '1000', URL_MAX_EXPIRES_SECONDS: '600' }).rules;

/** The code, message and rule of the ApiError `run` throws. */
describe('the size an upload is signed for', () => {
  test.each([[10], [11], [999], [1000]])('%d bytes, within 10–1000, is signed as it is', (size) => {
    expect(sizeWithinRules(rules, size)).toBe(size);
  });

  test.each([[-1], [1.5], ['100'], [Number.NaN], [2 ** 53], [undefined]])('%p is not a byte count: InvalidSize', (size) => {
    expect(apiRefusal(() => sizeWithinRules(rules, size))).toEqual({ code: 'InvalidSize', message: 'size must be a whole number of bytes' });
  });

  test('one byte over the maximum: TooLarge, naming the size and the limit', () => {
    expect(apiRefusal(() => sizeWithinRules(rules, 1001))).toEqual({ code: 'TooLarge', message: 'size 1001 is over the limit of 1000 bytes' });
  });

  test('one byte under the minimum: TooSmall, naming the size and the minimum', () => {
    expect(apiRefusal(() => sizeWithinRules(rules, 9))).toEqual({ code: 'TooSmall', message: 'size 9 is under the minimum of 10 bytes' });
  });

  test('an empty file is a byte count (0), under a minimum of 10: TooSmall', () => {
    expect(apiRefusal(() => sizeWithinRules(rules, 0)).code).toBe('TooSmall');
  });
});

describe('the lifetime a URL or form is signed for', () => {
  test('without one asked for, the default given', () => {
    expect(expiresWithinRules(rules, undefined, 300)).toBe(300);
  });

  test.each([[1], [600]])('%d seconds, within 1–600, is signed as asked', (seconds) => {
    expect(expiresWithinRules(rules, seconds, 300)).toBe(seconds);
  });

  test.each([[0], [-5], [1.5], ['60'], [null], [2 ** 53]])('%p is not a lifetime: InvalidExpiry', (seconds) => {
    expect(apiRefusal(() => expiresWithinRules(rules, seconds, 300))).toEqual({ code: 'InvalidExpiry', message: 'expiresIn must be a whole number of seconds, at least 1' });
  });

  test('one second over the rules’ longest: ExpiryTooLong, naming the longest', () => {
    expect(apiRefusal(() => expiresWithinRules(rules, 601, 300))).toEqual({ code: 'ExpiryTooLong', message: 'expiresIn must be at most 600 seconds' });
  });
});

describe('the upload paths and file name a storage rule requires', () => {
  const photoApp = loadConfig({ OSS_BUCKET: 'photos-prod', OSS_REGION: 'cn-hangzhou' }, readRules(join(__dirname, '..', '..', 'examples', 'photo-app.rules.yaml')).storage).rules;
  const alice = callerOf({ uid: 'alice' }, photoApp);
  const [video] = grantsAt(photoApp, alice, 'write', 'videos/alice/clip.mp4');
  const [document] = grantsAt(photoApp, alice, 'write', 'documents/alice/cv.pdf');
  const [avatar] = grantsAt(photoApp, alice, 'write', 'avatars/alice/me.png');

  test('a form under a multipart-only rule: RuleDenied, naming the rule, the paths it takes and the one asked for', () => {
    expect(apiRefusal(() => uploadAllowed(video, ['form'], 'clip.mp4'))).toEqual({
      code: 'RuleDenied',
      message: 'rule "videos/{uid}/*" allows uploads by multipart only, not by form',
      rule: 'videos/{uid}/*',
    });
  });

  test('a PUT or multipart upload under a rule that takes only multipart is allowed when one of them is', () => {
    expect(uploadAllowed(video, ['put', 'multipart'], 'clip.mp4')).toBeUndefined();
  });

  test('the paths a rule takes are listed in full when none is asked for', () => {
    const formsOnly = { ...avatar, rules: { ...avatar.rules, uploadPaths: ['form', 'multipart'] as const } };
    expect(apiRefusal(() => uploadAllowed(formsOnly, ['put'], 'me.png')).message).toBe('rule "avatars/{uid}/*" allows uploads by form, multipart only, not by put');
  });

  test('an upload that could take either of two paths, neither allowed, is told both', () => {
    const formsOnly = { ...avatar, rules: { ...avatar.rules, uploadPaths: ['form'] as const } };
    expect(apiRefusal(() => uploadAllowed(formsOnly, ['put', 'multipart'], 'me.png')).message).toBe('rule "avatars/{uid}/*" allows uploads by form only, not by put or multipart');
  });

  test('an upload without a file name under a rule that requires one: RuleDenied, naming the rule', () => {
    expect(apiRefusal(() => uploadAllowed(document, ['form'], undefined))).toEqual({
      code: 'RuleDenied',
      message: 'rule "documents/{uid}/*" requires the file name (filename) of every upload',
      rule: 'documents/{uid}/*',
    });
  });

  test('with a file name, or under a rule that requires none, the upload is allowed', () => {
    expect(uploadAllowed(document, ['form'], 'cv.pdf')).toBeUndefined();
    expect(uploadAllowed(avatar, ['form'], undefined)).toBeUndefined();
  });
});
