// What the browser tests share: Debian's Chromium, the test files on disk, and the demo page's moves.

import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';

export const MiB = 1024 * 1024;
/** The upload limit the tests give the runtime, and files either side of it. */
export const MAX_SIZE = 30 * MiB;
export const BIG_SIZE = 20 * MiB;
export const RUNTIME_ENV = {
  UPLOAD_MAX_SIZE: String(MAX_SIZE),
  UPLOAD_CONTENT_TYPES: 'image/png,image/jpeg,application/octet-stream',
};

export const SCREENSHOTS = join(__dirname, '..', '..', 'test-results');

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A real RGB PNG: a colour gradient with a disc, plus noise so it is a few hundred KB (several multipart parts' worth at 100 KB). */
export function makePng(width: number, height: number): Buffer {
  const noise = randomBytes(width * height);
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x++) {
      const inDisc = (x - width / 2) ** 2 + (y - height / 2) ** 2 < (Math.min(width, height) / 3) ** 2;
      const n = noise[y * width + x] & 0x1f;
      row[1 + x * 3] = inDisc ? 250 - n : Math.round((255 * x) / width) ^ n;
      row[2 + x * 3] = inDisc ? 200 - n : Math.round((255 * y) / height) ^ n;
      row[3 + x * 3] = inDisc ? 40 + n : 160 ^ n;
    }
    rows.push(row);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

export interface TestFile {
  path: string;
  name: string;
  size: number;
  sha256: string;
}

function write(dir: string, name: string, body: Buffer): TestFile {
  const path = join(dir, name);
  writeFileSync(path, body);
  return { path, name, size: body.length, sha256: createHash('sha256').update(body).digest('hex') };
}

export function writeTestFiles(dir: string) {
  mkdirSync(dir, { recursive: true });
  const huge = join(dir, 'over-the-limit.bin');
  writeFileSync(huge, '');
  truncateSync(huge, MAX_SIZE + 1); // sparse: the refusal must come before a byte is read
  return {
    image: write(dir, 'photo.png', makePng(480, 320)),
    big: write(dir, 'big-20mb.bin', randomBytes(BIG_SIZE)),
    resumable: write(dir, 'resume-20mb.bin', randomBytes(BIG_SIZE)),
    html: write(dir, 'page.html', Buffer.from('<!doctype html><script>alert(1)</script>')),
    huge: { path: huge, name: 'over-the-limit.bin', size: MAX_SIZE + 1, sha256: '' } satisfies TestFile,
  };
}

/** Sign in through the form, with the keyboard. */
export async function signIn(page: Page, appUrl: string, user: string): Promise<void> {
  await page.goto(`${appUrl}/`);
  const field = page.getByLabel('User name');
  await field.fill(user);
  await field.press('Enter');
  await page.getByText(`Signed in as ${user}.`).waitFor();
  await page.locator('#list-status').filter({ hasNotText: 'Loading' }).waitFor();
}

export async function chooseMethod(page: Page, method: 'auto' | 'post' | 'put' | 'multipart'): Promise<void> {
  await page.getByLabel('Upload path').selectOption(method);
}

export function uploadItem(page: Page, name: string): Locator {
  return page.locator(`#uploads li[data-file="${name}"]`).first();
}

/** Waits until the upload has finished one way or the other and returns its final state. */
export async function settled(item: Locator, timeout = 120_000): Promise<{ state: string; error?: string; status: string }> {
  const deadline = Date.now() + timeout;
  let state = await item.getAttribute('data-state');
  while (state === 'uploading' || state === null) {
    if (Date.now() > deadline) throw new Error(`the upload did not finish within ${timeout} ms: ${await item.locator('.status').textContent()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    state = await item.getAttribute('data-state');
  }
  return {
    state,
    error: (await item.getAttribute('data-error')) ?? undefined,
    status: (await item.locator('.status').textContent()) ?? '',
  };
}

/** Polls `check` until it holds. */
export async function until(what: string, check: () => boolean | Promise<boolean>, timeout = 60_000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The value of the upload's progress bar (0 … 100). */
export function progressOf(item: Locator): Promise<number> {
  return item.locator('progress').evaluate((p: HTMLProgressElement) => p.value);
}

/**
 * Fetch a URL from inside the page (so CORS and the page's origin apply) and digest what came back.
 * A fetch that fails at the network level ("Failed to fetch", no HTTP answer at all) is tried once
 * more, and said so on stderr: about one run in five of the demo suite saw it once, on a quiet machine
 * too, for downloads of objects of every upload path, and its cause is not found yet (the local OSS's
 * keep-alive timeout was ruled out). Any HTTP answer, and a second failure, are judged as they come.
 */
export async function fetchFromPage(page: Page, url: string): Promise<{ status: number; size: number; sha256: string; text: string }> {
  try {
    return await fetchOnce(page, url);
  } catch (err) {
    if (!String(err).includes('Failed to fetch')) throw err;
    process.stderr.write(`fetchFromPage: network error, trying once more: ${url.slice(0, url.indexOf('?'))}\n`);
    return fetchOnce(page, url);
  }
}

function fetchOnce(page: Page, url: string): Promise<{ status: number; size: number; sha256: string; text: string }> {
  return page.evaluate(async (u) => {
    const res = await fetch(u);
    const bytes = new Uint8Array(await res.arrayBuffer());
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
    const sha256 = Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
    return { status: res.status, size: bytes.length, sha256, text: res.ok ? '' : new TextDecoder().decode(bytes) };
  }, url);
}

/** Percentages each upload showed, recorded from the page's progress text as it changes. */
export async function recordProgress(page: Page): Promise<void> {
  await page.evaluate(() => {
    const seen: Record<string, number[]> = {};
    Object.assign(window, { progressSeen: seen });
    new MutationObserver(() => {
      for (const li of document.querySelectorAll<HTMLElement>('#uploads li')) {
        const value = li.querySelector('progress')?.value ?? 0;
        const list = (seen[li.dataset.file ?? ''] ??= []);
        if (list.at(-1) !== value) list.push(value);
      }
    }).observe(document.getElementById('uploads')!, { subtree: true, childList: true, characterData: true, attributes: true });
  });
}

export function progressSeen(page: Page, name: string): Promise<number[]> {
  return page.evaluate((n) => (window as unknown as { progressSeen: Record<string, number[]> }).progressSeen[n] ?? [], name);
}
