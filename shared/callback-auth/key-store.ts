// Public keys for callback verification: the shipped OSS key, keys fetched from OSS's key host (over
// HTTPS only, briefly, once per URL, through the instance's keep-alive pool), and keys trusted by
// explicit configuration.

import { createPublicKey, type KeyObject } from 'node:crypto';
import { ConfigError } from '../config';
import { ApiError } from '../api/errors';
import { type OutboundRequest, type OutboundResponse, request } from '../outbound';
import { SHIPPED_KEY_PATH, SHIPPED_KEY_PEM } from './oss-public-key';

export interface KeyStoreOptions {
  /** The HTTP client (the instance's keep-alive one by default); tests route it to a loopback server. */
  request?: (r: OutboundRequest) => Promise<OutboundResponse>;
  timeoutMs?: number;
}

const MAX_KEY_BYTES = 8 * 1024;
const MAX_ENTRIES = 32;
// A URL that failed is not tried again for a while: a stream of bad callbacks must not become a
// stream of requests to OSS's key host.
const FAILURE_TTL_MS = 60_000;

function rsaKey(pem: string): KeyObject {
  const key = createPublicKey(pem);
  if (key.asymmetricKeyType !== 'rsa') throw new Error('not an RSA public key');
  return key;
}

const shipped = rsaKey(SHIPPED_KEY_PEM);

export class KeyStore {
  private readonly request: (r: OutboundRequest) => Promise<OutboundResponse>;
  private readonly timeoutMs: number;
  private readonly fetched = new Map<string, { key: Promise<KeyObject>; failedAt?: number }>();

  constructor(opts: KeyStoreOptions = {}) {
    this.request = opts.request ?? request;
    this.timeoutMs = opts.timeoutMs ?? 1500;
  }

  /** The key at an allowed URL (see allowedKeyUrl): the shipped one without a request, others fetched once. */
  keyFor(url: URL): Promise<KeyObject> {
    if (url.pathname === SHIPPED_KEY_PATH) return Promise.resolve(shipped);
    const https = new URL(url.href);
    https.protocol = 'https:';
    const id = https.href;
    const entry = this.fetched.get(id);
    if (entry && (entry.failedAt === undefined || Date.now() - entry.failedAt < FAILURE_TTL_MS)) return entry.key;
    if (this.fetched.size >= MAX_ENTRIES) this.fetched.clear();
    const fresh: { key: Promise<KeyObject>; failedAt?: number } = { key: this.download(id) };
    fresh.key.catch(() => {
      fresh.failedAt = Date.now();
    });
    this.fetched.set(id, fresh);
    return fresh.key;
  }

  private async download(href: string): Promise<KeyObject> {
    try {
      // A redirect is a status like any other here: not followed, not a key.
      const res = await this.request({ method: 'GET', url: href, timeoutMs: this.timeoutMs, maxBodyBytes: MAX_KEY_BYTES });
      if (res.status !== 200) throw new Error(`status ${res.status}`);
      return rsaKey(res.body.toString('utf8'));
    } catch {
      throw new ApiError('CallbackKeyUnavailable', 'the public key named by x-oss-pub-key-url could not be fetched');
    }
  }
}

const trustedCache = new Map<string, KeyObject[]>();

/** CALLBACK_TRUSTED_KEYS parsed once; a PEM that is not an RSA public key is a configuration error. */
export function trustedKeys(pems: readonly string[]): KeyObject[] {
  const id = pems.join('\n');
  let keys = trustedCache.get(id);
  if (!keys) {
    keys = pems.map((pem) => {
      try {
        return rsaKey(pem);
      } catch {
        throw new ConfigError('CALLBACK_TRUSTED_KEYS', 'expected PEM RSA public keys (-----BEGIN PUBLIC KEY-----)');
      }
    });
    trustedCache.set(id, keys);
  }
  return keys;
}
