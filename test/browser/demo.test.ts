// The demo page in Chromium against `npm start` (its own process): the three upload paths, refusals,
// isolation between users, cancellation, and a multipart upload that resumes after a reload.

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import type { UploadSession } from '../../client';
import { multipartPlan } from '../../client/multipart';
import {
  BIG_SIZE, chooseMethod, fetchFromPage, launchChromium, MiB, progressOf, progressSeen, recordProgress, RUNTIME_ENV,
  SCREENSHOTS, settled, signIn, until, uploadItem, writeTestFiles, type TestFile,
} from './fixtures';
import { answersWithSecrets, type NpmStart, registerAnswerSecrets, startNpmStart } from '../helpers/npm-start';

let runtime: NpmStart;
let browser: Browser;
let work: string;
let files: ReturnType<typeof writeTestFiles>;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'browser-test-'));
  files = writeTestFiles(join(work, 'files'));
  mkdirSync(SCREENSHOTS, { recursive: true });
  runtime = await startNpmStart(join(work, 'oss'), RUNTIME_ENV);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await runtime?.stop();
  rmSync(work, { recursive: true, force: true });
});

async function userPage(user: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1000, height: 900 } });
  // The runtime's output is audited; the JWT and STS credentials the page is handed are what it looks for.
  context.on('response', (res) => {
    if (answersWithSecrets(res.url())) void res.json().then(registerAnswerSecrets, () => undefined);
  });
  const page = await context.newPage();
  await signIn(page, runtime.appUrl, user);
  return { context, page };
}

interface CallbackAnswer {
  [field: string]: unknown;
}

/** The checks every completed upload must pass: 100 %, the callback's answer, listed, downloadable intact. */
async function expectUploaded(page: Page, file: TestFile): Promise<{ key: string; callback: CallbackAnswer }> {
  const item = uploadItem(page, file.name);
  const outcome = await settled(item);
  expect(outcome).toMatchObject({ state: 'done' });
  expect(await progressOf(item)).toBe(100);
  expect(await item.locator('.percent').textContent()).toBe('100 %');

  const key = (await item.getAttribute('data-key'))!;
  expect(key).toMatch(/^users\/alice\//);
  const callback = JSON.parse((await item.getByLabel('Callback JSON').textContent())!) as CallbackAnswer;
  await expect(item.getByLabel('Callback answer').textContent()).resolves.toMatch(/^Stored: .+ · [\d.]+ (B|KB|MB) · [\w.+-]+\/[\w.+-]+$/);
  expect(JSON.stringify(callback)).toContain(key);
  expect(JSON.stringify(callback)).toContain(String(file.size));

  const row = page.locator(`#file-list li[data-key="${key}"]`);
  await row.waitFor();
  const href = (await row.getByRole('link').getAttribute('href'))!;
  const downloaded = await fetchFromPage(page, href);
  expect(downloaded).toMatchObject({ status: 200, size: file.size, sha256: file.sha256 });
  return { key, callback };
}

describe('uploading as alice', () => {
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    ({ context, page } = await userPage('alice'));
    await recordProgress(page);
  });
  afterAll(() => context.close());

  test('the page before an upload offers the sign-in, the upload paths and an empty list', async () => {
    await expect(page.locator('#list-status').textContent()).resolves.toBe('No files yet.');
    await expect(page.getByLabel('Upload path').locator('option').allTextContents()).resolves.toHaveLength(4);
    await page.screenshot({ path: join(SCREENSHOTS, 'demo-before-upload.png'), fullPage: true });
  });

  for (const method of ['post', 'put', 'multipart'] as const) {
    test(`${method}: an image and a 20 MB file upload with progress to 100 %, show the callback's answer, and are listed and downloadable`, async () => {
      await chooseMethod(page, method);
      await page.getByLabel('Choose files').setInputFiles([files.image.path, files.big.path]);
      const image = await expectUploaded(page, files.image);
      const big = await expectUploaded(page, files.big);

      const percents = await progressSeen(page, files.big.name);
      expect(percents.some((p) => p > 0 && p < 100)).toBe(true);
      expect(percents.at(-1)).toBe(100);
      expect(big.callback).toBeTruthy();

      const thumbnail = page.locator(`#file-list li[data-key="${image.key}"] img`);
      await expect(thumbnail.evaluate((img: HTMLImageElement) => img.decode().then(() => img.naturalWidth))).resolves.toBe(480);
      await page.locator('#uploads li').evaluateAll((items) => items.forEach((li) => li.remove()));
    });
  }

  test('the page after an upload shows the progress, the callback answer and a thumbnail', async () => {
    await chooseMethod(page, 'auto');
    await page.getByLabel('Choose files').setInputFiles([files.image.path]);
    await expectUploaded(page, files.image);
    await page.screenshot({ path: join(SCREENSHOTS, 'demo-after-upload.png'), fullPage: true });
  });

  test('a file dropped on the drop zone uploads', async () => {
    const png = files.image;
    await page.evaluate(async (name) => {
      const bytes = await (await fetch('data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVQI12P4z8AAAAMBAQAYjSf9AAAAAElFTkSuQmCC')).blob();
      const transfer = new DataTransfer();
      transfer.items.add(new File([bytes], name, { type: 'image/png' }));
      document.getElementById('dropzone')!.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    }, `dropped-${png.name}`);
    await expect(settled(uploadItem(page, `dropped-${png.name}`))).resolves.toMatchObject({ state: 'done' });
  });

  for (const method of ['post', 'put', 'multipart'] as const) {
    test(`${method}: a file over the size limit and a type that is not allowed are refused with a readable message`, async () => {
      await chooseMethod(page, method);
      await page.getByLabel('Choose files').setInputFiles([files.huge.path, files.html.path]);
      const tooLarge = await settled(uploadItem(page, files.huge.name));
      expect(tooLarge).toMatchObject({ state: 'failed', error: 'TooLarge' });
      expect(tooLarge.status).toMatch(/^The file is too large \(size 31457281 is over the limit of 31457280 bytes\)/);
      const wrongType = await settled(uploadItem(page, files.html.name));
      expect(wrongType).toMatchObject({ state: 'failed', error: 'TypeNotAllowed' });
      expect(wrongType.status).toMatch(/^This type of file is not allowed \(text\/html is not allowed/);
      await expect(uploadItem(page, files.html.name).getByRole('alert').isVisible()).resolves.toBe(true);
      await page.locator('#uploads li').evaluateAll((items) => items.forEach((li) => li.remove()));
    });
  }
});

describe('several files chosen at once', () => {
  test('are signed with one /sign request listing them, each upload or refusal shown on its own', async () => {
    const { context, page } = await userPage('olga');
    const signs: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && new URL(request.url()).pathname === '/api/sign') signs.push(request.postData() ?? '');
    });
    await chooseMethod(page, 'auto');
    await page.getByLabel('Choose files').setInputFiles([files.image.path, files.html.path]);
    await expect(settled(uploadItem(page, files.image.name))).resolves.toMatchObject({ state: 'done' });
    await expect(settled(uploadItem(page, files.html.name))).resolves.toMatchObject({ state: 'failed', error: 'TypeNotAllowed' });
    // The list's download links are /sign requests too (op get); no upload was signed alone.
    const bodies = signs.map((body) => JSON.parse(body) as { op?: string; files?: { filename: string }[] });
    expect(bodies.filter((b) => b.files).map((b) => b.files?.map((f) => f.filename))).toEqual([[files.image.name, files.html.name]]);
    expect(bodies.filter((b) => b.op === 'post' || b.op === 'put')).toEqual([]);
    await context.close();
  });
});

describe('slow connections', () => {
  let context: BrowserContext;
  let page: Page;
  let cdp: CDPSession;
  const partsDone: string[] = [];

  const network = (offline: boolean, uploadBytesPerSecond = -1) =>
    cdp.send('Network.emulateNetworkConditions', { offline, latency: 0, downloadThroughput: -1, uploadThroughput: uploadBytesPerSecond });

  beforeAll(async () => {
    ({ context, page } = await userPage('alice'));
    cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    // Parts OSS accepted, as the page saw them.
    page.on('requestfinished', async (request) => {
      const response = await request.response();
      if (request.method() === 'PUT' && /[?&]partNumber=/.test(request.url()) && response?.status() === 200) partsDone.push(request.url());
    });
  });
  afterAll(() => context.close());
  afterEach(() => network(false));

  test('cancelling an upload in flight stops it and says so', async () => {
    await network(false, 4 * MiB);
    await chooseMethod(page, 'put');
    await page.getByLabel('Choose files').setInputFiles([files.big.path]);
    const item = uploadItem(page, files.big.name);
    await until('the upload is 10 % done', async () => (await progressOf(item)) >= 10);
    await page.getByRole('button', { name: `Cancel the upload of ${files.big.name}` }).press('Enter');
    await expect(settled(item)).resolves.toMatchObject({ state: 'failed', error: 'Cancelled', status: 'The upload was cancelled' });
  });

  // The client's own cut of the file (client/multipart.ts): 4 parts in flight, 3 MiB parts for 20 MiB.
  const TOTAL_PARTS = Math.ceil(BIG_SIZE / multipartPlan(BIG_SIZE).partSize);
  const checkpoints = () =>
    page.evaluate(() =>
      Object.keys(localStorage)
        .filter((k) => k.startsWith('oss-upload-checkpoint:'))
        .map((k) => JSON.parse(localStorage.getItem(k)!) as { doneParts: unknown[] }),
    );

  /**
   * Starts a multipart upload on a slow line and drops the connection once the first part is in;
   * returns the parts saved. The last parts only start as earlier ones finish, so they are never
   * done by then.
   */
  async function cutOffMidway(file: TestFile): Promise<number> {
    partsDone.length = 0;
    // 2 MiB/s: the parts after the first four take about 4 s more, time enough for a loaded machine
    // to see a part done and drop the line before they are all in.
    await network(false, 2 * MiB);
    await chooseMethod(page, 'multipart');
    await page.getByLabel('Choose files').setInputFiles([file.path]);
    await until('a part is uploaded', () => partsDone.length >= 1);
    await network(true);
    const cut = await settled(uploadItem(page, file.name));
    expect(cut).toMatchObject({ state: 'failed', error: 'Network' });
    expect(cut.status).toMatch(/network connection failed/);
    await expect(page.getByRole('button', { name: `Resume the upload of ${file.name}` }).isVisible()).resolves.toBe(true);
    const saved = await checkpoints();
    expect(saved).toHaveLength(1);
    const already = saved[0].doneParts.length;
    expect(already).toBeGreaterThanOrEqual(1);
    expect(already).toBeLessThan(TOTAL_PARTS);
    await network(false);
    partsDone.length = 0;
    return already;
  }

  /** The resumed upload sent only the missing parts, completed intact and left no checkpoint behind. */
  async function expectResumed(file: TestFile, already: number): Promise<void> {
    const { callback } = await expectUploaded(page, file);
    expect(callback).toBeTruthy();
    await expect(uploadItem(page, file.name).locator('.status').textContent()).resolves.toContain(`after resuming (${already} parts were already there)`);
    expect(partsDone).toHaveLength(TOTAL_PARTS - already);
    await expect(checkpoints()).resolves.toEqual([]);
  }

  test('a multipart upload cut off mid-way resumes after a reload, sending only the missing parts', async () => {
    const already = await cutOffMidway(files.resumable);
    await page.reload();
    await page.getByText('Signed in as alice.').waitFor();
    await chooseMethod(page, 'multipart');
    await page.getByLabel('Choose files').setInputFiles([files.resumable.path]);
    await expectResumed(files.resumable, already);
  });

  test('a multipart upload cut off by a dropped connection resumes from its Resume button', async () => {
    const already = await cutOffMidway(files.resumable);
    await page.getByRole('button', { name: `Resume the upload of ${files.resumable.name}` }).press('Enter');
    await expectResumed(files.resumable, already);
  });
});

describe('two users', () => {
  test("bob does not see alice's files, cannot list or sign them, and cannot use alice's URL once it has expired", async () => {
    const alice = await userPage('alice');
    const bob = await userPage('bob');
    try {
      await chooseMethod(alice.page, 'post');
      await alice.page.getByLabel('Choose files').setInputFiles([files.image.path]);
      const { key } = await expectUploaded(alice.page, files.image);

      await bob.page.getByRole('button', { name: 'Refresh the list' }).click();
      await expect(bob.page.locator('#list-status').filter({ hasNotText: 'Loading' }).textContent()).resolves.toBe('No files yet.');
      await expect(bob.page.locator('#file-list li').count()).resolves.toBe(0);

      type Demo = { ossDemo: { session: UploadSession } };
      const bobTries = (what: 'list' | 'sign') =>
        bob.page.evaluate(
          async ([w, k]) => {
            const { session } = (window as unknown as Demo).ossDemo;
            try {
              await (w === 'list' ? session.list('users/alice/') : session.downloadUrl(k));
              return 'allowed';
            } catch (e) {
              return (e as { code?: string }).code;
            }
          },
          [what, key] as const,
        );
      await expect(bobTries('list')).resolves.toBe('Denied');
      await expect(bobTries('sign')).resolves.toBe('Denied');

      const short = await alice.page.evaluate((k) => (window as unknown as Demo).ossDemo.session.downloadUrl(k, { expiresIn: 3 }), key);
      await expect(fetchFromPage(bob.page, short.url)).resolves.toMatchObject({ status: 200, size: files.image.size });
      await new Promise((resolve) => setTimeout(resolve, Date.parse(short.expiresAt) - Date.now() + 1500));
      const late = await fetchFromPage(bob.page, short.url);
      expect(late.status).toBe(403);
      expect(late.text).toMatch(/<Code>AccessDenied<\/Code>[\s\S]*expired/i);
    } finally {
      await alice.context.close();
      await bob.context.close();
    }
  });
});

describe('afterwards', () => {
  test('nothing the page did made the runtime fail (no 5xx, no error lines)', () => {
    expect(runtime.log.length).toBeGreaterThan(50);
    expect(runtime.log.filter((l) => l.level === 'error' || Number(l.status ?? 0) >= 500)).toEqual([]);
  });
});
