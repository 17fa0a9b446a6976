// The client library in Chromium against a deployment shaped like a default `s deploy`: the page on
// one origin, token and sign each on another (loopback ports standing in for the functions'
// *.fcapp.run hosts), so every call to them is cross-origin and Chromium enforces CORS.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type * as ClientLibrary from '../../client';
import { launchChromium, RUNTIME_ENV, signIn } from './fixtures';
import { type FunctionHosts, startFunctionHosts } from '../helpers/function-hosts';
import { type NpmStart, registerAnswerSecrets, startNpmStart } from '../helpers/npm-start';

let runtime: NpmStart;
let hosts: FunctionHosts;
let browser: Browser;
let work: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'browser-endpoints-'));
  runtime = await startNpmStart(join(work, 'oss'), RUNTIME_ENV);
  hosts = await startFunctionHosts(runtime.appUrl);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await hosts?.close();
  await runtime?.stop();
  rmSync(work, { recursive: true, force: true });
});

/** A signed-in demo page at `pageUrl`, with the token host's answers told to the log audit. */
async function pageAt(pageUrl: string, user: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  context.on('response', (res) => {
    const url = new URL(res.url());
    if (url.origin === new URL(hosts.endpoints.token).origin || url.pathname === '/api/dev/login') {
      void res.json().then(registerAnswerSecrets, () => undefined);
    }
  });
  const page = await context.newPage();
  await signIn(page, pageUrl, user);
  return { context, page };
}

interface Outcome {
  ok: boolean;
  code?: string;
  method?: string;
  size?: number;
  listed?: boolean;
  downloadedSha256?: string;
  sentSha256?: string;
}

/** In the page: the library with the per-function endpoints, one upload of `size` random bytes, then list and download it. */
function uploadInPage(page: Page, method: 'post' | 'put' | 'multipart', size: number): Promise<Outcome> {
  return page.evaluate(
    async ([endpoints, m, n]) => {
      type Demo = { ossDemo: { lib: typeof ClientLibrary } };
      const { UploadSession } = (window as unknown as Demo).ossDemo.lib;
      const { token } = JSON.parse(sessionStorage.getItem('oss-demo-sign-in')!) as { token: string };
      const hex = async (b: ArrayBuffer) => Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', b)), (x) => x.toString(16).padStart(2, '0')).join('');
      const bytes = new Uint8Array(n);
      for (let i = 0; i < n; i += 65536) crypto.getRandomValues(bytes.subarray(i, Math.min(n, i + 65536)));
      const session = new UploadSession({ endpoints, authToken: () => token });
      try {
        const result = await session.upload(new File([bytes], 'cross-origin.bin', { type: 'application/octet-stream' }), { method: m, partSize: 2 * 1024 * 1024 });
        const listed = (await session.list()).some((o) => o.key === result.key);
        const { url } = await session.downloadUrl(result.key);
        const downloaded = await (await fetch(url)).arrayBuffer();
        return { ok: true, method: result.method, size: result.size, listed, downloadedSha256: await hex(downloaded), sentSha256: await hex(bytes.buffer) };
      } catch (e) {
        return { ok: false, code: (e as { code?: string }).code };
      }
    },
    [hosts.endpoints, method, size] as const,
  );
}

describe('a page whose origin the deployment allows', () => {
  let context: BrowserContext;
  let page: Page;
  const start = { token: 0, sign: 0 };
  /** The headers of every UploadPart the page sent. */
  const partRequests: Record<string, string>[] = [];
  beforeAll(async () => {
    ({ context, page } = await pageAt(runtime.appUrl, 'crossorigin'));
    context.on('request', (req) => {
      if (req.method() === 'PUT' && new URL(req.url()).searchParams.has('partNumber')) partRequests.push(req.headers());
    });
    Object.assign(start, { token: hosts.forwarded.token.length, sign: hosts.forwarded.sign.length });
  });
  afterAll(() => context.close());

  test('the page, the token function and the sign function are three different origins', () => {
    const origins = new Set([runtime.appUrl, hosts.endpoints.token, hosts.endpoints.sign].map((u) => new URL(u).origin));
    expect(origins.size).toBe(3);
  });

  for (const [method, size] of [['post', 300 * 1024], ['put', 300 * 1024], ['multipart', 6 * 1024 * 1024]] as const) {
    test(`${method}: an upload completes through the per-function URLs and downloads byte-identical`, async () => {
      const outcome = await uploadInPage(page, method, size);
      expect(outcome).toMatchObject({ ok: true, method, size, listed: true });
      expect(outcome.downloadedSha256).toBe(outcome.sentSha256);
    });
  }

  test('multipart: the parts go without a Content-MD5, so the page hashes no part (the whole is checked by CRC-64)', () => {
    expect(partRequests.length).toBeGreaterThanOrEqual(3); // 6 MiB in parts of 2 MiB
    expect(partRequests.filter((headers) => 'content-md5' in headers)).toEqual([]);
  });

  test('Chromium asked each function host for CORS permission before calling it (a preflight each)', () => {
    const token = hosts.forwarded.token.slice(start.token);
    const sign = hosts.forwarded.sign.slice(start.sign);
    expect(token[0]).toBe('OPTIONS /');
    expect(sign[0]).toBe('OPTIONS /');
    expect(token).toContain('POST /');
    expect(sign).toContain('POST /');
  });
});

test('a page on an origin the deployment does not allow is stopped by CORS: the preflight is refused and no POST follows', async () => {
  // The same demo, reached by IP: an origin not in CORS_ALLOWED_ORIGINS.
  const { context, page } = await pageAt(runtime.appUrl.replace('localhost', '127.0.0.1'), 'elsewhere');
  try {
    const before = hosts.forwarded.sign.length;
    const outcome = await uploadInPage(page, 'post', 1024);
    expect(outcome).toEqual({ ok: false, code: 'Network' });
    expect(hosts.forwarded.sign.slice(before)).toEqual(['OPTIONS /']);
  } finally {
    await context.close();
  }
});
