// The client library in Node against a deployment shaped like a default `s deploy`: token and sign
// each on an origin of its own (the client configuration `npm run client-config` writes), every
// upload path to the end, and nothing sent to a route's other host.

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseClientConfig, UploadError, UploadSession } from '../../client';
import type { LocalRuntime } from '../../local/runtime';
import { type FunctionHosts, startFunctionHosts } from '../helpers/function-hosts';
import { startTestRuntime } from '../helpers/runtime';

let runtime: LocalRuntime;
let hosts: FunctionHosts;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'client-endpoints-'));
  runtime = await startTestRuntime({ dataDir });
  hosts = await startFunctionHosts(runtime.appUrl);
});

afterAll(async () => {
  await hosts?.close();
  await runtime?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function sessionFor(user: string): Promise<UploadSession> {
  const jwt = await runtime.login(user);
  // Exactly what `npm run client-config` writes, read back as an app would read the file.
  const config = parseClientConfig(JSON.parse(JSON.stringify({ endpoints: hosts.endpoints })));
  return new UploadSession({ ...config, authToken: () => jwt });
}

test('the two endpoints are different origins', () => {
  expect(new URL(hosts.endpoints.token).origin).not.toBe(new URL(hosts.endpoints.sign).origin);
  expect(new URL(hosts.endpoints.token).origin).not.toBe(new URL(runtime.appUrl).origin);
});

for (const method of ['post', 'put', 'multipart'] as const) {
  test(`${method}: an upload through per-function URLs completes, is listed under its name and downloads intact`, async () => {
    const session = await sessionFor(`endpoints-${method}`);
    const bytes = randomBytes(method === 'multipart' ? 5 * 1024 * 1024 : 300 * 1024);
    const before = { token: hosts.forwarded.token.length, sign: hosts.forwarded.sign.length };
    const file = new File([bytes], '报告 2026 (final).pdf', { type: 'application/pdf' });

    const result = await session.upload(file, { method, partSize: 2 * 1024 * 1024 });

    expect(result).toMatchObject({ method, size: bytes.length });
    expect(hosts.forwarded.sign.length).toBeGreaterThan(before.sign);
    if (method === 'multipart') expect(hosts.forwarded.token.length).toBeGreaterThan(before.token);
    const listed = await session.list();
    expect(listed.map((o) => o.key)).toContain(result.key);
    const { url } = await session.downloadUrl(result.key);
    const downloaded = Buffer.from(await (await fetch(url)).arrayBuffer());
    expect(downloaded.equals(bytes)).toBe(true);
  });
}

test('every request each host forwarded was a POST to its own route', () => {
  expect(hosts.forwarded.token.length).toBeGreaterThan(0);
  expect(hosts.forwarded.sign.length).toBeGreaterThan(0);
  for (const line of [...hosts.forwarded.token, ...hosts.forwarded.sign]) expect(line).toBe('POST /');
});

test.each([
  ['no endpoints object', {}],
  ['a relative token URL', { endpoints: { token: '/api/token', sign: 'https://sign.example/' } }],
  ['a sign URL that is not http(s)', { endpoints: { token: 'https://token.example/', sign: 'ftp://sign.example/' } }],
  ['a missing sign URL', { endpoints: { token: 'https://token.example/' } }],
])('a client configuration with %s is refused as Misconfigured', (_what, json) => {
  expect(() => parseClientConfig(json)).toThrow(expect.objectContaining({ code: 'Misconfigured' }) as UploadError);
});

test('a session given both baseUrl and endpoints is refused as Misconfigured', () => {
  const both = { baseUrl: 'https://api.example/', endpoints: hosts.endpoints, authToken: () => 'jwt' } as unknown as ConstructorParameters<typeof UploadSession>[0];
  expect(() => new UploadSession(both)).toThrow(expect.objectContaining({ code: 'Misconfigured' }) as UploadError);
});
