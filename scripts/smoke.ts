// The path a client takes, against a running deployment: sign in (or use a given JWT), get STS
// credentials, get a signed PUT, upload a small file through it and check the callback's answer that
// OSS relays, then get a signed GET and download the file back. Plain fetch, as a client would.
//
//   npm run smoke -- http://localhost:8787                          npm start (signs in through /api/dev/login)
//   SMOKE_JWT=<jwt> npm run smoke -- https://uploads.example.com    a custom domain routing /api/<name>
//   SMOKE_JWT=<jwt> npm run smoke -- --token-url <url> --sign-url <url>     (or TOKEN_URL, SIGN_URL)
//   SMOKE_JWT=<jwt> npm run smoke -- --s-info s-info.json           the URLs npm run client-config hands clients
//   SMOKE_JWT=<jwt> npm run smoke -- --client-config client.json     the same, from client-config's output
//
// It never prints credentials, the JWT or signed URLs (their query strings are credentials too).

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { type ClientConfig, clientConfigFromSInfo, SInfoError } from '../deploy/s-info';

export class SmokeFailure extends Error {
  override name = 'SmokeFailure';
  constructor(
    readonly step: string,
    message: string,
  ) {
    super(`${step}: ${message}`);
  }
}

export interface SmokeTarget {
  tokenUrl: string;
  signUrl: string;
  /** The development sign-in; only the local runtime has one. */
  loginUrl?: string;
}

export interface SmokeOptions extends SmokeTarget {
  /** A JWT for the deployment's identity provider; without one, the smoke signs in at loginUrl. */
  jwt?: string;
  /** Who signs in at loginUrl. */
  user?: string;
  log?: (line: string) => void;
}

export interface SmokeResult {
  prefix: string;
  key: string;
  bytes: number;
  /** The callback function's answer, as OSS relayed it to the uploader. */
  callback: Record<string, unknown>;
}

/** A local runtime or a custom domain: every function under /api/<name>. */
export function targetFromBase(base: string): SmokeTarget {
  const root = base.replace(/\/+$/, '');
  return { tokenUrl: `${root}/api/token`, signUrl: `${root}/api/sign`, loginUrl: `${root}/api/dev/login` };
}

/** The functions a client configuration names (`npm run client-config`'s output). */
export function targetFromClientConfig(config: ClientConfig): SmokeTarget {
  if ('endpoints' in config) return { tokenUrl: config.endpoints.token, signUrl: config.endpoints.sign };
  return { tokenUrl: new URL('token', config.baseUrl).href, signUrl: new URL('sign', config.baseUrl).href };
}

/** The functions `s info -o json` output describes (anything before the JSON, e.g. a warning, is skipped). */
export function targetFromSInfo(text: string): SmokeTarget {
  try {
    return targetFromClientConfig(clientConfigFromSInfo(text));
  } catch (err) {
    if (err instanceof SInfoError) throw new SmokeFailure('s info', err.message);
    throw err;
  }
}

/** Where a URL points, without its query (a signed URL's query is a credential). */
const place = (url: string) => url.split('?')[0];

async function errorText(res: Response): Promise<string> {
  const text = await res.text().catch(() => '');
  try {
    const { error } = JSON.parse(text) as { error?: { code?: string; message?: string } };
    if (error?.code) return `${res.status} ${error.code}: ${error.message ?? ''}`;
  } catch {
    // OSS answers in XML.
  }
  const xml = (tag: string) => new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(text)?.[1];
  return xml('Code') ? `${res.status} ${xml('Code')}: ${xml('Message') ?? ''}` : `${res.status} ${res.statusText}`;
}

async function call(step: string, url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (err) {
    throw new SmokeFailure(step, `${place(url)} unreachable: ${(err as Error).cause ?? (err as Error).message}`);
  }
}

async function postJson(step: string, url: string, body: unknown, jwt?: string): Promise<Record<string, unknown>> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (jwt) headers.Authorization = `Bearer ${jwt}`;
  const res = await call(step, url, { method: 'POST', headers, body: JSON.stringify(body) });
  if (res.status !== 200) throw new SmokeFailure(step, `${place(url)} answered ${await errorText(res)}`);
  const json: unknown = await res.json().catch(() => undefined);
  if (typeof json !== 'object' || json === null) throw new SmokeFailure(step, `${place(url)} did not answer a JSON object`);
  return json as Record<string, unknown>;
}

function expectFields(step: string, body: Record<string, unknown>, fields: string[]): void {
  const missing = fields.filter((f) => typeof body[f] !== 'string' || body[f] === '');
  if (missing.length > 0) throw new SmokeFailure(step, `the answer lacks ${missing.join(', ')}`);
}

function expectFuture(step: string, field: string, value: unknown): void {
  if (!(Date.parse(String(value)) > Date.now())) throw new SmokeFailure(step, `${field} ${String(value)} is not in the future`);
}

export async function runSmoke(o: SmokeOptions): Promise<SmokeResult> {
  const log = o.log ?? (() => {});

  let jwt = o.jwt;
  if (!jwt) {
    if (!o.loginUrl) throw new SmokeFailure('sign-in', 'give a JWT (--jwt or SMOKE_JWT): only the local runtime has a development sign-in');
    const user = o.user ?? 'smoke-test';
    const login = await postJson('sign-in', o.loginUrl, { user });
    expectFields('sign-in', login, ['token']);
    jwt = login.token as string;
    log(`sign-in    ok: signed in as ${user}`);
  }

  const token = await postJson('token', o.tokenUrl, { access: 'upload' }, jwt);
  expectFields('token', token, ['AccessKeyId', 'AccessKeySecret', 'SecurityToken', 'Expiration', 'bucket', 'region', 'endpoint', 'prefix']);
  if (token.StatusCode !== 200) throw new SmokeFailure('token', `StatusCode is ${String(token.StatusCode)}, the mobile SDKs expect 200`);
  expectFuture('token', 'Expiration', token.Expiration);
  const prefix = token.prefix as string;
  if (!prefix.endsWith('/')) throw new SmokeFailure('token', `prefix ${prefix} does not end with "/"`);
  log(`token      ok: STS credentials for ${token.bucket}/${prefix}, expiring ${token.Expiration}`);

  const body = Buffer.from(`smoke test ${new Date().toISOString()} ${Math.random().toString(36).slice(2)}\n`);
  const put = await postJson('sign put', o.signUrl, { op: 'put', filename: 'smoke.txt', contentType: 'text/plain', size: body.length }, jwt);
  expectFields('sign put', put, ['url', 'key', 'expiresAt']);
  const key = put.key as string;
  if (put.method !== 'PUT' || typeof put.headers !== 'object' || put.headers === null) throw new SmokeFailure('sign put', 'the answer is not a PUT with headers');
  if (!key.startsWith(prefix)) throw new SmokeFailure('sign put', `key ${key} is not under the caller's prefix ${prefix}`);
  expectFuture('sign put', 'expiresAt', put.expiresAt);
  log(`sign put   ok: ${key}`);

  const uploaded = await call('upload', put.url as string, { method: 'PUT', headers: put.headers as Record<string, string>, body });
  if (uploaded.status === 203) throw new SmokeFailure('upload', `OSS stored the object but the callback failed: ${await errorText(uploaded)}`);
  if (uploaded.status !== 200) throw new SmokeFailure('upload', `${place(put.url as string)} answered ${await errorText(uploaded)}`);
  const answer: unknown = await uploaded.json().catch(() => undefined);
  if (typeof answer !== 'object' || answer === null) {
    throw new SmokeFailure('callback', 'the upload answer carries no callback JSON: is CALLBACK_URL set on the sign function?');
  }
  const callback = answer as Record<string, unknown>;
  if (callback.key !== key || callback.size !== body.length) {
    throw new SmokeFailure('callback', `the answer reports ${String(callback.key)} (${String(callback.size)} bytes), not ${key} (${body.length} bytes)`);
  }
  log(`upload     ok: ${body.length} bytes; callback answered for ${key}`);

  const get = await postJson('sign get', o.signUrl, { op: 'get', key }, jwt);
  expectFields('sign get', get, ['url', 'key', 'expiresAt']);
  if (get.method !== 'GET') throw new SmokeFailure('sign get', 'the answer is not a GET');
  const downloaded = await call('download', get.url as string, { headers: (get.headers as Record<string, string>) ?? {} });
  if (downloaded.status !== 200) throw new SmokeFailure('download', `${place(get.url as string)} answered ${await errorText(downloaded)}`);
  const bytes = Buffer.from(await downloaded.arrayBuffer());
  if (!bytes.equals(body)) throw new SmokeFailure('download', `got ${bytes.length} bytes that differ from the ${body.length} uploaded`);
  log(`download   ok: the same ${bytes.length} bytes`);

  return { prefix, key, bytes: body.length, callback };
}

function targetFromArgs(): { target: SmokeTarget; jwt?: string; user?: string } {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      jwt: { type: 'string' },
      user: { type: 'string' },
      'token-url': { type: 'string' },
      'sign-url': { type: 'string' },
      's-info': { type: 'string' },
      'client-config': { type: 'string' },
    },
  });
  const jwt = values.jwt ?? (process.env.SMOKE_JWT || undefined);
  const [base] = positionals;
  if (values['s-info']) return { target: targetFromSInfo(readFileSync(values['s-info'], 'utf8')), jwt };
  if (values['client-config']) return { target: targetFromClientConfig(JSON.parse(readFileSync(values['client-config'], 'utf8')) as ClientConfig), jwt };
  const tokenUrl = values['token-url'] ?? process.env.TOKEN_URL;
  const signUrl = values['sign-url'] ?? process.env.SIGN_URL;
  if (tokenUrl && signUrl) return { target: { tokenUrl, signUrl, ...(base ? { loginUrl: targetFromBase(base).loginUrl } : {}) }, jwt, user: values.user };
  if (!base) throw new SmokeFailure('usage', 'npm run smoke -- <base URL> | --token-url <url> --sign-url <url> | --s-info <file> | --client-config <file>  [--jwt <jwt>] [--user <name>]');
  return { target: targetFromBase(base), jwt, user: values.user };
}

if (require.main === module) {
  (async () => {
    const { target, jwt, user } = targetFromArgs();
    await runSmoke({ ...target, jwt, user, log: (line) => console.log(line) });
    console.log('smoke test passed');
  })().catch((err: unknown) => {
    console.error(err instanceof SmokeFailure ? `smoke test failed at ${err.message}` : err);
    process.exit(1);
  });
}
