// POST /sign with a list of files, end to end: every plan of a batch is accepted by the local OSS
// (which checks signatures, tokens and session policies as OSS does), and a file naming another
// user's key is refused on its own while the rest of the batch is signed.

import type { SignBatchResponse, SignResponse, SignedFormResponse, SignedUrlResponse } from '../../shared/api/types';
import { setLogSink } from '../../shared/log';
import type { LocalRuntime } from '../../local/runtime';
import { startTestRuntime } from '../helpers/runtime';
import { formOf } from './sign-helpers';

let rt: LocalRuntime;
let restoreSink: (line: string) => void;

beforeAll(async () => {
  restoreSink = setLogSink(() => undefined);
  rt = await startTestRuntime({ env: { UPLOAD_MAX_SIZE: '1024', UPLOAD_CONTENT_TYPES: 'text/plain,image/png' } });
});

afterAll(async () => {
  await rt.stop();
  setLogSink(restoreSink);
});

async function batch(user: string, files: object[]): Promise<{ status: number; body: SignBatchResponse }> {
  const res = await fetch(`${rt.appUrl}/api/sign`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${await rt.login(user)}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ files }),
  });
  return { status: res.status, body: (await res.json()) as SignBatchResponse };
}

function plans(body: SignBatchResponse): SignResponse[] {
  return body.results.map((r) => {
    if (!r.ok) throw new Error(`a file was refused: ${r.error.code}`);
    return r.plan;
  });
}

const put = (signed: SignResponse, body: string) => {
  const url = signed as SignedUrlResponse;
  return fetch(url.url, { method: 'PUT', headers: url.headers, body });
};

test('every plan of a batch mixing put, post, get and delete is accepted by the local OSS', async () => {
  const first = await batch('carol', [
    { op: 'put', key: 'users/carol/batch/a.txt', contentType: 'text/plain', size: 5 },
    { op: 'post', key: 'users/carol/batch/b.png', contentType: 'image/png' },
    { op: 'put', contentType: 'text/plain', size: 3, filename: 'c.txt' },
  ]);
  expect(first.status).toBe(200);
  const [a, b, c] = plans(first.body);
  const stored = await put(a, 'hello');
  expect(stored.status).toBe(200);
  expect(await stored.json()).toMatchObject({ key: 'users/carol/batch/a.txt', size: 5, user: 'carol' });
  const form = b as SignedFormResponse;
  const posted = await fetch(form.url, { method: 'POST', body: formOf(form.fields, { bytes: 'png!', name: 'b.png', type: 'image/png' }) });
  expect(posted.status).toBe(200);
  expect(await posted.json()).toMatchObject({ key: 'users/carol/batch/b.png', size: 4 });
  expect((await put(c, 'abc')).status).toBe(200);

  const second = await batch('carol', [
    { op: 'get', key: 'users/carol/batch/a.txt' },
    { op: 'get', key: c.key },
    { op: 'delete', key: 'users/carol/batch/b.png' },
  ]);
  const [getA, getC, deleteB] = plans(second.body) as SignedUrlResponse[];
  expect(await (await fetch(getA.url)).text()).toBe('hello');
  expect(await (await fetch(getC.url)).text()).toBe('abc');
  expect((await fetch(deleteB.url, { method: 'DELETE' })).status).toBe(204);
  const gone = plans((await batch('carol', [{ op: 'get', key: 'users/carol/batch/b.png' }])).body)[0] as SignedUrlResponse;
  expect((await fetch(gone.url)).status).toBe(404);
});

test('a file naming another user\'s key is refused on its own (KeyOutsidePrefix), and that user\'s object is untouched', async () => {
  const mine = await batch('dave', [{ op: 'put', key: 'users/dave/own.txt', contentType: 'text/plain', size: 4 }]);
  expect((await put(plans(mine.body)[0], 'mine')).status).toBe(200);

  const { status, body } = await batch('erin', [
    { op: 'get', key: 'users/dave/own.txt' },
    { op: 'delete', key: 'users/dave/own.txt' },
    { op: 'put', key: 'users/dave/own.txt', contentType: 'text/plain', size: 4 },
    { op: 'post', key: 'users/dave/${filename}', contentType: 'text/plain' },
    { op: 'callback', key: 'users/dave/x.txt' },
    { op: 'put', contentType: 'text/plain', size: 4 },
  ]);
  expect(status).toBe(200);
  expect(body.results.slice(0, 5).map((r) => (r.ok ? 'signed' : `${r.status} ${r.error.code}`))).toEqual(Array(5).fill('400 KeyOutsidePrefix'));
  const own = body.results[5];
  expect(own.ok).toBe(true);
  if (own.ok) {
    expect(own.plan.key.startsWith('users/erin/')).toBe(true);
    expect((await put(own.plan, 'hers')).status).toBe(200);
  }
  const check = plans((await batch('dave', [{ op: 'get', key: 'users/dave/own.txt' }])).body)[0] as SignedUrlResponse;
  expect(await (await fetch(check.url)).text()).toBe('mine');
});

test('a batch of 100 files, the limit, is signed whole and each of its URLs stores its file', async () => {
  const { status, body } = await batch('frank', Array.from({ length: 100 }, (_, i) => ({ op: 'put', contentType: 'text/plain', size: String(i).length, filename: `${i}.txt` })));
  expect(status).toBe(200);
  const signed = plans(body);
  expect(signed).toHaveLength(100);
  // Six at a time, as the client's uploadMany sends them: a hundred PUTs at once, each waiting on its
  // callback's HeadObject, starve that HeadObject's 1.5 s limit on a loaded two-core machine.
  const answers: number[] = [];
  for (let i = 0; i < signed.length; i += 6) {
    answers.push(...(await Promise.all(signed.slice(i, i + 6).map(async (p, j) => (await put(p, String(i + j))).status))));
  }
  expect(answers).toEqual(Array(100).fill(200));
});
