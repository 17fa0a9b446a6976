// The local runtime with a local redis-server as its shared credential cache: `npm start` with
// CREDENTIAL_CACHE_URL says where it caches and writes only ciphertext there; and a handler
// configuration that starts with an empty memory (a new instance) is served the credential another
// left in Redis, which the local OSS accepts for an upload.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalRuntime } from '../../local/runtime';
import { setLogSink } from '../../shared/log';
import { type NpmStart, registerSecretsFromFetch, startNpmStart } from '../helpers/npm-start';
import { startTestRuntime } from '../helpers/runtime';
import { type RunningRedis, startRedis } from './helpers/redis-server';

let redis: RunningRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(() => redis?.stop());

const cacheEntries = async () => (await redis.contents()).filter((c) => c.key.startsWith('oss-upload:sts:v1:{'));

describe('npm start with CREDENTIAL_CACHE_URL', () => {
  let app: NpmStart;
  let dataDir: string;
  let restoreFetch: () => void;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'npm-start-redis-'));
    app = await startNpmStart(dataDir, { CREDENTIAL_CACHE_URL: redis.url });
    restoreFetch = registerSecretsFromFetch();
  }, 60_000);
  afterAll(async () => {
    restoreFetch?.();
    await app?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('says where it caches credentials, and a /token call leaves one sealed entry in Redis', async () => {
    expect(app.banner).toContain(`credential cache shared through redis://127.0.0.1:${redis.port}/0`);
    const before = (await cacheEntries()).length;
    const { token: jwt } = (await (await fetch(`${app.appUrl}/api/dev/login`, { method: 'POST', body: JSON.stringify({ user: 'npm-start-redis' }) })).json()) as { token: string };
    const res = await fetch(`${app.appUrl}/api/token`, { method: 'POST', headers: { Authorization: `Bearer ${jwt}` }, body: '{"access":"upload"}' });
    const body = (await res.json()) as { AccessKeyId: string; AccessKeySecret: string };
    expect(res.status).toBe(200);
    const entries = await cacheEntries();
    expect(entries.length).toBe(before + 1);
    expect(entries.map((e) => e.value.toString('latin1')).join('')).not.toContain(body.AccessKeySecret.slice(0, 8));
  });
});

describe('the local runtime in-process', () => {
  let rt: LocalRuntime;
  const lines: Record<string, unknown>[] = [];
  let restoreSink: (line: string) => void;
  beforeAll(async () => {
    restoreSink = setLogSink((line) => lines.push(JSON.parse(line) as Record<string, unknown>));
    rt = await startTestRuntime({ env: { CREDENTIAL_CACHE_URL: redis.url } });
  });
  afterAll(async () => {
    await rt?.stop();
    setLogSink(restoreSink);
  });

  test('a new configuration (an instance with an empty memory) is served from Redis, and the credential uploads', async () => {
    const jwt = await rt.login('shared-locally');
    const token = async () => {
      const res = await fetch(`${rt.appUrl}/api/token`, { method: 'POST', headers: { Authorization: `Bearer ${jwt}` }, body: '{"access":"upload"}' });
      return { status: res.status, body: (await res.json()) as { AccessKeyId: string } };
    };
    const first = await token();
    expect(first.status).toBe(200);
    expect(lines.filter((l) => l.fn === 'token').at(-1)).toMatchObject({ cache: 'miss', stsCalls: 1 });

    rt.reconfigure({ UPLOAD_MAX_SIZE: '1048576' });
    const second = await token();
    expect(second.body.AccessKeyId).toBe(first.body.AccessKeyId);
    expect(lines.filter((l) => l.fn === 'token').at(-1)).toMatchObject({ cache: 'shared', stsCalls: 0 });

    // /sign's put asks for the same scope: the same credential signs, and the local OSS takes it.
    const signed = await fetch(`${rt.appUrl}/api/sign`, { method: 'POST', headers: { Authorization: `Bearer ${jwt}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ op: 'put', contentType: 'text/plain', size: 5 }) });
    const { url, headers } = (await signed.json()) as { url: string; headers: Record<string, string> };
    expect(url).toContain(encodeURIComponent(first.body.AccessKeyId));
    const put = await fetch(url, { method: 'PUT', headers, body: 'hello' });
    expect(put.status).toBe(200);
  });
});
