// The callback every signature pins, and the file name it binds: its parameter exactly as OSS takes
// it (written out independently in test/helpers/callback-mac.ts), the MAC's lifetime to the second,
// SNI only for HTTPS, and the file name's encoding, digest and bounds.

import { ApiError } from '../../shared/api/errors';
import { loadConfig } from '../../shared/config';
import { pinnedCallback, type Pinning } from '../../shared/policy/callback';
import { decodeFilename, encodeFilename, exactFilename, filenameDigest } from '../../shared/policy/filename';
import { grantFor } from '../../shared/policy/rules';
import { callbackParamFor } from '../helpers/callback-mac';
import { TEST_MAC_KEY } from '../helpers/config';

const ENV = { OSS_BUCKET: 'photos-prod', OSS_REGION: 'cn-hangzhou', CALLBACK_MAC_KEY: TEST_MAC_KEY };
const withCallback = (url: string) => grantFor('alice', 'upload', loadConfig({ ...ENV, CALLBACK_URL: url }).rules);
const keys = loadConfig(ENV).callback.macKeys;
// 10:00:00.999: the MAC's expiry counts from the whole second.
const pin: Pinning = { keys, now: new Date('2026-05-01T10:00:00.999Z') };
const NOW_S = Date.parse('2026-05-01T10:00:00Z') / 1000;

describe('the pinned callback', () => {
  test('for one key and file name: OSS’s variables, the owner, the expiry, the name’s digest and the MAC, Base64 of its JSON', () => {
    const callback = pinnedCallback(withCallback('https://fc.example/cb'), { key: 'users/alice/a_b.pdf', filename: 'a:b.pdf' }, 600, pin);
    expect(callback?.exp).toBe(NOW_S + 600);
    expect(callback?.base64).toBe(
      callbackParamFor({ callbackUrl: 'https://fc.example/cb', bucket: 'photos-prod', key: 'users/alice/a_b.pdf', filename: 'a%3Ab.pdf', owner: 'alice', exp: NOW_S + 600, macKey: TEST_MAC_KEY }),
    );
    expect(JSON.parse(Buffer.from(callback?.base64 ?? '', 'base64').toString('utf8'))).toEqual(callback?.param);
    expect(callback?.param.callbackBody).toContain('"filenameSha256":"B0iE6_WvePMBrcWCEI6RC028OwCZHu4ndARTEO5t6_E"');
  });

  test('for every key under a prefix (a ${filename} form): the prefix, and no file name', () => {
    const callback = pinnedCallback(withCallback('https://fc.example/cb'), { keyPrefix: 'users/alice/inbox/' }, 600, pin);
    expect(callback?.base64).toBe(callbackParamFor({ callbackUrl: 'https://fc.example/cb', bucket: 'photos-prod', keyPrefix: 'users/alice/inbox/', owner: 'alice', exp: NOW_S + 600, macKey: TEST_MAC_KEY }));
  });

  test('for a key without a file name: no digest', () => {
    const callback = pinnedCallback(withCallback('https://fc.example/cb'), { key: 'users/alice/a.png' }, 600, pin);
    expect(callback?.param.callbackBody).not.toContain('filenameSha256');
    expect(callback?.base64).toBe(callbackParamFor({ callbackUrl: 'https://fc.example/cb', bucket: 'photos-prod', key: 'users/alice/a.png', owner: 'alice', exp: NOW_S + 600, macKey: TEST_MAC_KEY }));
  });

  test('its MAC lives at most a day, however long the signature asks', () => {
    expect(pinnedCallback(withCallback('https://fc.example/cb'), { key: 'users/alice/a.png' }, 86400, pin)?.exp).toBe(NOW_S + 86400);
    expect(pinnedCallback(withCallback('https://fc.example/cb'), { key: 'users/alice/a.png' }, 86401, pin)?.exp).toBe(NOW_S + 86400);
  });

  test('asks OSS for SNI on an HTTPS callback URL, and sends no callbackSNI field on plain HTTP', () => {
    expect(pinnedCallback(withCallback('https://fc.example/cb'), { key: 'users/alice/a.png' }, 600, pin)?.param).toMatchObject({ callbackUrl: 'https://fc.example/cb', callbackBodyType: 'application/json', callbackSNI: true });
    const plain = pinnedCallback(withCallback('http://fc.example/cb'), { key: 'users/alice/a.png' }, 600, pin)?.param;
    expect(plain).toEqual({ callbackUrl: 'http://fc.example/cb', callbackBody: expect.any(String), callbackBodyType: 'application/json' });
  });

  test('is none without CALLBACK_URL', () => {
    expect(pinnedCallback(grantFor('alice', 'upload', loadConfig(ENV).rules), { key: 'users/alice/a.png' }, 600, pin)).toBeUndefined();
  });

  test('with CALLBACK_URL and no MAC key: Misconfigured, saying which setting is missing', () => {
    let refusal: unknown;
    try {
      pinnedCallback(withCallback('https://fc.example/cb'), { key: 'users/alice/a.png' }, 600, { now: pin.now });
    } catch (err) {
      refusal = err;
    }
    expect(refusal).toBeInstanceOf(ApiError);
    expect(refusal).toMatchObject({ code: 'Misconfigured', message: 'CALLBACK_URL is set without CALLBACK_MAC_KEY' });
  });
});

describe('the file name an upload is signed with', () => {
  test.each([['a'], ['f'.repeat(255)], ['报告 (1).pdf']])('%j is a file name', (name) => {
    expect(exactFilename(name)).toBe(name);
  });

  test('is optional: none given is none, not a refusal', () => {
    expect(exactFilename(undefined)).toBeUndefined();
  });

  test.each([[''], ['f'.repeat(256)], ['a\ud800'], [7], [null]])('%j is refused: InvalidFilename, giving the bounds', (value) => {
    let refusal: unknown;
    try {
      exactFilename(value);
    } catch (err) {
      refusal = err;
    }
    expect(refusal).toMatchObject({ code: 'InvalidFilename', message: 'filename must be a string of 1 to 255 characters of valid Unicode' });
  });

  test('travels percent-encoded as UTF-8, and its digest is the Base64url SHA-256 of that', () => {
    expect(encodeFilename('报告 (1).pdf')).toBe('%E6%8A%A5%E5%91%8A%20(1).pdf');
    expect(filenameDigest('a%3Ab.pdf')).toBe('B0iE6_WvePMBrcWCEI6RC028OwCZHu4ndARTEO5t6_E');
  });

  test.each([
    ['its canonical encoding', '%E6%8A%A5%E5%91%8A%20(1).pdf', '报告 (1).pdf'],
    ['255 characters', 'f'.repeat(255), 'f'.repeat(255)],
    ['lower-case hex', '%e6%8a%a5.pdf', undefined],
    ['an encoded plain letter', '%41.pdf', undefined],
    ['invalid UTF-8', '%FF.pdf', undefined],
    ['an encoded surrogate', '%ED%A0%80.pdf', undefined],
    ['nothing', '', undefined],
    ['256 characters', 'f'.repeat(256), undefined],
  ])('read back from OSS: %s', (_, stored, name) => {
    expect(decodeFilename(stored)).toBe(name);
  });
});
