// session.uploadMany against the local runtime: the files of a multi-file upload are signed with one
// /sign request per 100, uploaded a bounded number at a time, and each gets its own result.

import { memoryCheckpoints, UploadError, UploadSession, type CheckpointStore } from '../../client';
import type { LocalRuntime } from '../../local/runtime';
import { DEFAULTS } from '../../shared/config';
import { setLogSink } from '../../shared/log';
import { startTestRuntime } from '../helpers/runtime';

let runtime: LocalRuntime;
let restoreSink: (line: string) => void;

beforeAll(async () => {
  restoreSink = setLogSink(() => undefined);
  runtime = await startTestRuntime({ env: { UPLOAD_CONTENT_TYPES: 'text/plain,image/png' } });
});

afterAll(async () => {
  await runtime?.stop();
  setLogSink(restoreSink);
});

afterEach(() => jest.restoreAllMocks());

/** A session whose calls to /sign are recorded: the body of each, parsed. */
async function recordedSession(user: string, extra: { multipartThreshold?: number; authToken?: () => string | undefined; checkpoints?: CheckpointStore } = {}) {
  const jwt = await runtime.login(user);
  const signs: { files?: unknown[]; op?: string }[] = [];
  const session = new UploadSession({
    baseUrl: `${runtime.appUrl}/api`,
    authToken: extra.authToken ?? (() => jwt),
    multipartThreshold: extra.multipartThreshold,
    checkpoints: extra.checkpoints,
    fetch: (input, init) => {
      if (String(input).endsWith('/sign')) signs.push(JSON.parse(String(init?.body)));
      return fetch(input, init);
    },
  });
  return { session, signs };
}

const text = (content: string, name: string) => new File([content], name, { type: 'text/plain' });

test('signs every file with one /sign request, and each file is stored under the caller with its own callback answer', async () => {
  const { session, signs } = await recordedSession('gina');
  const files = Array.from({ length: 12 }, (_, i) => text(`file ${i}`, `${i}.txt`));
  const results = await session.uploadMany(files);
  expect(signs).toHaveLength(1);
  expect(signs[0].files).toHaveLength(12);
  expect(results.map((r) => r.ok)).toEqual(Array(12).fill(true));
  for (const [i, r] of results.entries()) {
    if (!r.ok) continue;
    expect(r.file).toBe(files[i]);
    expect(r.result).toMatchObject({ method: 'post', size: files[i].size, contentType: 'text/plain' });
    expect(r.result.key).toMatch(new RegExp(`^users/gina/[A-Za-z0-9_-]{16}/${i}\\.txt$`));
    expect(r.result.callback).toMatchObject({ key: r.result.key, filename: `${i}.txt`, size: files[i].size });
  }
});

test('reports a file the server refuses with the UploadError a single upload gets, and uploads the rest', async () => {
  const { session } = await recordedSession('hank');
  const html = new File(['<p>hi</p>'], 'page.html', { type: 'text/html' });
  const alone = await session.upload(html).catch((err: unknown) => err);
  const results = await session.uploadMany([text('a', 'a.txt'), html, text('b', 'b.txt')]);
  expect(results.map((r) => r.ok)).toEqual([true, false, true]);
  const refused = results[1];
  if (refused.ok) throw new Error('expected a refusal');
  expect(refused.error).toBeInstanceOf(UploadError);
  expect(alone).toBeInstanceOf(UploadError);
  expect({ code: refused.error.code, message: refused.error.message, serverCode: refused.error.detail.serverCode, status: refused.error.detail.status }).toEqual({
    code: (alone as UploadError).code,
    message: (alone as UploadError).message,
    serverCode: 'ContentTypeNotAllowed',
    status: 400,
  });
});

test('uploads at most `parallel` files at once', async () => {
  const { session } = await recordedSession('iris');
  const realFetch = globalThis.fetch;
  let inFlight = 0;
  let most = 0;
  jest.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    const upload = !String(input).includes('/api/') && (init?.method === 'POST' || init?.method === 'PUT');
    if (upload) most = Math.max(most, ++inFlight);
    try {
      return await realFetch(input, init);
    } finally {
      if (upload) inFlight--;
    }
  });
  const results = await session.uploadMany(
    Array.from({ length: 10 }, (_, i) => text(`${i}`, `${i}.txt`)),
    { parallel: 3, method: 'put' },
  );
  expect(results.every((r) => r.ok && r.result.method === 'put')).toBe(true);
  expect(most).toBe(3);
});

test('sends 150 files in two /sign requests, of 100 and 50', async () => {
  const { session, signs } = await recordedSession('jack');
  const results = await session.uploadMany(Array.from({ length: 150 }, (_, i) => text(`${i}`, `${i}.txt`)), { parallel: 8 });
  expect(results.filter((r) => r.ok)).toHaveLength(150);
  expect(signs.map((s) => s.files?.length)).toEqual([100, 50]);
});

test('a file over the multipart threshold goes by multipart in the same pool, the others in the batch', async () => {
  const { session, signs } = await recordedSession('kate', { multipartThreshold: 1024 });
  const big = new File([Buffer.alloc(300 * 1024, 7)], 'big.png', { type: 'image/png' });
  const results = await session.uploadMany([text('small', 's.txt'), big]);
  expect(results.map((r) => r.ok && r.result.method)).toEqual(['post', 'multipart']);
  expect(signs.filter((s) => s.files).map((s) => s.files?.length)).toEqual([1]);
  expect(signs.filter((s) => s.op).map((s) => s.op)).toEqual(['callback']);
});

test("tells onResume which file resumed a multipart upload, with the parts an earlier attempt stored and the file's total", async () => {
  // The first attempt stops once two of its five parts are stored: its checkpoint store is full.
  const saved = memoryCheckpoints();
  let full = true;
  const checkpoints: CheckpointStore = {
    get: (id) => saved.get(id),
    delete: (id) => saved.delete(id),
    set(id, checkpoint) {
      saved.set(id, checkpoint);
      if (full && checkpoint.doneParts.length === 2) throw new Error('quota exceeded');
    },
  };
  const { session } = await recordedSession('nora', { multipartThreshold: 1024, checkpoints });
  const big = new File([Buffer.alloc(450 * 1024, 9)], 'big.png', { type: 'image/png' });
  await expect(session.upload(big, { method: 'multipart', partSize: 100 * 1024, parallel: 1 })).rejects.toBeInstanceOf(UploadError);
  full = false;
  const resumed: [number, number, number][] = [];
  const results = await session.uploadMany([text('small', 's.txt'), big], { onResume: (index, done, total) => resumed.push([index, done, total]) });
  expect(results.map((r) => r.ok && r.result.resumedParts)).toEqual([0, 2]);
  expect(resumed).toEqual([[1, 2, 5]]);
});

test('a batch the server refuses whole fails each of its files with that error', async () => {
  const { session } = await recordedSession('liam', { authToken: () => undefined });
  const results = await session.uploadMany([text('a', 'a.txt'), text('b', 'b.txt')]);
  expect(results.map((r) => (r.ok ? 'ok' : `${r.error.code} ${r.error.detail.serverCode}`))).toEqual(['Unauthorized TokenMissing', 'Unauthorized TokenMissing']);
});

test('a plan that would expire before its file\'s turn is signed again alone, and the file is stored', async () => {
  runtime.reconfigure({ POST_EXPIRES_SECONDS: '20' });
  try {
    const { session, signs } = await recordedSession('mona');
    const results = await session.uploadMany([text('a', 'a.txt'), text('b', 'b.txt')]);
    expect(results.map((r) => r.ok)).toEqual([true, true]);
    expect(signs.map((s) => (s.files ? `batch of ${s.files.length}` : s.op))).toEqual(['batch of 2', 'post', 'post']);
  } finally {
    runtime.reconfigure({ POST_EXPIRES_SECONDS: DEFAULTS.POST_EXPIRES_SECONDS });
  }
});

test('cancelled, files not yet started fail with Cancelled and none of them is stored', async () => {
  const { session } = await recordedSession('nick');
  const controller = new AbortController();
  controller.abort();
  const results = await session.uploadMany([text('a', 'a.txt'), text('b', 'b.txt')], { signal: controller.signal });
  expect(results.map((r) => (r.ok ? 'ok' : r.error.code))).toEqual(['Cancelled', 'Cancelled']);
  expect(await session.list()).toEqual([]);
});
