// The Android and iOS credential providers of docs/mobile.md, held to the local runtime: both files
// parse as Kotlin and Swift, and the HTTP exchange they make (path, method, headers, body, the fields
// they read, the SDKs' refresh window) is taken from their syntax trees and run against /api/token.

import { readFileSync } from 'node:fs';
import type { LocalRuntime } from '../../local/runtime';
import { setLogSink } from '../../shared/log';
import { MOBILE_SOURCES, type MobileLanguage, providerFacts, type ProviderFacts, syntaxErrors } from '../helpers/mobile-sources';
import { startTestRuntime } from '../helpers/runtime';

const LANGUAGES: MobileLanguage[] = ['kotlin', 'swift'];
const OSS = require('ali-oss') as new (options: Record<string, unknown>) => {
  put(name: string, body: Buffer, options: Record<string, unknown>): Promise<{ res: { status: number }; data: unknown }>;
};

let runtime: LocalRuntime;
let restoreSink: (line: string) => void;
const facts = {} as Record<MobileLanguage, ProviderFacts>;

beforeAll(async () => {
  restoreSink = setLogSink(() => {});
  runtime = await startTestRuntime({ port: 0, ossPort: 0, stsPort: 0 });
  for (const lang of LANGUAGES) facts[lang] = await providerFacts(lang);
});
afterAll(async () => {
  await runtime?.stop();
  setLogSink(restoreSink);
});

/** The request a provider makes, built from its facts: `<expr>` in a header is the app's JWT. */
async function exchange(f: ProviderFacts, jwt: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const headers = Object.fromEntries(Object.entries(f.headers).map(([name, value]) => [name, value.replace('<expr>', jwt)]));
  const body = JSON.stringify(Object.fromEntries(f.bodyKeys.map((k) => [k, 'upload'])));
  const res = await fetch(`${runtime.appUrl}/api${f.path}`, { method: f.method, headers, body });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

test.each(LANGUAGES)('the %s provider parses with no syntax error', async (lang) => {
  expect(await syntaxErrors(lang, readFileSync(MOBILE_SOURCES[lang], 'utf8'))).toEqual([]);
});

test.each(LANGUAGES)('the %s parser finds a syntax error in a damaged copy, so a clean parse means something', async (lang) => {
  const damaged = readFileSync(MOBILE_SOURCES[lang], 'utf8').replace(/\)\s*\{/, ') {{ (');
  expect((await syntaxErrors(lang, damaged)).length).toBeGreaterThan(0);
});

test('the two providers make the same exchange: POST /token with a bearer token, JSON both ways, a 300 s refresh window', () => {
  const { kotlin, swift } = facts;
  expect(kotlin).toEqual({ ...swift, answerFields: expect.arrayContaining(swift.answerFields) });
  expect(kotlin.answerFields.sort()).toEqual(swift.answerFields.sort());
  expect(kotlin).toMatchObject({ path: '/token', method: 'POST', refreshWindowSeconds: 300, bodyKeys: ['access'] });
  expect(kotlin.headers).toMatchObject({ Authorization: 'Bearer <expr>', 'Content-Type': 'application/json' });
});

/** The request a provider makes for the callback /sign pins for `key`, built from its facts. */
async function pinned(f: ProviderFacts, jwt: string, key: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const headers = Object.fromEntries(Object.entries(f.headers).map(([name, value]) => [name, value.replace('<expr>', jwt)]));
  const body = JSON.stringify(Object.fromEntries(Object.entries(f.callback.body).map(([k, v]) => [k, v === '<expr>' ? key : v])));
  const res = await fetch(`${runtime.appUrl}/api${f.callback.path}`, { method: f.method, headers, body });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

test.each(LANGUAGES)('the %s exchange gets every field its provider reads, and credentials that upload with the callback /sign pins', async (lang) => {
  const f = facts[lang];
  const jwt = await runtime.login(`mobile-${lang}`);
  const { status, json } = await exchange(f, jwt);
  expect(status).toBe(200);
  for (const field of f.answerFields.filter((x) => x !== 'error')) expect(typeof json[field]).toBe('string');
  const left = (Date.parse(String(json.Expiration)) - Date.now()) / 1000;
  expect(left).toBeGreaterThan(f.refreshWindowSeconds);

  const client = new OSS({
    endpoint: json.endpoint,
    sldEnable: true,
    bucket: json.bucket,
    region: `oss-${String(json.region)}`,
    accessKeyId: json.AccessKeyId,
    accessKeySecret: json.AccessKeySecret,
    stsToken: json.SecurityToken,
    authorizationV4: true,
    retryMax: 0,
  });
  const key = `${String(json.prefix)}mobile-${lang}.txt`;
  const sign = await pinned(f, jwt, key);
  expect(sign.status).toBe(200);
  const params = sign.json[f.callback.answerField] as { callbackUrl: string; callbackBody: string; callbackBodyType: string };
  const result = await client.put(key, Buffer.from(`from ${lang}`), {
    headers: { 'Content-Type': 'text/plain' },
    callback: { url: params.callbackUrl, body: params.callbackBody, contentType: params.callbackBodyType },
  });
  // What the provider's upload function returns: the callback function's answer, relayed by OSS.
  expect(result.res.status).toBe(200);
  expect(result.data).toMatchObject({ key, size: lang.length + 5, mimeType: 'text/plain', user: `mobile-${lang}` });
});

test.each(LANGUAGES)('the %s exchange without a valid bearer token gets the JSON error its provider reads', async (lang) => {
  const { status, json } = await exchange(facts[lang], 'not-a-jwt');
  expect(status).toBe(401);
  expect(facts[lang].answerFields).toContain('error');
  expect(json.error).toEqual(expect.objectContaining({ code: expect.any(String), message: expect.any(String) }));
});

/**
 * One OSS request per simulated second for three credential lifetimes, the SDK's rule taken from the
 * source: ask the provider when no credentials are cached or fewer than the window's seconds remain; the
 * provider refuses credentials already inside the window (the request then fails and the SDK asks again).
 * Only Date is faked, so the token function's cache and the local STS see the same simulated clock.
 */
async function tokenCallsPerLifetime(f: ProviderFacts, user: string): Promise<{ calls: number[]; failedRequests: number; lifetime: number }> {
  const lifetime = runtime.config().rules.stsDurationSeconds;
  const start = Date.now();
  jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout', 'queueMicrotask', 'hrtime', 'performance'], now: start });
  const calls = [0, 0, 0];
  let failedRequests = 0;
  let expiresAt = 0;
  try {
    for (let second = 0; second < 3 * lifetime; second++) {
      jest.setSystemTime(start + second * 1000);
      if (expiresAt === 0 || (expiresAt - Date.now()) / 1000 < f.refreshWindowSeconds) {
        calls[Math.floor(second / lifetime)]++;
        // The app's sign-in hands it a fresh JWT when it needs one: three lifetimes outlast one JWT.
        const { status, json } = await exchange(f, await runtime.login(user));
        if (status !== 200) throw new Error(`/token answered ${status}`);
        const got = Date.parse(String(json.Expiration));
        if ((got - Date.now()) / 1000 <= f.refreshWindowSeconds) failedRequests++;
        else expiresAt = got;
      }
    }
  } finally {
    jest.useRealTimers();
  }
  return { calls, failedRequests, lifetime };
}

// The token cache hands out credentials only while they last the SDKs' 300 s window plus a minute
// (shared/sts/cache.ts), so a provider is never given credentials it would refuse.
test.each(LANGUAGES)('at one OSS request per second the %s provider calls /token at most twice per credential lifetime', async (lang) => {
  // A user of its own: credentials cached for another simulated clock would last this whole run.
  const { calls, failedRequests, lifetime } = await tokenCallsPerLifetime(facts[lang], `mobile-refresh-${lang}`);
  expect(lifetime).toBe(3600);
  expect(failedRequests).toBe(0);
  for (const n of calls) expect(n).toBeLessThanOrEqual(2);
  expect(calls.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(3);
});

test.each(LANGUAGES)('docs/mobile.md shows the %s provider exactly as the file the tests parse', (lang) => {
  const doc = readFileSync(MOBILE_SOURCES[lang].replace(/mobile\/UploadCredentialProvider\.\w+$/, 'mobile.md'), 'utf8');
  expect(doc).toContain(`\`\`\`${lang}\n${readFileSync(MOBILE_SOURCES[lang], 'utf8')}\`\`\``);
});
