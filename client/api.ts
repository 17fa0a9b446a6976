// The three calls a client makes to the upload service: sign in (local development only),
// STS credentials, and signatures.

// The wire shapes are the functions' own (shared/api, type-only: nothing of the server reaches the
// client bundle), so the client cannot drift from what the server sends.
import type { ApiErrorCode } from '../shared/api/errors';
import type { Access, SignBatchRequest, SignBatchResponse, SignedCallbackResponse, SignedFormResponse, SignedUrlResponse, SignRequest, TokenRequest, TokenResponse } from '../shared/api/types';
import { errorFromResponse, networkError, UploadError } from './errors';

export type { Access, SignRequest, TokenResponse };
export type SignedRequest = SignedUrlResponse;
export type SignedForm = SignedFormResponse;
export type SignedCallback = SignedCallbackResponse;

/** What signs a single-request upload: /sign itself (ApiClient), or a batch's plans (client/batch.ts). */
export interface SingleSigner {
  sign(req: SignRequest & { op: 'post' }): Promise<SignedForm>;
  sign(req: SignRequest & { op: 'put' }): Promise<SignedRequest>;
}

/**
 * The full URLs of the two routes, e.g. `https://token-xxxx.cn-hangzhou.fcapp.run` and
 * `https://sign-xxxx.cn-hangzhou.fcapp.run`: a default `s deploy` gives each function its own host.
 */
export interface Endpoints {
  token: string;
  sign: string;
}

/** What `npm run client-config` writes from `s info -o json`: spread it into the session's options. */
export interface ClientConfig {
  endpoints: Endpoints;
}

interface CommonApiOptions {
  /** The caller's JWT, asked for on every call so a fresh sign-in is picked up. */
  authToken: () => string | undefined | Promise<string | undefined>;
  fetch?: typeof fetch;
}

/**
 * Where the routes live: one `baseUrl` (a custom domain or the local runtime, `<baseUrl>/token` and
 * `<baseUrl>/sign`; default `<page origin>/api/` in a browser), or `endpoints` (one URL per function,
 * as a default deployment has them). Not both.
 */
export type ApiOptions = CommonApiOptions & ({ baseUrl?: string; endpoints?: undefined } | { endpoints: Endpoints; baseUrl?: undefined });

export interface Timed<T> {
  body: T;
  /** The server's clock from the Date header, in ms, when the answer had one. */
  serverDate?: number;
}

export class ApiClient {
  /** The URL each route is called at. */
  readonly endpoints: Readonly<Endpoints>;
  private readonly authToken: ApiOptions['authToken'];
  private readonly fetchImpl: typeof fetch;

  /** Throws UploadError `Misconfigured` for both or neither of baseUrl and endpoints outside a page, or an endpoint that is not an http(s) URL. */
  constructor(options: ApiOptions) {
    this.endpoints = endpointsOf(options);
    this.authToken = options.authToken;
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
  }

  async token(access: Access): Promise<Timed<TokenResponse>> {
    const body: TokenRequest = { access };
    return this.post<TokenResponse>('token', body);
  }

  async sign(req: SignRequest & { op: 'put' | 'get' | 'delete' }): Promise<SignedRequest>;
  async sign(req: SignRequest & { op: 'post' }): Promise<SignedForm>;
  async sign(req: SignRequest & { op: 'callback' }): Promise<SignedCallback>;
  async sign(req: SignRequest): Promise<SignedRequest | SignedForm | SignedCallback> {
    return (await this.post<SignedRequest | SignedForm | SignedCallback>('sign', req)).body;
  }

  /** Several files in one /sign request (at most SIGN_BATCH_MAX_FILES): one result per entry, in order. */
  async signBatch(files: SignRequest[]): Promise<Timed<SignBatchResponse<ApiErrorCode>>> {
    const body: SignBatchRequest = { files };
    return this.post<SignBatchResponse<ApiErrorCode>>('sign', body);
  }

  private async post<T>(path: keyof Endpoints, body: unknown): Promise<Timed<T>> {
    const token = await this.authToken();
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (token) headers.Authorization = `Bearer ${token}`;
    let res: Response;
    try {
      res = await this.fetchImpl(this.endpoints[path], { method: 'POST', headers, body: JSON.stringify(body) });
    } catch (err) {
      throw networkError(err);
    }
    const text = await res.text();
    if (!res.ok) throw errorFromResponse(res.status, text, res.headers.get('retry-after'));
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
  if (!res.ok) throw errorFromResponse(res.status, text, res.headers.get('retry-after'));
  let token: unknown;
  try {
    token = (JSON.parse(text) as { token?: unknown } | null)?.token;
  } catch {
    // reported below
  }
  if (typeof token !== 'string') throw new UploadError('Server', 'The sign-in answer carried no token');
  return token;
}

function endpointsOf(options: ApiOptions): Endpoints {
  const given = options as { baseUrl?: unknown; endpoints?: unknown };
  if (given.endpoints !== undefined) {
    if (given.baseUrl !== undefined) throw misconfigured('give baseUrl or endpoints, not both');
    return parseClientConfig({ endpoints: given.endpoints }).endpoints;
  }
  if (given.baseUrl !== undefined && typeof given.baseUrl !== 'string') throw misconfigured('baseUrl must be a URL string');
  const base = withSlash(given.baseUrl ?? defaultBaseUrl());
  return { token: absolute(new URL('token', pageUrl(base)).href), sign: absolute(new URL('sign', pageUrl(base)).href) };
}

/**
 * The configuration `npm run client-config` writes, checked: `{"endpoints":{"token":"<url>","sign":"<url>"}}`
 * with absolute http(s) URLs. Throws UploadError `Misconfigured` saying what is wrong.
 */
export function parseClientConfig(json: unknown): ClientConfig {
  const endpoints = (json as { endpoints?: unknown } | null)?.endpoints;
  if (!endpoints || typeof endpoints !== 'object') throw misconfigured('the client configuration has no "endpoints" object');
  const { token, sign } = endpoints as Record<string, unknown>;
  return { endpoints: { token: absolute(token, 'endpoints.token'), sign: absolute(sign, 'endpoints.sign') } };
}

function absolute(url: unknown, name = 'baseUrl'): string {
  let parsed: URL | undefined;
  try {
    parsed = typeof url === 'string' ? new URL(url) : undefined;
  } catch {
    // reported below
  }
  if (!parsed || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')) throw misconfigured(`${name} must be an absolute http(s) URL`);
  return parsed.href;
}

// A relative baseUrl ('/api') is taken from the page, as fetch would.
function pageUrl(base: string): string {
  const origin = (globalThis as { location?: { href?: string } }).location?.href;
  try {
    return new URL(base, origin).href;
  } catch {
    throw misconfigured(`baseUrl ${JSON.stringify(base)} is relative and there is no page to resolve it against`);
  }
}

function misconfigured(why: string): UploadError {
  return new UploadError('Misconfigured', `The upload client is misconfigured: ${why}`);
}

function defaultBaseUrl(): string {
  const origin = (globalThis as { location?: { origin?: string } }).location?.origin;
  if (!origin) throw misconfigured('give baseUrl or endpoints: there is no page origin to default to');
  return `${origin}/api/`;
}

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}
