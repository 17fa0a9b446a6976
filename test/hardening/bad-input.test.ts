// Bad input against the three endpoints of the local runtime: every case gets a 4xx with a JSON
// error code, no case gets a 5xx, a stack trace or a secret back, none changes what is stored or
// issues credentials, and the runtime still serves a good upload afterwards.

import { IamStore } from '../../local/iam/store';
import { setLogSink } from '../../shared/log';
import { validateKey } from '../../shared/policy/keys';
import { BAD_INPUTS, type BadInput } from './bad-input.cases';
import { type Answer, PREFIX, type RuntimeUnderTest, startRuntimeUnderTest } from './runtime-under-test';

let t: RuntimeUnderTest;
let before: ReturnType<RuntimeUnderTest['state']>;
let restoreSink: (line: string) => void;

beforeAll(async () => {
  restoreSink = setLogSink(() => undefined);
  t = await startRuntimeUnderTest();
  before = t.state();
});

afterAll(async () => {
  await t?.stop();
  setLogSink(restoreSink);
});

/** What a client would see; a dropped connection is an answer too (status 0). */
async function sent(c: BadInput): Promise<Answer> {
  try {
    return await c.send(t);
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    return { status: 0, headers: {}, text: `the connection failed: ${cause ?? (err as Error).message}` };
  }
}

function expectNothingLeaked(a: Answer) {
  const outside = `${a.text}\n${JSON.stringify(a.headers)}`;
  expect(outside).not.toMatch(/\n\s+at |\.ts:\d+|node_modules/);
  expect(outside).not.toContain(t.jwt);
  expect(outside).not.toMatch(/eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\./);
  for (const secret of IamStore.heldSecrets()) expect(outside).not.toContain(secret);
  for (const value of Object.values(a.headers)) expect(value).not.toMatch(/[\r\n]/);
}

describe.each(['token', 'sign', 'callback'] as const)('%s', (endpoint) => {
  const cases = BAD_INPUTS.filter((c) => c.endpoint === endpoint);
  test.each(cases.map((c) => [`${c.what} → ${c.status} ${c.code}`, c] as const))('%s', async (_name, c) => {
    const a = await sent(c);
    expect({ status: a.status, contentType: a.headers['content-type'] }).toEqual({ status: c.status, contentType: 'application/json; charset=utf-8' });
    const error = (JSON.parse(a.text) as { error: { code: string; message: string } }).error;
    expect(error.code).toBe(c.code);
    expect(typeof error.message).toBe('string');
    expectNothingLeaked(a);
  });
});

describe('file names are neutralised, never reflected', () => {
  const names = [
    ['CR LF and a header line', 'a.txt\r\nSet-Cookie: x=1'],
    ['a right-to-left override', 'invoice\u202etxt.exe'],
    ['a double quote and a semicolon', 'a";filename=evil.html'],
    ['a path', '../../etc/passwd'],
    ['NUL', 'a\u0000.txt'],
  ];

  test.each(names)('a download named with %s gets a Content-Disposition without controls, quotes or separators', async (_what, filename) => {
    const a = await t.call('/api/sign', {
      method: 'POST',
      headers: { Authorization: `Bearer ${t.jwt}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ op: 'get', key: t.seeded.key, filename }),
    });
    expect(a.status).toBe(200);
    const url = new URL((JSON.parse(a.text) as { url: string }).url);
    const disposition = url.searchParams.get('response-content-disposition') as string;
    const download = await fetch(url);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-disposition')).toBe(disposition);
    expect(disposition).not.toMatch(/[\u0000-\u001f\u007f\u202e/\\]/);
    expect(disposition.match(/"/g)).toHaveLength(2);
    expect(download.headers.get('set-cookie')).toBeNull();
  });

  test.each(names)('an upload named with %s gets a generated key whose name segment holds no control, separator or bidi character, and the exact name only percent-encoded', async (_what, filename) => {
    const a = await t.call('/api/sign', {
      method: 'POST',
      headers: { Authorization: `Bearer ${t.jwt}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ op: 'put', filename, contentType: 'text/plain', size: 10 }),
    });
    expect(a.status).toBe(200);
    const { key, headers } = JSON.parse(a.text) as { key: string; headers: Record<string, string> };
    expect(key).toMatch(new RegExp(`^${PREFIX}[A-Za-z0-9_-]{16}/[^/\\\\\u0000-\u001f\u007f\u202e%:"]+$`));
    expect(validateKey(key)).toBe(key);
    // A header value of printable ASCII only: the name cannot start another header line.
    expect(headers['x-oss-meta-filename']).toMatch(/^[\x21-\x7e]+$/);
    expect(decodeURIComponent(headers['x-oss-meta-filename'])).toBe(filename);
  });
});

describe('after every bad input', () => {
  test('the local OSS holds the same files with the same sizes, and no credentials were issued', () => {
    expect(t.state()).toEqual(before);
  });

  test('the runtime still serves a good request: sign, upload, callback answer, download', async () => {
    const signed = await t.call('/api/sign', {
      method: 'POST',
      headers: { Authorization: `Bearer ${t.jwt}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ op: 'put', contentType: 'text/plain', size: 5 }),
    });
    expect(signed.status).toBe(200);
    const put = JSON.parse(signed.text) as { url: string; headers: Record<string, string>; key: string };
    const upload = await fetch(put.url, { method: 'PUT', headers: put.headers, body: 'hello' });
    expect(upload.status).toBe(200);
    const answer = (await upload.json()) as { key: string; url: string };
    expect(answer.key).toBe(put.key);
    expect(await (await fetch(answer.url)).text()).toBe('hello');
  });
});
