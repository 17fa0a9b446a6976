// The three calls a client makes to the upload service: sign in (local development only),
// STS credentials, and signatures.

// The wire shapes are the functions' own (shared/api, type-only: nothing of the server reaches the
// client bundle), so the client cannot drift from what the server sends.
import type { Access, SignedCallbackResponse, SignedFormResponse, SignedUrlResponse, SignRequest, TokenRequest, TokenResponse } from '../shared/api/types';
import { errorFromResponse, networkError, UploadError } from './errors';

export type { Access, SignRequest, TokenResponse };
export type SignedRequest = SignedUrlResponse;
export type SignedForm = SignedFormResponse;
export type SignedCallback = SignedCallbackResponse;

export interface ApiOptions {
  /** Where /token and /sign live; default `<page origin>/api/` in a browser. */
  baseUrl?: string;
  /** The caller's JWT, asked for on every call so a fresh sign-in is picked up. */
  authToken: () => string | undefined | Promise<string | undefined>;
  fetch?: typeof fetch;
}

export interface Timed<T> {
  body: T;
  /** The server's clock from the Date header, in ms, when the answer had one. */
  serverDate?: number;
}

export class ApiClient {
  readonly baseUrl: string;
  private readonly authToken: ApiOptions['authToken'];
  private readonly fetchImpl: typeof fetch;

  constructor(options: ApiOptions) {
    this.baseUrl = withSlash(options.baseUrl ?? defaultBaseUrl());
    this.authToken = options.authToken;
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
  }

  async token(access: Access): Promise<Timed<TokenResponse>> {
    const body: TokenRequest = { access };
    return this.post<TokenResponse>('token', body);
  }

  async sign(req: SignRequest & { op: 'put' | 'get' }): Promise<SignedRequest>;
  async sign(req: SignRequest & { op: 'post' }): Promise<SignedForm>;
  async sign(req: SignRequest & { op: 'callback' }): Promise<SignedCallback>;
  async sign(req: SignRequest): Promise<SignedRequest | SignedForm | SignedCallback> {
    return (await this.post<SignedRequest | SignedForm | SignedCallback>('sign', req)).body;
  }

  private async post<T>(path: string, body: unknown): Promise<Timed<T>> {
    const token = await this.authToken();
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (token) headers.Authorization = `Bearer ${token}`;
    let res: Response;
    try {
      res = await this.fetchImpl(new URL(path, this.baseUrl), { method: 'POST', headers, body: JSON.stringify(body) });
    } catch (err) {
      throw networkError(err);
    }
    const text = await res.text();
    if (!res.ok) throw errorFromResponse(res.status, text);
    try {
      const date = Date.parse(res.headers.get('date') ?? '');
      return { body: JSON.parse(text) as T, serverDate: Number.isNaN(date) ? undefined : date };
    } catch {
      throw new UploadError('Server', `The server answered ${path} with something that is not JSON`, { status: res.status });
    }
  }
}

/** Local runtime only: a JWT for any user name, from POST <base>/dev/login. */
export async function devLogin(user: string, baseUrl?: string, fetchImpl: typeof fetch = fetch): Promise<string> {
  let res: Response;
  try {
    res = await fetchImpl(new URL('dev/login', withSlash(baseUrl ?? defaultBaseUrl())), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ user }),
    });
  } catch (err) {
    throw networkError(err);
  }
  const text = await res.text();
  if (!res.ok) throw errorFromResponse(res.status, text);
  const token = (JSON.parse(text) as { token?: unknown }).token;
  if (typeof token !== 'string') throw new UploadError('Server', 'The sign-in answer carried no token');
  return token;
}

function defaultBaseUrl(): string {
  const origin = (globalThis as { location?: { origin?: string } }).location?.origin;
  if (!origin) throw new Error('give baseUrl: there is no page origin to default to');
  return `${origin}/api/`;
}

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}
