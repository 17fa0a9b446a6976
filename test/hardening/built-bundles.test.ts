// The functions as deployed: the bundles `npm run build` writes, each invoked in a fresh Node process
// of its own (a cold start) against the local STS and OSS. The bundles differ from the sources the
// other tests run: pop-core's json-bigint, debug, node:assert and node:zlib are our substitutes there
// (POP_CORE_SUBSTITUTES in scripts/bundle-options.ts). So AssumeRole's answers, good and bad, are read
// here through what is deployed, and the credentials are put to use with OSS.

import { spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { createLocalAccount, type FunctionName, type LocalAccount } from '../../local/account';
import { httpEvent, toFcEvent, writeFcResponse } from '../../local/fc-event';
import { type LocalOss, startLocalOss } from '../../local/oss/server';
import { type LocalSts, startLocalSts } from '../../local/sts/server';
import { buildFunctions } from '../../scripts/build';
import type { Env } from '../../shared/config';
import type { HttpResponse } from '../../shared/http/response';
import { presignObjectUrl } from '../../shared/signer/presign';
import { collectJsonLog } from '../helpers/json-log';
import { noteConfiguredEnv, recordLine, registerSecret } from '../setup/leaks';

const BUCKET = 'local-uploads';
const REGION = 'cn-hangzhou';
const HS256 = randomBytes(32).toString('base64url');

let bundles: string;
let dataDir: string;
let account: LocalAccount;
let sts: LocalSts;
let oss: LocalOss;
let gateway: Server;
let env: Env;

// Invoked in the child: the bundle, one event from stdin, the response on fd 3; the log line on stdout.
const CHILD = `
const chunks = [];
process.stdin.on('data', (c) => chunks.push(c));
process.stdin.on('end', () => {
  const { event, context } = JSON.parse(Buffer.concat(chunks).toString());
  const { handler } = require(process.argv[1]);
  Promise.resolve(handler(Buffer.from(event, 'base64'), context)).then((r) => require('fs').writeSync(3, JSON.stringify(r)));
});
`;

interface Invocation {
  response: HttpResponse;
  log: Record<string, unknown>[];
  /** What the process wrote to stderr (FC puts it in the function's log too). */
  stderr: string;
}

/** One event to a fresh process running the function's built bundle, configured from `env` (with `changes` over it). */
function invoke(fn: FunctionName, event: Buffer, changes: Env = {}, credentials = account.credentialsFor(fn)): Promise<Invocation> {
  registerSecret(credentials.accessKeySecret, credentials.securityToken);
  noteConfiguredEnv(changes);
  const child = spawn(process.execPath, ['-e', CHILD, join(bundles, fn, 'index.js')], {
    cwd: tmpdir(),
    env: { PATH: process.env.PATH, ...env, ...changes },
    stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
  });
  const { log, flush } = collectJsonLog(child.stdout);
  let errors = '';
  child.stderr.on('data', (c: Buffer) => {
    recordLine(c.toString());
    errors += c.toString();
  });
  let answer = '';
  child.stdio[3]!.on('data', (c: Buffer) => (answer += c.toString()));
  child.stdin.end(JSON.stringify({ event: event.toString('base64'), context: { requestId: `built-${fn}`, credentials, function: { name: fn }, region: REGION } }));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      flush();
      if (!answer) return reject(new Error(`the ${fn} bundle exited (${code}) without answering: ${errors.slice(0, 500)}`));
      resolve({ response: JSON.parse(answer) as HttpResponse, log, stderr: errors });
    });
  });
}

const jwt = (user: string) => new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(user).setIssuedAt().setExpirationTime('1h').sign(new TextEncoder().encode(HS256));
const post = async (path: string, user: string, body: object) => httpEvent({ path, headers: { Authorization: `Bearer ${await jwt(user)}` }, body });
const json = (r: HttpResponse) => JSON.parse(r.body) as Record<string, unknown> & { error?: { code: string } };

/** A server in front of nothing but the answer given (an STS that is down behind a gateway, say). */
function answering(status: number, type: string, body: string): Promise<{ url: string; close(): void }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(status, { 'Content-Type': type }).end(body));
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ url: `http://localhost:${(server.address() as AddressInfo).port}`, close: () => server.close() })),
  );
}

beforeAll(async () => {
  bundles = mkdtempSync(join(tmpdir(), 'built-bundles-'));
  dataDir = mkdtempSync(join(tmpdir(), 'built-bundles-oss-'));
  await buildFunctions(bundles);
  account = createLocalAccount(BUCKET, 'users/${uid}/');
  sts = await startLocalSts({ iam: account.iam });
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  oss = await startLocalOss({
    iam: account.iam,
    dataDir,
    region: REGION,
    buckets: [BUCKET],
    corsOrigins: [],
    callbackPrivateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  });
  // The callback URL OSS calls: each call becomes an FC event for a fresh process of the callback bundle.
  gateway = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      invoke('callback', toFcEvent(req, Buffer.concat(chunks), 'built-callback')).then(
        ({ response }) => writeFcResponse(res, response),
        () => res.writeHead(502).end(),
      );
    });
  });
  const gatewayPort = await new Promise<number>((resolve) => gateway.listen(0, '127.0.0.1', () => resolve((gateway.address() as AddressInfo).port)));
  env = {
    OSS_BUCKET: BUCKET,
    OSS_REGION: REGION,
    OSS_ENDPOINT: oss.url,
    OSS_PATH_STYLE: 'true',
    STS_ENDPOINT: sts.url,
    STS_ROLE_ARN: account.uploadRoleArn,
    AUTH_HS256_SECRET: HS256,
    CALLBACK_URL: `http://localhost:${gatewayPort}/callback`,
    CALLBACK_MAC_KEY: randomBytes(32).toString('base64'),
    CALLBACK_TRUSTED_KEYS: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
  noteConfiguredEnv(env);
}, 120_000);

afterAll(async () => {
  await new Promise((resolve) => gateway.close(resolve));
  await oss.close();
  await sts.close();
  rmSync(bundles, { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
});

test('the built token bundle vends credentials from the local STS that OSS accepts for the caller', async () => {
  const { response } = await invoke('token', await post('/token', 'alice', { access: 'upload' }));
  expect(response.statusCode).toBe(200);
  const c = json(response) as { AccessKeyId: string; AccessKeySecret: string; SecurityToken: string; Expiration: string };
  registerSecret(c.AccessKeySecret, c.SecurityToken);
  const credentials = { accessKeyId: c.AccessKeyId, accessKeySecret: c.AccessKeySecret, securityToken: c.SecurityToken };
  const put = (key: string) => {
    const headers = { 'Content-Type': 'text/plain' };
    const url = presignObjectUrl({ bucket: BUCKET, region: REGION, endpoint: oss.url, pathStyle: true, version: 'v4' }, { method: 'PUT', key, headers, query: [] }, credentials, new Date(), 60);
    return fetch(url, { method: 'PUT', headers, body: 'hello' }).then((r) => r.status);
  };
  expect(await put('users/alice/from-token.txt')).toBe(200);
  expect(await put('users/bob/from-token.txt')).toBe(403);
});

test('an upload through the built bundles: sign answers a URL OSS accepts, and the callback confirms it and answers a download URL', async () => {
  const { response } = await invoke('sign', await post('/sign', 'alice', { op: 'put', key: 'users/alice/built.txt', contentType: 'text/plain', size: 5 }));
  expect(response.statusCode).toBe(200);
  const plan = json(response) as { url: string; headers: Record<string, string> };
  // OSS calls the callback bundle (HeadObject, and AssumeRole for the owner's download scope) before it answers the PUT.
  const uploaded = await fetch(plan.url, { method: 'PUT', headers: plan.headers, body: 'hello' });
  const answer = (await uploaded.json()) as { key: string; size: number; url: string | null };
  expect([uploaded.status, answer.key, answer.size]).toEqual([200, 'users/alice/built.txt', 5]);
  const download = await fetch(answer.url!);
  expect([download.status, await download.text()]).toEqual([200, 'hello']);
});

test('with DEBUG=httpx:* set, the built token bundle writes nothing of its AssumeRole exchange to the log', async () => {
  const { response, log, stderr } = await invoke('token', await post('/token', 'alice', { access: 'upload' }), { DEBUG: 'httpx:*,*' });
  expect(response.statusCode).toBe(200);
  const c = json(response) as { AccessKeySecret: string; SecurityToken: string };
  registerSecret(c.AccessKeySecret, c.SecurityToken);
  // httpx would write both bodies (the function's key id and token, the credentials STS vends) through debug.
  expect(stderr).toBe('');
  expect(log).toHaveLength(1);
});

test("STS's refusal, read through the built bundle, is the operator's error it names: 500 StsRoleNotFound", async () => {
  const { response, log } = await invoke('token', await post('/token', 'alice', { access: 'upload' }), { STS_ROLE_ARN: account.uploadRoleArn.replace('oss-upload', 'oss-upload-typo') });
  expect([response.statusCode, json(response).error?.code]).toEqual([500, 'StsRoleNotFound']);
  expect(log.at(-1)).toMatchObject({ stsFailure: 'api', stsCode: 'EntityNotExist.Role', stsStatus: 404 });
});

test('an STS answer that is not JSON (a gateway page) is a 503 StsUnavailable from the built bundle, retried and logged as malformed', async () => {
  const down = await answering(502, 'text/html', '<html><body>502 Bad Gateway</body></html>');
  try {
    const { response, log } = await invoke('token', await post('/token', 'alice', { access: 'upload' }), { STS_ENDPOINT: down.url });
    expect([response.statusCode, json(response).error?.code]).toEqual([503, 'StsUnavailable']);
    expect(log.at(-1)).toMatchObject({ stsFailure: 'malformed', stsAttempts: 3 });
  } finally {
    down.close();
  }
});
