// The whole flow on one machine: the three handlers behind an FC-shaped gateway, a development
// sign-in, the demo page, and (unless cloud configuration is given) a local OSS and STS that
// enforce the real services' rules.

import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { callbackHandler } from '../functions/callback';
import { signHandler } from '../functions/sign';
import { tokenHandler } from '../functions/token';
import type { ApiErrorCode } from '../shared/api/errors';
import type { ErrorBody } from '../shared/api/types';
import { type Config, ConfigError, type ConfigSource, configFrom, DEFAULTS, type Env } from '../shared/config';
import { prefixTemplateRule } from '../shared/policy/keys';
import { parseJsonObject } from '../shared/json';
import type { FcContext, FcCredentials } from '../shared/http/event';
import type { FcHandler } from '../shared/http/handler';
import { log } from '../shared/log';
import { closeSharedCache } from '../shared/sts';
import { shapesOf } from '../rules/generate';
import { storageRulesOf } from '../rules/load';
import type { ClientConfig } from '../deploy/s-info';
import { createLocalAccount, type FunctionName } from './account';
import { toFcEvent, writeFcResponse } from './fc-event';
import type { IamStore } from './iam/store';
import { startLocalOss } from './oss/server';
import { buildDemoAssets } from './public/assets';
import { startLocalSts } from './sts/server';

/** Where the runtime listens and what it is configured with. */
export interface RuntimeOptions {
  /** App port; 0 picks a free one. */
  port?: number;
  ossPort?: number;
  stsPort?: number;
  /** Where the local OSS keeps objects; a temporary folder by default. */
  dataDir?: string;
  /**
   * The environment the runtime starts from (npm start passes process.env); the runtime's own
   * settings (the local OSS and STS, a generated HS256 secret and callback MAC key) go over it. Never written to.
   */
  baseEnv?: Env;
  /** Settings over everything else (e.g. UPLOAD_MAX_SIZE). */
  env?: Env;
  /** Told of every function invocation the gateway makes, by function and trigger (the bench counts them). */
  onInvoke?: (fn: FunctionName, trigger: 'http' | 'oss') => void;
  /**
   * Serve each function on its own port (0 picks a free one), as `s deploy` gives each its own
   * `*.fcapp.run` origin, instead of under the app's `/api/<name>`. The demo page and the development
   * sign-in stay on the app's port.
   */
  functionPorts?: Record<FunctionName, number>;
}

/** A setting the runtime changed for local use: which, and what it uses instead, in words. */
export interface Override {
  name: string;
  instead: string;
}

/**
 * CORS_ALLOWED_ORIGINS as given, with the demo page's origin added when it is not among them (and `*`
 * does not cover it): the demo must reach the functions and the local OSS from its page.
 */
function corsWithDemo(given: string | undefined, appUrl: string, overrides: Override[]): string {
  const origins = (given ?? '').split(',').map((o) => o.trim()).filter(Boolean);
  if (origins.includes('*') || origins.includes(appUrl)) return origins.join(',');
  if (origins.length > 0) overrides.push({ name: 'CORS_ALLOWED_ORIGINS', instead: `added ${appUrl} (the demo page) to the origins given` });
  return [...origins, appUrl].join(',');
}

/** A running local runtime. */
export interface LocalRuntime {
  appUrl: string;
  /** Undefined in cloud mode. */
  ossUrl?: string;
  stsUrl?: string;
  iam?: IamStore;
  mode: 'local' | 'cloud';
  /** The full URL each function answers POST on: `<app>/api/<name>`, or `<its own origin>/<name>` with functionPorts. */
  functionUrls: Record<FunctionName, string>;
  /** What a client of this runtime is handed, as `npm run client-config` makes it for a deployment. */
  clientConfig: ClientConfig;
  /** Each setting of the given environment the runtime did not take as given, and what it did instead (npm start prints them). */
  overrides: Override[];
  /** The environment the handlers are configured from now (it holds the HS256 secret the sign-in uses and the callback MAC key). */
  readonly env: Env;
  /** The handlers' configuration now. */
  config(): Config;
  /** Change settings of the running handlers (undefined removes one); the next request sees them, with an empty STS cache. */
  reconfigure(changes: Env): void;
  /** A development sign-in's JWT for `user`, carrying `claims` (a team, groups) for the storage rules. */
  login(user: string, claims?: Record<string, unknown>): Promise<string>;
  stop(): Promise<void>;
}
const MAX_BODY = 8 * 1024 * 1024;
const MAX_DRAIN = 64 * 1024 * 1024;
const LOCAL_BUCKET = 'local-uploads';
const LOCAL_REGION = 'cn-hangzhou';
/** Settings the runtime sets itself in local mode, with what it uses instead (the local OSS and STS stand in for the cloud). */
const LOCAL_SETTINGS = ['OSS_ENDPOINT', 'OSS_INTERNAL_ENDPOINT', 'OSS_PATH_STYLE', 'OSS_STORAGE_CLASS', 'STS_ENDPOINT', 'STS_ROLE_ARN', 'CALLBACK_URL', 'CALLBACK_TRUSTED_KEYS', 'CREDENTIAL_CACHE_KEY'] as const;
const FUNCTIONS: readonly FunctionName[] = ['token', 'sign', 'callback'];

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

/** The whole body, or undefined when it is over MAX_BODY (read to the end all the same, so the 413 arrives). */
function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
      else if (size > MAX_DRAIN) req.destroy();
    });
    req.on('end', () => resolve(size > MAX_BODY ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store', ...headers });
  res.end(text);
}

/** The runtime's own refusals, in the same shape and with the same codes as the handlers'. */
function sendError(res: ServerResponse, status: number, code: ApiErrorCode, message: string, headers: Record<string, string> = {}): void {
  const requestId = randomUUID();
  const body: ErrorBody<ApiErrorCode> = { error: { code, message, requestId } };
  sendJson(res, status, body, { 'X-Request-Id': requestId, ...headers });
}

function isCloudConfigured(env: Env): boolean {
  return Boolean(env.OSS_BUCKET && env.ALIBABA_CLOUD_ACCESS_KEY_ID && env.ALIBABA_CLOUD_ACCESS_KEY_SECRET);
}

/**
 * Start the gateway, the demo page and, unless `env` names a cloud bucket and AccessKey, a local OSS
 * and STS; the three handlers are configured from an environment the runtime builds (never process.env).
 */
export async function startLocalRuntime(opts: RuntimeOptions = {}): Promise<LocalRuntime> {
  const given: Env = { ...opts.baseEnv, ...opts.env };
  const cloud = isCloudConfigured(given);
  const app = createServer();
  const appPort = await listen(app, opts.port ?? 0);
  const appUrl = `http://localhost:${appPort}`;
  // With functionPorts, a server of its own for each function, listening before anything is configured with its URL.
  const functionServers = new Map<FunctionName, Server>();
  const functionUrls = { token: `${appUrl}/api/token`, sign: `${appUrl}/api/sign`, callback: `${appUrl}/api/callback` };
  if (opts.functionPorts) {
    for (const fn of FUNCTIONS) {
      const server = createServer();
      functionUrls[fn] = `http://localhost:${await listen(server, opts.functionPorts[fn])}/${fn}`;
      functionServers.set(fn, server);
    }
  }
  const clientConfig: ClientConfig = opts.functionPorts ? { endpoints: { token: functionUrls.token, sign: functionUrls.sign } } : { baseUrl: `${appUrl}/api/` };
  const hs256Secret = given.AUTH_HS256_SECRET ?? randomBytes(32).toString('base64url');
  // The functions' own secret for the callbacks /sign pins: made afresh for each run, as an operator makes one per deployment.
  const callbackMacKey = given.CALLBACK_MAC_KEY ?? randomBytes(32).toString('base64');
  // With a shared credential cache (CREDENTIAL_CACHE_URL, e.g. a local redis-server), the key its entries are encrypted with.
  const credentialCacheKey = () => (given.CREDENTIAL_CACHE_URL ? { CREDENTIAL_CACHE_KEY: randomBytes(32).toString('base64') } : {});

  let credentialsFor: (fn: FunctionName) => FcCredentials;
  let stopServices = async () => {};
  let ossUrl: string | undefined;
  let stsUrl: string | undefined;
  let iam: IamStore | undefined;
  let env: Env;
  const overrides: Override[] = [];

  if (cloud) {
    const creds = { accessKeyId: given.ALIBABA_CLOUD_ACCESS_KEY_ID!, accessKeySecret: given.ALIBABA_CLOUD_ACCESS_KEY_SECRET!, securityToken: given.ALIBABA_CLOUD_SECURITY_TOKEN };
    credentialsFor = () => creds;
    env = { ...credentialCacheKey(), ...opts.baseEnv, AUTH_HS256_SECRET: hs256Secret, CALLBACK_MAC_KEY: callbackMacKey, ...opts.env };
  } else {
    // The upload role's rules are written for the prefix the functions read: {uid} spelled as ${uid}.
    const prefix = prefixTemplateRule(given.UPLOAD_PREFIX?.trim() || DEFAULTS.UPLOAD_PREFIX, (expected) => {
      throw new ConfigError('UPLOAD_PREFIX', expected);
    });
    const bucket = given.OSS_BUCKET?.trim() || LOCAL_BUCKET;
    const region = given.OSS_REGION?.trim().replace(/^oss-/, '') || LOCAL_REGION;
    // The upload role holds what the storage rules in use generate, unless UPLOAD_PREFIX stands in for them.
    const rules = given.UPLOAD_PREFIX === undefined ? shapesOf(storageRulesOf(given)) : undefined;
    const account = createLocalAccount(bucket, prefix, { callbackDeletes: given.CALLBACK_ON_VIOLATION?.trim().toLowerCase() === 'delete', rules });
    iam = account.iam;
    credentialsFor = (fn) => account.credentialsFor(fn);
    const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'oss-local-'));
    mkdirSync(dataDir, { recursive: true });
    const corsOrigins = opts.env?.CORS_ALLOWED_ORIGINS ?? corsWithDemo(given.CORS_ALLOWED_ORIGINS, appUrl, overrides);
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const sts = await startLocalSts({ iam, port: opts.stsPort ?? 0 });
    const oss = await startLocalOss({
      iam,
      dataDir,
      region,
      buckets: [bucket],
      corsOrigins: corsOrigins.split(','),
      callbackPrivateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      port: opts.ossPort ?? 0,
      onObjectCreated: (event) => invokeEvent(event),
    });
    ossUrl = oss.url;
    stsUrl = sts.url;
    stopServices = async () => {
      await oss.close();
      await sts.close();
    };
    env = {
      ...opts.baseEnv,
      OSS_BUCKET: bucket,
      OSS_REGION: region,
      OSS_ENDPOINT: oss.url,
      OSS_INTERNAL_ENDPOINT: oss.url,
      OSS_PATH_STYLE: 'true',
      // The local bucket's class: a cloud bucket's, given here, would make the callback refuse every upload.
      OSS_STORAGE_CLASS: 'Standard',
      STS_ENDPOINT: sts.url,
      STS_ROLE_ARN: account.uploadRoleArn,
      CALLBACK_URL: functionUrls.callback,
      CALLBACK_TRUSTED_KEYS: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      AUTH_HS256_SECRET: hs256Secret,
      CALLBACK_MAC_KEY: callbackMacKey,
      // The local STS and OSS live as long as this run: always a key of this run's own, so the
      // credentials an earlier run left in Redis (unknown to this run's STS) are never read.
      ...credentialCacheKey(),
      CORS_ALLOWED_ORIGINS: corsOrigins,
      ...opts.env,
    };
    const local: Record<(typeof LOCAL_SETTINGS)[number], string> = {
      OSS_ENDPOINT: `the local OSS, ${oss.url}`,
      OSS_INTERNAL_ENDPOINT: `the local OSS, ${oss.url}`,
      OSS_PATH_STYLE: 'true (the local OSS takes the bucket in the path)',
      OSS_STORAGE_CLASS: "Standard, the local bucket's storage class",
      STS_ENDPOINT: `the local STS, ${sts.url}`,
      STS_ROLE_ARN: `the local upload role, ${account.uploadRoleArn}`,
      CALLBACK_URL: `the local callback function, ${functionUrls.callback}`,
      CALLBACK_TRUSTED_KEYS: "the local OSS's callback key",
      CREDENTIAL_CACHE_KEY: "a key of this run's own (the local STS's credentials die with it)",
    };
    for (const name of LOCAL_SETTINGS) {
      if (opts.baseEnv?.[name]?.trim() && opts.env?.[name] === undefined && (name !== 'CREDENTIAL_CACHE_KEY' || given.CREDENTIAL_CACHE_URL)) {
        overrides.push({ name, instead: `${local[name]} (give OSS_BUCKET and an AccessKey to use the cloud)` });
      }
    }
  }

  // One configuration for the three handlers, replaced whole when a setting changes.
  // The storage rules file STORAGE_RULES names (storage.rules.yaml by default), read at start: a
  // problem in it stops the run with its line.
  let current = configFrom(env, storageRulesOf(env));
  const config: ConfigSource = () => current();
  /** Close the shared credential cache's connection of the configuration in use, if it has one. */
  const closeCache = async () => {
    let inUse: Config;
    try {
      inUse = current();
    } catch {
      return;
    }
    await closeSharedCache(inUse);
  };
  const handlers: Record<FunctionName, FcHandler> = { token: tokenHandler(config), sign: signHandler(config), callback: callbackHandler(config) };

  const context = (fn: FunctionName, requestId: string): FcContext => ({
    requestId,
    credentials: credentialsFor(fn),
    function: { name: fn },
    region: env.OSS_REGION,
  });

  async function invokeEvent(event: Buffer): Promise<void> {
    const requestId = randomUUID();
    opts.onInvoke?.('callback', 'oss');
    try {
      await handlers.callback(event, context('callback', requestId));
    } catch (err) {
      log('error', { fn: 'callback', requestId, error: err instanceof Error ? err.name : 'unknown', source: 'oss-event' });
    }
  }

  async function login(user: string, claims: Record<string, unknown> = {}): Promise<string> {
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(user)
      .setIssuer('local-dev-login')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(hs256Secret));
  }

  const assets = await buildDemoAssets();

  /**
   * What the demo page reads from its own origin before anything else (same-origin, so always readable):
   * the client configuration, and whether the page's origin may call the functions and the local OSS.
   * A browser refuses a CORS answer without saying why to the page ("network connection failed"), so
   * the page is told here, with the fix.
   */
  function pageConfig(req: IncomingMessage): { client: ClientConfig; origin: string; allowed: boolean; fix?: string } {
    const origin = `http://${req.headers.host ?? `localhost:${appPort}`}`;
    let allowed: readonly string[] = [];
    try {
      allowed = config().corsOrigins;
    } catch {
      // A broken configuration is reported by the functions themselves.
    }
    if (allowed.includes('*') || allowed.includes(origin)) return { client: clientConfig, origin, allowed: true };
    const fix = `This page's origin, ${origin}, is not in CORS_ALLOWED_ORIGINS (${allowed.join(', ') || 'empty'}), so browsers refuse its calls to the functions and uploads to OSS: open ${appUrl}/ instead, or add ${origin} to CORS_ALLOWED_ORIGINS and restart.`;
    return { client: clientConfig, origin, allowed: false, fix };
  }

  /** An HTTP trigger's invocation: the whole request to the function, which answers 404 for a path it does not serve. */
  async function invokeHttp(fn: FunctionName, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    if (body === undefined) return sendError(res, 413, 'PayloadTooLarge', `the body must be at most ${MAX_BODY} bytes`, { Connection: 'close' });
    const requestId = randomUUID();
    opts.onInvoke?.(fn, 'http');
    writeFcResponse(res, await handlers[fn](toFcEvent(req, body, requestId), context(fn, requestId)));
  }

  for (const [fn, server] of functionServers) {
    server.on('request', (req, res) => {
      invokeHttp(fn, req, res).catch(() => {
        log('error', { fn: 'local-runtime', error: 'invocation failed' });
        if (!res.headersSent) sendError(res, 500, 'InternalError', 'internal error');
        else res.destroy();
      });
    });
  }

  app.on('request', async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', appUrl);
      const fn = /^\/api\/(token|sign|callback)\/?$/.exec(url.pathname)?.[1] as FunctionName | undefined;
      // With functions on their own ports, /api/<name> is not served: a client must use their URLs.
      if (fn && !opts.functionPorts) return await invokeHttp(fn, req, res);
      if (url.pathname === '/api/dev/config') return sendJson(res, 200, pageConfig(req));
      if (url.pathname === '/api/dev/login') {
        if (req.method !== 'POST') return sendError(res, 405, 'MethodNotAllowed', 'use POST', { Allow: 'POST' });
        const body = await readBody(req);
        if (body === undefined) return sendError(res, 413, 'PayloadTooLarge', `the body must be at most ${MAX_BODY} bytes`, { Connection: 'close' });
        let user: unknown;
        try {
          user = parseJsonObject(body.toString('utf8')).user;
        } catch {
          return sendError(res, 400, 'MalformedJson', 'send {"user":"<name>"}');
        }
        if (typeof user !== 'string' || user.length < 1 || user.length > 64) {
          return sendError(res, 400, 'InvalidUser', 'user must be a string of 1 to 64 characters');
        }
        return sendJson(res, 200, { token: await login(user), user });
      }
      const asset = assets.get(url.pathname === '/' ? '/index.html' : url.pathname);
      if (asset && (req.method === 'GET' || req.method === 'HEAD')) {
        res.writeHead(200, { 'Content-Type': asset.type, 'Content-Length': asset.body.length, 'Cache-Control': 'no-cache' });
        return res.end(req.method === 'HEAD' ? undefined : asset.body);
      }
      sendError(res, 404, 'NotFound', `no route for ${url.pathname}`);
    } catch (err) {
      log('error', { fn: 'local-runtime', error: err instanceof Error ? err.name : 'unknown' });
      if (!res.headersSent) sendError(res, 500, 'InternalError', 'internal error');
      else res.destroy();
    }
  });

  return {
    appUrl,
    ossUrl,
    stsUrl,
    iam,
    mode: cloud ? 'cloud' : 'local',
    functionUrls,
    clientConfig,
    overrides,
    get env() {
      return env;
    },
    config,
    reconfigure(changes) {
      void closeCache();
      env = { ...env, ...changes };
      for (const [name, value] of Object.entries(changes)) if (value === undefined) delete env[name];
      current = configFrom(env, storageRulesOf(env));
    },
    login,
    async stop() {
      await closeCache();
      for (const server of [app, ...functionServers.values()]) {
        server.closeAllConnections();
        await new Promise<void>((r) => server.close(() => r()));
      }
      await stopServices();
    },
  };
}
