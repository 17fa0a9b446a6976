// The MAC the sign function pins into every callback, checked as the callback function checks it: at
// the edges of its lifetime, and with each field a relaying client could rewrite.

import { createHash } from 'node:crypto';
import { CALLBACK_MAC_MAX_SECONDS, type CallbackScope, callbackMac, verifyCallbackMac } from '../../shared/callback-auth/mac';
import type { SecretRing } from '../../shared/secrets';

const KEY = Buffer.alloc(32, 7);
const RING: SecretRing = { current: KEY, accepted: [KEY] };
const NOW = new Date('2026-11-29T12:00:00Z');
const NOW_S = NOW.getTime() / 1000;
const REPORTED = { bucket: 'uploads', object: 'users/alice/cat.png' };
const NAME_SHA = createHash('sha256').update('cat.png').digest('base64url');

/** The fields of a body pinned by the sign function for `scope` (the reported bucket and key by default). */
function pinned(scope: Partial<CallbackScope> = {}) {
  const full: CallbackScope = { bucket: REPORTED.bucket, key: REPORTED.object, owner: 'alice', exp: NOW_S + 900, ...scope };
  const fields = { owner: full.owner, exp: full.exp, keyPrefix: full.keyPrefix, filenameSha256: full.filenameSha256, mac: callbackMac(RING, full) };
  return fields;
}

const verdict = (fields: Record<string, unknown>, reported = REPORTED) => verifyCallbackMac(RING, reported, fields, NOW);

describe('a callback MAC', () => {
  test('pinned for the reported bucket and key verifies, naming its owner and no file name', () => {
    expect(verdict(pinned())).toEqual({ ok: true, owner: 'alice' });
  });

  test('binding a file name verifies with that name\'s digest and reports it', () => {
    expect(verdict(pinned({ filenameSha256: NAME_SHA }))).toEqual({ ok: true, owner: 'alice', filenameSha256: NAME_SHA });
  });

  test('is missing when the body carries none: a callback the sign function did not pin', () => {
    const { mac: _, ...rest } = pinned();
    expect(verdict(rest)).toEqual({ ok: false, reason: 'missing' });
  });

  test('with exp as a string of digits (a form-encoded body) verifies as that number', () => {
    const fields = pinned();
    expect(verdict({ ...fields, exp: String(fields.exp) })).toEqual({ ok: true, owner: 'alice' });
  });

  test.each([
    ['an exp with a sign', (f: ReturnType<typeof pinned>) => ({ ...f, exp: `+${f.exp}` })],
    ['an exp with a fraction', (f: ReturnType<typeof pinned>) => ({ ...f, exp: f.exp + 0.5 })],
    ['an exp of 13 digits, as text (the MAC made for that number)', () => ({ ...pinned({ exp: 10 ** 12 }), exp: String(10 ** 12) })],
    ['an owner that is not a string', (f: ReturnType<typeof pinned>) => ({ ...f, owner: ['alice'] })],
    ['a MAC one character longer', (f: ReturnType<typeof pinned>) => ({ ...f, mac: `${f.mac}A` })],
    ['a MAC that is not a string', (f: ReturnType<typeof pinned>) => ({ ...f, mac: 42 })],
    ['a key prefix that is not a string', (f: ReturnType<typeof pinned>) => ({ ...f, keyPrefix: ['users/alice/'] })],
    ['a file name digest one character short', (f: ReturnType<typeof pinned>) => ({ ...f, filenameSha256: NAME_SHA.slice(1) })],
    ['a file name digest that is not a string', (f: ReturnType<typeof pinned>) => ({ ...f, filenameSha256: 7 })],
  ])('whose body has %s is invalid, not an error', (_, rewrite) => {
    expect(verdict(rewrite(pinned()) as Record<string, unknown>)).toEqual({ ok: false, reason: 'invalid' });
  });

  test('for another bucket, or another owner, is invalid', () => {
    expect(verdict(pinned({ bucket: 'other' }))).toEqual({ ok: false, reason: 'invalid' });
    expect(verdict({ ...pinned(), owner: 'bob' })).toEqual({ ok: false, reason: 'invalid' });
  });

  test('for a key prefix holds for an object under it and is invalid for one outside it', () => {
    const fields = pinned({ key: undefined, keyPrefix: 'users/alice/inbox/' });
    expect(verdict(fields, { ...REPORTED, object: 'users/alice/inbox/cat.png' })).toEqual({ ok: true, owner: 'alice' });
    expect(verdict(fields, { ...REPORTED, object: 'users/alice/cat.png' })).toEqual({ ok: false, reason: 'invalid' });
  });

  test('that expired 30 s ago still verifies (the clocks may differ by that much); 31 s ago it has expired', () => {
    expect(verdict(pinned({ exp: NOW_S - 30 }))).toEqual({ ok: true, owner: 'alice' });
    expect(verdict(pinned({ exp: NOW_S - 31 }))).toEqual({ ok: false, reason: 'expired' });
  });

  test('lying a day and 30 s ahead verifies; one second further, no key the functions hold issued it', () => {
    expect(verdict(pinned({ exp: NOW_S + CALLBACK_MAC_MAX_SECONDS + 30 }))).toEqual({ ok: true, owner: 'alice' });
    expect(verdict(pinned({ exp: NOW_S + CALLBACK_MAC_MAX_SECONDS + 31 }))).toEqual({ ok: false, reason: 'expired' });
  });

  test('that has expired but was forged is invalid, not expired: the MAC is checked first', () => {
    const forged = { ...pinned({ exp: NOW_S - 3600 }), mac: 'A'.repeat(43) };
    expect(verdict(forged)).toEqual({ ok: false, reason: 'invalid' });
  });
});
