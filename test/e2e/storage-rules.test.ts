// The photo app of examples/photo-app.rules.yaml, end to end against the local runtime: three users
// in two teams (alice and bob in red, carol in blue and a moderator) through every path (STS with
// ali-oss, presigned PUT/GET/DELETE, forms, list), allowed and refused. Where OSS itself would refuse,
// the request is also sent with the handlers' checks out of the way (the caller's own STS credentials,
// or a form or URL signed for something else) and the refusal is the local OSS's XML AccessDenied or
// policy error: the rules are held by OSS, not by our handlers alone.

import { join } from 'node:path';
import type { LocalRuntime } from '../../local/runtime';
import type { ErrorBody, SignedFormResponse, SignedUrlResponse, TokenResponse } from '../../shared/api/types';
import { setLogSink } from '../../shared/log';
import { startTestRuntime } from '../helpers/runtime';
import { formOf, ossCode } from './sign-helpers';

const BUCKET = 'local-uploads';
const PNG = Buffer.alloc(1000, 0x89);
const PDF = Buffer.from('%PDF-1.7\n');
const CLAIMS: Record<string, Record<string, unknown>> = {
  alice: { team: 'red' },
  bob: { team: ['red'] },
  carol: { team: 'blue', groups: ['moderators'] },
};

interface AliOssError {
  status: number;
  code: string;
}
interface AliOss {
  put(name: string, body: Buffer, options?: Record<string, unknown>): Promise<{ res: { status: number } }>;
  get(name: string): Promise<{ res: { status: number }; content: Buffer }>;
  delete(name: string): Promise<{ res: { status: number } }>;
  list(query: Record<string, unknown>, options?: Record<string, unknown>): Promise<{ objects?: { name: string }[] }>;
  multipartUpload(name: string, file: Buffer, options: Record<string, unknown>): Promise<{ res: { status: number } }>;
}
const OSS = require('ali-oss') as new (options: Record<string, unknown>) => AliOss;

let rt: LocalRuntime;
const logs: Record<string, unknown>[] = [];
let restoreSink: (line: string) => void;

beforeAll(async () => {
  restoreSink = setLogSink((line) => logs.push(JSON.parse(line) as Record<string, unknown>));
  rt = await startTestRuntime({ env: { STORAGE_RULES: join(__dirname, '..', '..', 'examples', 'photo-app.rules.yaml') } });
});
afterAll(async () => {
  await rt.stop();
  setLogSink(restoreSink);
});

async function api<T>(user: string, path: string, body: unknown): Promise<{ status: number; body: T & ErrorBody }> {
  const res = await fetch(`${rt.appUrl}/api/${path}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${await rt.login(user, CLAIMS[user])}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as T & ErrorBody };
}

async function signed<T>(user: string, body: unknown): Promise<T> {
  const res = await api<T>(user, 'sign', body);
  if (res.status !== 200) throw new Error(`/sign answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}

/** An ali-oss client on `user`'s STS credentials for a scope: a path and actions. */
async function sts(user: string, path: string, actions: string[]): Promise<AliOss> {
  const { status, body } = await api<TokenResponse>(user, 'token', { path, actions });
  if (status !== 200) throw new Error(`/token answered ${status}: ${JSON.stringify(body)}`);
  return new OSS({ endpoint: rt.ossUrl, sldEnable: true, bucket: BUCKET, region: 'oss-cn-hangzhou', accessKeyId: body.AccessKeyId, accessKeySecret: body.AccessKeySecret, stsToken: body.SecurityToken, authorizationV4: true, retryMax: 0 });
}

/** The OSS error (status and code) a promise rejects with. */
async function ossError(p: Promise<unknown>): Promise<[number, string]> {
  return p.then(
    () => [200, 'no error'],
    (e: AliOssError) => [e.status, e.code],
  );
}

async function putByUrl(user: string, key: string, type: string, bytes: Buffer): Promise<number> {
  const url = await signed<SignedUrlResponse>(user, { op: 'put', key, contentType: type, size: bytes.length });
  return (await fetch(url.url, { method: 'PUT', headers: url.headers, body: new Uint8Array(bytes) })).status;
}

async function getByUrl(user: string, key: string): Promise<number> {
  const url = await signed<SignedUrlResponse>(user, { op: 'get', key });
  return (await fetch(url.url)).status;
}

/** The callback function's log line of the OSS event for `key` that reports a violation. */
async function eventViolation(key: string): Promise<unknown> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const line = logs.find((l) => l.fn === 'callback' && l.object === key && l.violation !== undefined);
    if (line) return line.violation;
    if (Date.now() > deadline) return undefined;
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('private/{uid}/*: only the owner', () => {
  test('alice uploads by form and reads her file back by presigned GET', async () => {
    const form = await signed<SignedFormResponse>('alice', { op: 'post', key: 'private/alice/diary.png', contentType: 'image/png', size: PNG.length });
    expect((await fetch(form.url, { method: 'POST', body: formOf(form.fields, { bytes: PNG, name: 'diary.png', type: 'image/png' }) })).status).toBe(200);
    expect(await getByUrl('alice', 'private/alice/diary.png')).toBe(200);
  });

  test('bob gets no URL for it, and with his own STS credentials OSS refuses him (AccessDenied)', async () => {
    const refused = await api('bob', 'sign', { op: 'get', key: 'private/alice/diary.png' });
    expect([refused.status, refused.body.error.code]).toEqual([400, 'KeyOutsidePrefix']);
    expect(JSON.stringify(refused.body)).not.toContain('diary');
    const bob = await sts('bob', 'private/bob/', ['read', 'list', 'write', 'delete']);
    expect(await ossError(bob.get('private/alice/diary.png'))).toEqual([403, 'AccessDenied']);
    expect(await ossError(bob.delete('private/alice/diary.png'))).toEqual([403, 'AccessDenied']);
    expect(await ossError(bob.list({ prefix: 'private/alice/' }))).toEqual([403, 'AccessDenied']);
    expect((await bob.put('private/bob/mine.png', PNG, { headers: { 'Content-Type': 'image/png' } })).res.status).toBe(200);
  });

  test('alice deletes her own file by presigned DELETE; bob\'s presigned DELETE of it is refused at /sign', async () => {
    expect((await api('bob', 'sign', { op: 'delete', key: 'private/alice/diary.png' })).status).toBe(400);
    const url = await signed<SignedUrlResponse>('alice', { op: 'delete', key: 'private/alice/diary.png' });
    expect((await fetch(url.url, { method: 'DELETE', headers: url.headers })).status).toBe(204);
  });
});

describe('avatars/{uid}/*: any signed-in user reads, the owner writes images up to 2 MB', () => {
  test('alice puts her avatar by presigned PUT; bob and carol read it by presigned GET and with STS', async () => {
    expect(await putByUrl('alice', 'avatars/alice/me.png', 'image/png', PNG)).toBe(200);
    expect(await getByUrl('bob', 'avatars/alice/me.png')).toBe(200);
    const carol = await sts('carol', 'avatars/', ['read']);
    expect((await carol.get('avatars/alice/me.png')).content.equals(PNG)).toBe(true);
  });

  test('bob may not write alice\'s avatar: RuleDenied naming the rule, and OSS refuses his STS write there', async () => {
    const refused = await api('bob', 'sign', { op: 'put', key: 'avatars/alice/me.png', contentType: 'image/png', size: PNG.length });
    expect([refused.status, refused.body.error.code, refused.body.error.rule]).toEqual([403, 'RuleDenied', 'avatars/{uid}/*']);
    const bob = await sts('bob', 'avatars/bob/', ['write']);
    expect(await ossError(bob.put('avatars/alice/me.png', PNG, { headers: { 'Content-Type': 'image/png' } }))).toEqual([403, 'AccessDenied']);
    const reader = await sts('bob', 'avatars/', ['read']);
    expect(await ossError(reader.put('avatars/bob/me.png', PNG, { headers: { 'Content-Type': 'image/png' } }))).toEqual([403, 'AccessDenied']);
  });

  test('over 2 MB or not an image is refused at /sign, and a form past 2 MB is refused by OSS (EntityTooLarge)', async () => {
    expect((await api('alice', 'sign', { op: 'put', key: 'avatars/alice/big.png', contentType: 'image/png', size: 2 * 1024 * 1024 + 1 })).body.error.code).toBe('TooLarge');
    expect((await api('alice', 'sign', { op: 'put', key: 'avatars/alice/cv.pdf', contentType: 'application/pdf', size: 10 })).body.error.code).toBe('ContentTypeNotAllowed');
    const form = await signed<SignedFormResponse>('alice', { op: 'post', key: 'avatars/alice/big.png', contentType: 'image/png' });
    expect(form.maxSize).toBe(2 * 1024 * 1024);
    const res = await fetch(form.url, { method: 'POST', body: formOf(form.fields, { bytes: Buffer.alloc(2 * 1024 * 1024 + 1), name: 'big.png', type: 'image/png' }) });
    expect([res.status, await ossCode(res)]).toEqual([400, 'EntityTooLarge']);
  });
});

describe('teams/{claims.team}/*: members of the team in the JWT read, list and add files', () => {
  test('bob (team red) adds a file; alice (red) reads and lists it with STS for teams/', async () => {
    expect(await putByUrl('bob', 'teams/red/plan.pdf', 'application/pdf', PDF)).toBe(200);
    const alice = await sts('alice', 'teams/', ['read', 'list']);
    expect((await alice.get('teams/red/plan.pdf')).content.equals(PDF)).toBe(true);
    expect((await alice.list({ prefix: 'teams/red/' })).objects?.map((o) => o.name)).toEqual(['teams/red/plan.pdf']);
  });

  test('carol (team blue) gets no URL for it, and OSS refuses her STS read and list of teams/red/', async () => {
    expect((await api('carol', 'sign', { op: 'get', key: 'teams/red/plan.pdf' })).status).toBe(400);
    const carol = await sts('carol', 'teams/', ['read', 'list', 'write']);
    expect(await ossError(carol.get('teams/red/plan.pdf'))).toEqual([403, 'AccessDenied']);
    expect(await ossError(carol.list({ prefix: 'teams/red/' }))).toEqual([403, 'AccessDenied']);
    expect(await ossError(carol.put('teams/red/x.pdf', PDF, { headers: { 'Content-Type': 'application/pdf' } }))).toEqual([403, 'AccessDenied']);
    expect((await carol.put('teams/blue/x.pdf', PDF, { headers: { 'Content-Type': 'application/pdf' } })).res.status).toBe(200);
  });

  test('no member deletes a team file: the rule grants no delete (RuleDenied)', async () => {
    const refused = await api('alice', 'sign', { op: 'delete', key: 'teams/red/plan.pdf' });
    expect([refused.status, refused.body.error.rule]).toEqual([403, 'teams/{claims.team}/*']);
  });
});

describe('documents/{uid}/*: PDFs up to 50 MB, always with the file name', () => {
  test('a PDF with its name is signed and stored; without the name, RuleDenied; another type, ContentTypeNotAllowed', async () => {
    const form = await signed<SignedFormResponse>('alice', { op: 'post', path: 'documents/alice/', filename: 'cv.pdf', contentType: 'application/pdf', size: PDF.length });
    expect((await fetch(form.url, { method: 'POST', body: formOf(form.fields, { bytes: PDF, name: 'cv.pdf', type: 'application/pdf' }) })).status).toBe(200);
    expect((await api('alice', 'sign', { op: 'post', key: 'documents/alice/a.pdf', contentType: 'application/pdf', size: 10 })).body.error.code).toBe('RuleDenied');
    expect((await api('alice', 'sign', { op: 'post', key: 'documents/alice/a.txt', filename: 'a.txt', contentType: 'text/plain', size: 10 })).body.error.code).toBe('ContentTypeNotAllowed');
  });

  test('a form signed for a PDF cannot carry another type: OSS refuses it', async () => {
    const form = await signed<SignedFormResponse>('alice', { op: 'post', key: 'documents/alice/b.pdf', filename: 'b.pdf', contentType: 'application/pdf', size: PDF.length });
    const res = await fetch(form.url, { method: 'POST', body: formOf({ ...form.fields, 'Content-Type': 'text/html' }, { bytes: PDF, name: 'b.pdf', type: 'text/html' }) });
    expect([res.status, await ossCode(res)]).toEqual([403, 'AccessDenied']);
  });
});

describe('videos/{uid}/*: multipart only; moderators read and delete any video', () => {
  test('no form and no presigned PUT: RuleDenied naming the rule', async () => {
    for (const op of ['put', 'post']) {
      const refused = await api('alice', 'sign', { op, key: 'videos/alice/clip.mp4', contentType: 'video/mp4', size: 1000 });
      expect([refused.status, refused.body.error.code, refused.body.error.rule]).toEqual([403, 'RuleDenied', 'videos/{uid}/*']);
    }
  });

  test('alice uploads by STS multipart; carol (moderator) reads and deletes it; bob may not', async () => {
    const alice = await sts('alice', 'videos/alice/', ['write']);
    const video = Buffer.alloc(300 * 1024, 7);
    expect((await alice.multipartUpload('videos/alice/clip.mp4', video, { partSize: 100 * 1024, mime: 'video/mp4' })).res.status).toBe(200);
    expect(await getByUrl('carol', 'videos/alice/clip.mp4')).toBe(200);
    expect((await api('bob', 'sign', { op: 'get', key: 'videos/alice/clip.mp4' })).body.error.code).toBe('KeyOutsidePrefix');
    const url = await signed<SignedUrlResponse>('carol', { op: 'delete', key: 'videos/alice/clip.mp4' });
    expect((await fetch(url.url, { method: 'DELETE', headers: url.headers })).status).toBe(204);
  });

  test('a PutObject there with STS credentials gets past RAM (every multipart step is PutObject) and the OSS event flags it', async () => {
    const alice = await sts('alice', 'videos/alice/', ['write']);
    expect((await alice.put('videos/alice/sneaky.mp4', Buffer.alloc(100), { headers: { 'Content-Type': 'video/mp4' } })).res.status).toBe(200);
    expect(await eventViolation('videos/alice/sneaky.mp4')).toBe('RuleDenied');
  });
});
