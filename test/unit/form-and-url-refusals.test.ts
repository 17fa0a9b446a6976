// What a caller is told when a form or presigned URL cannot be signed as asked: the code a client
// switches on and the message a developer reads (what to give, or what the rules allow).

import { loadConfig } from '../../shared/config';
import type { Pinning } from '../../shared/policy/callback';
import { postPlan } from '../../shared/policy/post-conditions';
import { grantFor, type Rules } from '../../shared/policy/rules';
import { callbackPlan, deletePlan, getPlan, putPlan } from '../../shared/policy/url-constraints';
import { TEST_MAC_KEY } from '../helpers/config';
import { apiRefusal } from '../helpers/policy';

const ENV = { OSS_BUCKET: 'photos-prod', OSS_REGION: 'cn-hangzhou', UPLOAD_CONTENT_TYPES: 'image/jpeg,image/png', UPLOAD_MAX_SIZE: '1000' };
const rulesWith = (env: Record<string, string> = {}): Rules => loadConfig({ ...ENV, ...env }).rules;
const pin: Pinning = { keys: loadConfig({ ...ENV, CALLBACK_MAC_KEY: TEST_MAC_KEY }).callback.macKeys, now: new Date('2026-05-01T10:00:00Z') };
const alice = grantFor('alice', 'readwrite', rulesWith());

/** The code and message of the ApiError `run` throws. */
describe('a form', () => {
  test.each([
    ['after part of a segment', 'users/alice/a${filename}'],
    ['followed by more segments', 'users/alice/${filename}/x'],
    ['in the middle of a key', 'users/alice/${filename}.jpg'],
    ['twice', 'users/alice/${filename}/${filename}'],
  ])('whose key has ${filename} %s: InvalidKey, with an example under the caller’s prefix', (_, key) => {
    expect(apiRefusal(() => postPlan(alice, { key }, pin))).toEqual({
      code: 'InvalidKey',
      message: '${filename} is allowed only once, as the key\'s whole last segment (e.g. users/alice/inbox/${filename})',
    });
  });

  test('whose ${filename} key comes with a file name that is not one: InvalidFilename', () => {
    expect(apiRefusal(() => postPlan(alice, { key: 'users/alice/inbox/${filename}', filename: 7 }, pin)).code).toBe('InvalidFilename');
  });

  test('whose ${filename} key has no folder before it under the prefix is still under the prefix (users/alice/${filename})', () => {
    expect(postPlan(alice, { key: 'users/alice/${filename}', contentType: 'image/png' }, pin).conditions).toContainEqual(['starts-with', '$key', 'users/alice/']);
  });

  test('a key that merely contains "$" or "{" is an ordinary key, held by an exact condition', () => {
    expect(postPlan(alice, { key: 'users/alice/$5 {a}.png', contentType: 'image/png' }, pin).conditions).toContainEqual(['eq', '$key', 'users/alice/$5 {a}.png']);
  });

  test('without a content type, when the rules allow a wildcard: ContentTypeRequired, saying why', () => {
    const images = grantFor('alice', 'upload', rulesWith({ UPLOAD_CONTENT_TYPES: 'application/pdf,image/*' }));
    expect(apiRefusal(() => postPlan(images, { key: 'users/alice/a.png' }, pin))).toEqual({
      code: 'ContentTypeRequired',
      message: 'give contentType: the allowed types include a wildcard a form policy cannot list',
    });
  });

  test('with a content type, when the rules allow a wildcard: the exact type is pinned', () => {
    const images = grantFor('alice', 'upload', rulesWith({ UPLOAD_CONTENT_TYPES: 'image/*' }));
    const plan = postPlan(images, { key: 'users/alice/a.png', contentType: 'image/png' }, pin);
    expect(plan.fields['Content-Type']).toBe('image/png');
    expect(plan.conditions).toContainEqual(['eq', '$Content-Type', 'image/png']);
  });
});

describe('a presigned PUT', () => {
  test('without a type or an extension that names one: ContentTypeRequired, saying why', () => {
    expect(apiRefusal(() => putPlan(alice, { key: 'users/alice/blob', size: 10 }, pin))).toEqual({
      code: 'ContentTypeRequired',
      message: 'give contentType: it is signed, and the upload must send it',
    });
  });

  test('the type follows the file name’s extension, or the key’s without a file name', () => {
    expect(putPlan(alice, { key: 'users/alice/a.png', filename: 'a.png', size: 10 }, pin).headers['Content-Type']).toBe('image/png');
    expect(putPlan(alice, { key: 'users/alice/blob.png', size: 10 }, pin).headers['Content-Type']).toBe('image/png');
  });

  test('without a size, when a size limit applies: SizeRequired, saying why', () => {
    expect(apiRefusal(() => putPlan(alice, { key: 'users/alice/a.png', contentType: 'image/png' }, pin))).toEqual({
      code: 'SizeRequired',
      message: 'give size: a presigned PUT binds the exact length so the size limit holds',
    });
  });

  test('without a size, when only a maximum applies (UPLOAD_MIN_SIZE 0): SizeRequired', () => {
    const noMin = grantFor('alice', 'upload', rulesWith({ UPLOAD_MIN_SIZE: '0' }));
    expect(apiRefusal(() => putPlan(noMin, { key: 'users/alice/a.png', contentType: 'image/png' }, pin)).code).toBe('SizeRequired');
  });

  test('without a size, when only a minimum applies (UPLOAD_MAX_SIZE at OSS’s 5 GB): SizeRequired', () => {
    const noMax = grantFor('alice', 'upload', rulesWith({ UPLOAD_MAX_SIZE: String(5 * 1024 ** 3), UPLOAD_MIN_SIZE: '1' }));
    expect(apiRefusal(() => putPlan(noMax, { key: 'users/alice/a.png', contentType: 'image/png' }, pin)).code).toBe('SizeRequired');
  });

  test('without a size, when no limit applies (0 to 5 GB): signed without Content-Length', () => {
    const open = grantFor('alice', 'upload', rulesWith({ UPLOAD_MAX_SIZE: String(5 * 1024 ** 3), UPLOAD_MIN_SIZE: '0' }));
    const plan = putPlan(open, { key: 'users/alice/a.png', contentType: 'image/png' }, pin);
    expect(plan.headers).toEqual({ 'Content-Type': 'image/png', 'x-oss-forbid-overwrite': 'true' });
    expect(plan.additionalHeaders).toEqual([]);
  });
});

describe('a GET or DELETE', () => {
  test('without a key: KeyRequired, naming what the key is for', () => {
    expect(apiRefusal(() => getPlan(alice, {}))).toEqual({ code: 'KeyRequired', message: 'give the key to download' });
    expect(apiRefusal(() => deletePlan(alice, {}))).toEqual({ code: 'KeyRequired', message: 'give the key to delete' });
  });

  test('a DELETE lives URL_EXPIRES_SECONDS by default, or as long as asked within the rules', () => {
    expect(deletePlan(alice, { key: 'users/alice/a.png' }).expiresSeconds).toBe(300);
    expect(deletePlan(alice, { key: 'users/alice/a.png', expiresIn: 60 }).expiresSeconds).toBe(60);
    expect(getPlan(alice, { key: 'users/alice/a.png', expiresIn: 60 }).expiresSeconds).toBe(60);
  });
});

describe('an upload with STS credentials', () => {
  test('of a type the rules allow and a size within them gets its plan; a malformed type is InvalidContentType', () => {
    expect(callbackPlan(alice, { key: 'users/alice/a.png', contentType: 'image/png', size: 1000 }, pin).key).toBe('users/alice/a.png');
    expect(apiRefusal(() => callbackPlan(alice, { key: 'users/alice/a.png', contentType: 'png' }, pin)).code).toBe('InvalidContentType');
  });

  test('is told to send x-oss-forbid-overwrite only when the rules forbid overwriting', () => {
    expect(callbackPlan(alice, { key: 'users/alice/a.png' }, pin).headers).toEqual({ 'x-oss-forbid-overwrite': 'true' });
    const overwrite = grantFor('alice', 'upload', rulesWith({ FORBID_OVERWRITE: 'false' }));
    expect(callbackPlan(overwrite, { key: 'users/alice/a.png' }, pin).headers).toEqual({});
  });

  test('under a rule that takes only forms: RuleDenied', () => {
    const forms = { ...alice, rules: { ...alice.rules, uploadPaths: ['form'] as const } };
    expect(apiRefusal(() => callbackPlan(forms, { key: 'users/alice/a.png' }, pin)).code).toBe('RuleDenied');
    expect(postPlan(forms, { key: 'users/alice/a.png', contentType: 'image/png' }, pin).key).toBe('users/alice/a.png');
  });
});
