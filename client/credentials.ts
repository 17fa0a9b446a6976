// STS credentials from /token, cached until a margin before they expire. Concurrent callers share
// one refresh, so parallel parts of a long upload never race each other to /token or sign with a
// token that is about to lapse (ali-oss itself refreshes only on a timer, after the fact).

import type { Timed, TokenResponse } from './api';
import { UploadError } from './errors';

export interface Credentials extends TokenResponse {
  /** When they expire, on this machine's clock (ms). */
  expiresAt: number;
  /**
   * The server's clock minus this machine's (ms), from the answer's Date header (to within a
   * second); undefined when the answer had none (a browser sees it cross-origin only when exposed).
   */
  clockOffsetMs?: number;
}

export interface CredentialProviderOptions {
  fetch: () => Promise<Timed<TokenResponse>>;
  /** Refresh this long before expiry (default 5 minutes), or halfway through a shorter lifetime. */
  marginMs?: number;
  now?: () => number;
}

export const DEFAULT_MARGIN_MS = 5 * 60_000;

export class CredentialProvider {
  private current?: Credentials;
  private refreshAt = 0;
  private pending?: Promise<Credentials>;
  private readonly fetchCredentials: CredentialProviderOptions['fetch'];
  private readonly marginMs: number;
  private readonly now: () => number;

  constructor(options: CredentialProviderOptions) {
    this.fetchCredentials = options.fetch;
    this.marginMs = options.marginMs ?? DEFAULT_MARGIN_MS;
    this.now = options.now ?? Date.now;
  }

  async get(): Promise<Credentials> {
    if (this.current && this.now() < this.refreshAt) return this.current;
    this.pending ??= this.refresh().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  /** Forget the cached credentials, e.g. after OSS refused them. */
  invalidate(): void {
    this.current = undefined;
  }

  private async refresh(): Promise<Credentials> {
    const { body, serverDate } = await this.fetchCredentials();
    const received = this.now();
    const expiration = Date.parse(body.Expiration);
    if (Number.isNaN(expiration)) throw new UploadError('Server', 'The credentials carried no valid Expiration');
    // Measure the lifetime on the server's clock, so a client clock that is off does not matter.
    const lifetime = expiration - (serverDate ?? received);
    if (lifetime <= 0) throw new UploadError('Expired', 'The credentials the server issued have already expired (check the clock)');
    const expiresAt = received + lifetime;
    this.refreshAt = expiresAt - Math.min(this.marginMs, lifetime / 2);
    this.current = { ...body, expiresAt, clockOffsetMs: serverDate === undefined ? undefined : serverDate - received };
    return this.current;
  }
}
