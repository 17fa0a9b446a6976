// The demo page as a user sees their files: a file named `报告 2026 (final).pdf` uploaded by each path
// is listed and downloaded under that name, byte-identical; deleting it removes it from the list and
// its old download URL answers 404; and on a 390 px phone screen nothing scrolls sideways.

import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chooseMethod, fetchFromPage, launchChromium, makePng, MiB, RUNTIME_ENV, SCREENSHOTS, settled, signIn, uploadItem } from './fixtures';
import { answersWithSecrets, type NpmStart, registerAnswerSecrets, startNpmStart } from '../helpers/npm-start';

const NAME = '报告 2026 (final).pdf';
let runtime: NpmStart;
let browser: Browser;
let work: string;
let report: { path: string; size: number; sha256: string };
let photo: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'browser-names-'));
  const files = join(work, 'files');
  mkdirSync(files);
  const bytes = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(3 * MiB)]);
  report = { path: join(files, NAME), size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
  writeFileSync(report.path, bytes);
  photo = join(files, 'a-photo-with-a-rather-long-name-that-a-phone-must-wrap-somewhere.png');
  writeFileSync(photo, makePng(320, 200));
  runtime = await startNpmStart(join(work, 'oss'), { ...RUNTIME_ENV, UPLOAD_CONTENT_TYPES: `${RUNTIME_ENV.UPLOAD_CONTENT_TYPES},application/pdf` });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await runtime?.stop();
  rmSync(work, { recursive: true, force: true });
});

async function userPage(user: string, viewport: { width: number; height: number }): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport, acceptDownloads: true });
  context.on('response', (res) => {
    if (answersWithSecrets(res.url())) void res.json().then(registerAnswerSecrets, () => undefined);
  });
  const page = await context.newPage();
  await signIn(page, runtime.appUrl, user);
  return { context, page };
}

describe(`${NAME} by each path`, () => {
  let context: BrowserContext;
  let page: Page;
  beforeAll(async () => ({ context, page } = await userPage('names', { width: 1000, height: 900 })));
  afterAll(() => context.close());

  for (const method of ['post', 'put', 'multipart'] as const) {
    test(`${method}: listed and downloaded under its name, byte-identical; deleted, it leaves the list and its old URL answers 404`, async () => {
      await chooseMethod(page, method);
      await page.getByLabel('Choose files').setInputFiles([report.path]);
      const item = uploadItem(page, NAME);
      await expect(settled(item)).resolves.toMatchObject({ state: 'done' });
      await expect(item.getByLabel('Callback answer').textContent()).resolves.toBe(`Stored: ${NAME} · 3.0 MB · application/pdf`);
      await expect(item.locator('details').getAttribute('open')).resolves.toBeNull(); // the JSON is folded away
      const key = (await item.getAttribute('data-key'))!;

      const row = page.locator(`#file-list li[data-key="${key}"]`);
      await row.waitFor();
      const link = row.getByRole('link');
      await expect(link.textContent()).resolves.toBe(NAME);
      const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
      expect(download.suggestedFilename()).toBe(NAME);
      const saved = readFileSync(await download.path());
      expect({ size: saved.length, sha256: createHash('sha256').update(saved).digest('hex') }).toEqual({ size: report.size, sha256: report.sha256 });

      const oldUrl = (await link.getAttribute('href'))!;
      await row.getByRole('button', { name: `Delete ${NAME}` }).click();
      await row.waitFor({ state: 'detached' });
      await expect(page.locator('#list-status').textContent()).resolves.toMatch(/^(No files yet\.|\d+ files?\.)$/);
      const gone = await fetchFromPage(page, oldUrl);
      expect(gone.status).toBe(404);
      expect(gone.text).toMatch(/<Code>NoSuchKey<\/Code>/);
      await page.locator('#uploads li').evaluateAll((items) => items.forEach((li) => li.remove()));
    });
  }
});

test('on a 390 px wide screen, after uploads and with the list shown, nothing scrolls sideways', async () => {
  const { context, page } = await userPage('phone', { width: 390, height: 844 });
  try {
    await chooseMethod(page, 'post');
    await page.getByLabel('Choose files').setInputFiles([report.path, photo]);
    for (const name of [NAME, photo.split('/').pop()!]) await expect(settled(uploadItem(page, name))).resolves.toMatchObject({ state: 'done' });
    await page.locator('#file-list li').nth(1).waitFor();
    const widths = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
    expect(widths.innerWidth).toBe(390);
    expect(widths.scrollWidth).toBeLessThanOrEqual(widths.innerWidth);
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, 'demo-390px.png'), fullPage: true });
  } finally {
    await context.close();
  }
});
