// What Redis holds of a credential, and under which name. A reader of Redis (a dump, a replica, an
// operator with the console) must learn nothing usable: every entry is AES-256-GCM ciphertext under
// a key only the functions hold (CREDENTIAL_CACHE_KEY), with its Redis name as associated data, so an
// entry copied under another user's name fails to open; names are HMACs of the user segment and of
// the scope hash, so a guessed user id cannot be confirmed by looking for its name either.
//
// Both keys are derived from each key of the ring (HKDF-SHA256, one label each). During a rotation
// an entry is looked for under the current key's name and then the previous key's, and written under
// the current one only: instances still holding the old key keep reading what they wrote.

import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import type { SecretRing } from '../../secrets';
import type { StsCredentials } from '../assume-role';
import type { Expiring } from '../cache';

/** Every name this module makes starts with it; the rate bucket of the quota lives beside them. */
export const NAME_PREFIX = 'oss-upload:sts:v1:';

const FORMAT = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;

interface DerivedKey {
  names: Buffer;
  entries: Buffer;
}

function derive(secret: Buffer): DerivedKey {
  const key = (label: string) => Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), `oss-upload credential cache ${label}`, 32));
  return { names: key('names v1'), entries: key('entries v1') };
}

/** What an entry is bound to: its own Redis key, so it opens under no other. */
const boundTo = (slot: Slot) => Buffer.from(slot.name, 'utf8');

/** HMAC-SHA256 cut to 128 bits, base64url: 22 characters that say nothing of `text`. */
function opaque(key: Buffer, label: string, text: string): string {
  return createHmac('sha256', key).update(`${label}\n${text}`).digest().subarray(0, 16).toString('base64url');
}

function isCredentials(v: unknown): v is StsCredentials {
  if (v === null || typeof v !== 'object') return false;
  const c = v as Record<string, unknown>;
  return ['AccessKeyId', 'AccessKeySecret', 'SecurityToken', 'Expiration'].every((f) => typeof c[f] === 'string' && c[f] !== '') && !Number.isNaN(Date.parse(c.Expiration as string));
}

/** Where one (user, scope) lives in Redis under one key of the ring, and how its entry is sealed. */
export interface Slot {
  /** The entry's Redis key. The `{…}` hash tag keeps it and its lock in one cluster slot. */
  name: string;
  /** The single-flight lock's Redis key. */
  lock: string;
  /** 0 for the current key, 1 for the previous one during a rotation. */
  generation: number;
}

export class Sealer {
  private readonly keys: DerivedKey[];

  constructor(ring: SecretRing) {
    this.keys = ring.accepted.map(derive);
  }

  /** The slots of (user segment, scope hash): the current key's first. */
  slots(user: string, scope: string): Slot[] {
    return this.keys.map((k, generation) => {
      const name = `${NAME_PREFIX}{${opaque(k.names, 'user', user)}.${opaque(k.names, 'scope', scope)}}`;
      return { name, lock: `${name}:lock`, generation };
    });
  }

  /** The entry for `slot` (always a current-key slot): format byte, IV, ciphertext, GCM tag. */
  seal(slot: Slot, credential: Expiring<StsCredentials>): Buffer {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.keys[slot.generation].entries, iv);
    cipher.setAAD(boundTo(slot));
    const body = Buffer.concat([cipher.update(JSON.stringify(credential.value), 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.from([FORMAT]), iv, body, cipher.getAuthTag()]);
  }

  /** The credential sealed in `entry` under `slot`, or undefined when it is not one (tampered, moved, another key's, another format). */
  open(slot: Slot, entry: Buffer): Expiring<StsCredentials> | undefined {
    if (entry.length < 1 + IV_BYTES + TAG_BYTES + 2 || entry[0] !== FORMAT) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.keys[slot.generation].entries, entry.subarray(1, 1 + IV_BYTES));
      decipher.setAAD(boundTo(slot));
      decipher.setAuthTag(entry.subarray(entry.length - TAG_BYTES));
      const text = Buffer.concat([decipher.update(entry.subarray(1 + IV_BYTES, entry.length - TAG_BYTES)), decipher.final()]).toString('utf8');
      const value: unknown = JSON.parse(text);
      return isCredentials(value) ? { value, expiresAt: Date.parse(value.Expiration) } : undefined;
    } catch {
      return undefined;
    }
  }
}
