// `npm start` takes the settings it is given: what it must change for local use it says on start, and a
// demo page opened on an origin it does not allow is told why its uploads would fail and what to do.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSmoke, targetFromBase, targetFromClientConfig } from '../../scripts/smoke';
import { type NpmStart, registerSecretsFromFetch, startNpmStart } from '../helpers/npm-start';

let dataDir: string;
let restoreFetch: () => void;
const started: NpmStart[] = [];

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'npm-start-settings-'));
  restoreFetch = registerSecretsFromFetch();
});

afterAll(async () => {
  restoreFetch?.();
  for (const app of started) await app.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function start(env: Record<string, string>): Promise<NpmStart> {
  const app = await startNpmStart(mkdtempSync(join(dataDir, 'run-')), env);
  started.push(app);
  return app;
}

describe('with settings of its own', () => {
  let app: NpmStart;

  beforeAll(async () => {
    app = await start({
      CORS_ALLOWED_ORIGINS: 'https://app.example.com',
      UPLOAD_PREFIX: 'files/{uid}/',
      OSS_BUCKET: 'my-photos',
      OSS_ENDPOINT: 'https://oss-cn-hangzhou.aliyuncs.com',
      OSS_STORAGE_CLASS: 'IA',
    });
  }, 60_000);

  test('says which settings it overrides for local use and with what', () => {
    expect(app.banner).toMatch(/overridden\s+OSS_ENDPOINT: the local OSS, http:\/\/localhost:\d+ \(give OSS_BUCKET and an AccessKey to use the cloud\)/);
    expect(app.banner).toMatch(/overridden\s+OSS_STORAGE_CLASS: Standard, the local bucket's storage class/);
    expect(app.banner).toContain(`overridden       CORS_ALLOWED_ORIGINS: added ${app.appUrl} (the demo page) to the origins given`);
    expect(app.banner).toMatch(/local OSS\s+http:\/\/localhost:\d+\s+\(bucket my-photos, region cn-hangzhou\)/);
    expect(app.banner).not.toMatch(/overridden\s+(UPLOAD_PREFIX|OSS_BUCKET)/);
  });

  test('keeps the CORS origins given, beside the demo page\'s', async () => {
    const preflight = (origin: string) => fetch(`${app.appUrl}/api/token`, { method: 'OPTIONS', headers: { Origin: origin, 'Access-Control-Request-Method': 'POST' } });
    expect((await preflight('https://app.example.com')).headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect((await preflight(app.appUrl)).headers.get('access-control-allow-origin')).toBe(app.appUrl);
    expect((await preflight('https://other.example.com')).headers.get('access-control-allow-origin')).toBeNull();
  });

  test('uploads under the UPLOAD_PREFIX given ({uid} spelled either way), into the bucket given', async () => {
    const result = await runSmoke({ ...targetFromBase(app.appUrl), user: 'prefix-user' });
    expect(result.key.startsWith('files/prefix-user/')).toBe(true);
    expect(result.callback).toMatchObject({ key: result.key });
    const { token: jwt } = (await (await fetch(`${app.appUrl}/api/dev/login`, { method: 'POST', body: '{"user":"prefix-user"}' })).json()) as { token: string };
    const token = await fetch(`${app.appUrl}/api/token`, { method: 'POST', headers: { Authorization: `Bearer ${jwt}` }, body: '{"access":"upload"}' });
    expect(await token.json()).toMatchObject({ bucket: 'my-photos', prefix: 'files/prefix-user/' });
  }, 30_000);
});

test('refuses to start on a setting the functions would refuse, naming it', async () => {
  await expect(start({ CORS_ALLOWED_ORIGINS: 'https://app.example.com/' })).rejects.toThrow(/failed to start: CORS_ALLOWED_ORIGINS: "https:\/\/app.example.com\/" is not an origin/);
}, 60_000);

describe('with LOCAL_PER_FUNCTION_URLS=true', () => {
  let app: NpmStart;

  beforeAll(async () => {
    app = await start({ LOCAL_PER_FUNCTION_URLS: 'true' });
  }, 60_000);

  test('serves each function on its own origin, prints the client configuration, and the smoke passes with it', async () => {
    const printed = /client config\s+(\{.*\})/.exec(app.banner)?.[1];
    const config = JSON.parse(printed ?? 'null') as { endpoints: { token: string; sign: string } };
    expect(new URL(config.endpoints.token).origin).not.toBe(new URL(config.endpoints.sign).origin);
    expect(new URL(config.endpoints.token).origin).not.toBe(app.appUrl);
    const result = await runSmoke({ ...targetFromClientConfig(config), loginUrl: `${app.appUrl}/api/dev/login`, user: 'split-user' });
    expect(result.callback).toMatchObject({ key: result.key, user: 'split-user' });
  }, 30_000);
});

describe('the demo page on an origin it does not allow', () => {
  let app: NpmStart;

  beforeAll(async () => {
    app = await start({});
  }, 60_000);

  test('is told, from its own origin, that browsers will refuse its calls, and how to fix it', async () => {
    const port = new URL(app.appUrl).port;
    const page = (await (await fetch(`http://127.0.0.1:${port}/api/dev/config`)).json()) as { allowed: boolean; fix: string };
    expect(page.allowed).toBe(false);
    expect(page.fix).toContain(`This page's origin, http://127.0.0.1:${port}, is not in CORS_ALLOWED_ORIGINS`);
    expect(page.fix).toContain(`open ${app.appUrl}/ instead, or add http://127.0.0.1:${port} to CORS_ALLOWED_ORIGINS`);
  });

  test('is told nothing on the origin it was started for', async () => {
    expect(await (await fetch(`${app.appUrl}/api/dev/config`)).json()).toMatchObject({ allowed: true, client: { baseUrl: `${app.appUrl}/api/` } });
  });
});
