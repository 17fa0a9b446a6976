// What the shared credential cache writes to Redis: AES-256-GCM entries bound to their Redis name,
// under names that are HMACs of the user and the scope, with the cache key's rotation.

import { createHash, randomBytes } from 'node:crypto';
import type { SecretRing } from '../../shared/secrets';
import type { StsCredentials } from '../../shared/sts/assume-role';
import { NAME_PREFIX, Sealer } from '../../shared/sts/shared-cache/sealed';

const KEY = randomBytes(32);
const OLD_KEY = randomBytes(32);
const ring = (...keys: Buffer[]): SecretRing => ({ current: keys[0], accepted: keys });

const credential: StsCredentials = {
  AccessKeyId: 'STS.NUgYrLnoC37mZZCNnAbez2',
  AccessKeySecret: 'CVwjCkNzTMupZ8NbTCxCBRq3K16jtcWFTJAyBEv2',
  SecurityToken: 'CAISwAJ1q6Ft5B2yfSjIr5bSEsjgu7hU5abTbhLYlTMwObhpu6vgpTz2IHtKdXVvBOgYtPg+mmhX7fwblq',
  Expiration: '2031-01-01T00:00:00Z',
};
const expiring = { value: credential, expiresAt: Date.parse(credential.Expiration) };
const scope = createHash('sha256').update('{"Version":"1"}').digest('base64url');

describe('names in Redis', () => {
  it('say nothing of the user id or the scope hash, and are the same for the same user and scope', () => {
    const [slot] = new Sealer(ring(KEY)).slots('alice@example.com', scope);
    expect(slot.name.startsWith(NAME_PREFIX)).toBe(true);
    expect(slot.name).not.toMatch(/alice|example/);
    expect(slot.name).not.toContain(scope);
    expect(slot.lock).toBe(`${slot.name}:lock`);
    expect(new Sealer(ring(KEY)).slots('alice@example.com', scope)[0].name).toBe(slot.name);
  });

  it('differ between users, between scopes, and between cache keys', () => {
    const names = [
      new Sealer(ring(KEY)).slots('alice', scope)[0].name,
      new Sealer(ring(KEY)).slots('bob', scope)[0].name,
      new Sealer(ring(KEY)).slots('alice', `${scope}x`)[0].name,
      new Sealer(ring(OLD_KEY)).slots('alice', scope)[0].name,
    ];
    expect(new Set(names).size).toBe(4);
  });

  it('during a rotation include the previous key\'s name, where instances still on that key write', () => {
    const rotating = new Sealer(ring(KEY, OLD_KEY)).slots('alice', scope);
    expect(rotating.map((s) => s.name)).toEqual([new Sealer(ring(KEY)).slots('alice', scope)[0].name, new Sealer(ring(OLD_KEY)).slots('alice', scope)[0].name]);
  });
});

describe('entries in Redis', () => {
  const sealer = new Sealer(ring(KEY));
  const [alice] = sealer.slots('alice', scope);
  const [bob] = sealer.slots('bob', scope);

  it('open to the credential under the name they were sealed for', () => {
    expect(sealer.open(alice, sealer.seal(alice, expiring))).toEqual(expiring);
  });

  it('hold no part of the credential in the clear', () => {
    const entry = sealer.seal(alice, expiring).toString('latin1');
    for (const secret of Object.values(credential)) expect(entry).not.toContain(secret.slice(0, 8));
  });

  it('are new ciphertext every time', () => {
    expect(sealer.seal(alice, expiring).equals(sealer.seal(alice, expiring))).toBe(false);
  });

  it('do not open when copied under another user\'s name', () => {
    expect(sealer.open(bob, sealer.seal(alice, expiring))).toBeUndefined();
  });

  it('do not open when a byte is changed, cut short, or of another format', () => {
    const entry = sealer.seal(alice, expiring);
    for (const i of [0, 5, 20, entry.length - 1]) {
      const changed = Buffer.from(entry);
      changed[i] ^= 1;
      expect(sealer.open(alice, changed)).toBeUndefined();
    }
    expect(sealer.open(alice, entry.subarray(0, 20))).toBeUndefined();
    expect(sealer.open(alice, Buffer.from(JSON.stringify(credential)))).toBeUndefined();
  });

  it('do not open under another cache key', () => {
    const other = new Sealer(ring(OLD_KEY));
    expect(other.open(other.slots('alice', scope)[0], sealer.seal(alice, expiring))).toBeUndefined();
  });

  it('sealed under the previous key still open during a rotation', () => {
    const old = new Sealer(ring(OLD_KEY));
    const written = old.seal(old.slots('alice', scope)[0], expiring);
    const rotating = new Sealer(ring(KEY, OLD_KEY));
    const [current, previous] = rotating.slots('alice', scope);
    expect(rotating.open(current, written)).toBeUndefined();
    expect(rotating.open(previous, written)).toEqual(expiring);
  });
});
