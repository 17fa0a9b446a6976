// The attack paths of issue 13, tried end to end against the local runtime exactly as an attacker
// would (mallory, with her own JWT and STS credentials), each beside its allowed twin so a build that
// refuses everything fails too. Where OSS's rules refuse, the refusal is the local OSS's XML answer to
// a request the handlers let through.

import { createHmac } from 'node:crypto';
import type { LocalRuntime } from '../../local/runtime';
import { UploadSession } from '../../client';
import type { CallbackAnswer, SignedCallbackResponse, SignedUrlResponse } from '../../shared/api/types';
import { setLogSink } from '../../shared/log';
import { postAs, startTestRuntime } from '../helpers/runtime';
import { type AliOssResult, stsAliOss } from '../helpers/sts-ali-oss';

const BUCKET = 'local-uploads';

interface AliOss {
  put(name: string, body: Buffer, options?: Record<string, unknown>): Promise<AliOssResult>;
  putSymlink(name: string, target: string): Promise<AliOssResult>;
  append(name: string, body: Buffer, options?: Record<string, unknown>): Promise<AliOssResult & { nextAppendPosition: string }>;
  copy(name: string, source: string, options?: Record<string, unknown>): Promise<AliOssResult>;
  head(name: string): Promise<AliOssResult>;
  multipartUpload(name: string, body: Buffer, options?: Record<string, unknown>): Promise<AliOssResult>;
}

let rt: LocalRuntime;
let logs: Record<string, unknown>[];
let restoreSink: (line: string) => void;

async function start(env: Record<string, string> = {}): Promise<void> {
  rt = await startTestRuntime({ env });
}

beforeEach(() => {
  logs = [];
  restoreSink = setLogSink((line) => logs.push(JSON.parse(line) as Record<string, unknown>));
});
afterEach(() => setLogSink(restoreSink));

const api = <T>(user: string, path: string, body: unknown) => postAs<T>(rt, user, path, body);

/** An ali-oss client on `user`'s own STS credentials, as /token hands them out. */
async function stsClient(user: string, access = 'readwrite'): Promise<AliOss> {
  return stsAliOss<AliOss>(rt, user, BUCKET, access);
}

/** The status and OSS code of an ali-oss call that may fail. */
const outcome = (p: Promise<unknown>) =>
  p.then(
    () => ({ status: 200, code: undefined as string | undefined }),
    (e: { status: number; code: string }) => ({ status: e.status, code: e.code }),
  );

/** GET of a /sign URL for `user`: status and OSS code. */
async function signedGet(user: string, key: string): Promise<{ status: number; code?: string; body: string }> {
  const { body } = await api<{ url: string }>(user, 'sign', { op: 'get', key });
  const res = await fetch(body.url);
  const text = await res.text();
  return { status: res.status, code: /<Code>([^<]*)<\/Code>/.exec(text)?.[1], body: text };
}

/** The callback function's request log line for `key` (its code when refused). */
const callbackLine = (key: string) => logs.find((l) => l.fn === 'callback' && l.path === '/api/callback' && l.object === key);

/** Waits until the OSS event path has logged its outcome for `key`. */
async function eventOutcome(key: string): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const line = logs.find((l) => l.source === 'oss-event' && l.object === key && l.outcome !== undefined);
    if (line) return line;
    if (Date.now() > deadline) throw new Error(`no OSS event outcome for ${key}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The log line of a violation of `key` handled with `action`, by the callback or the event path, once one is written. */
async function violationLine(key: string, action: 'kept' | 'deleted'): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const line = logs.find((l) => l.object === key && l.action === action);
    if (line) return line;
    if (Date.now() > deadline) throw new Error(`no violation of ${key} ${action}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A presigned PUT from /sign, sent with an unsigned `Content-Encoding: gzip` added: OSS's answer to the uploader. */
async function gzipPut(key: string): Promise<{ status: number; code?: string }> {
  const put = (await api<SignedUrlResponse>('mallory', 'sign', { op: 'put', key, contentType: 'text/plain', size: 5 })).body;
  const res = await fetch(put.url, { method: 'PUT', headers: { ...put.headers, 'Content-Encoding': 'gzip' }, body: 'plain' });
  return { status: res.status, code: /<Code>([^<]*)<\/Code>/.exec(await res.text())?.[1] };
}

/** A multipart upload with mallory's STS credentials and the callback /sign pins, whose InitiateMultipartUpload adds Cache-Control. */
async function cachedMultipart(key: string): Promise<{ status: number; code?: string }> {
  const { body: plan } = await api<SignedCallbackResponse>('mallory', 'sign', { op: 'callback', key, contentType: 'text/plain' });
  const p = plan.callbackParams!;
  const mallory = await stsClient('mallory', 'upload');
  return outcome(
    mallory.multipartUpload(key, Buffer.alloc(250 * 1024, 0x61), {
      partSize: 100 * 1024,
      mime: 'text/plain',
      headers: { ...plan.headers, 'Cache-Control': 'public, max-age=31536000' },
      callback: { url: p.callbackUrl, body: p.callbackBody, contentType: p.callbackBodyType },
    }),
  );
}

const SETTING_ATTACKS = [
  ['a presigned PUT sent with an added, unsigned Content-Encoding: gzip', gzipPut],
  ['a multipart upload with STS credentials whose InitiateMultipartUpload sets Cache-Control', cachedMultipart],
] as const;

describe('with CALLBACK_ON_VIOLATION=keep (the default)', () => {
  let bobEtag: string;
  beforeAll(async () => {
    await start();
    const bob = await stsClient('bob');
    const put = await bob.put('users/bob/secret.txt', Buffer.from("bob's secret"), { headers: { 'Content-Type': 'text/plain' } });
    bobEtag = String(put.res.headers.etag).replace(/"/g, '');
  });
  afterAll(() => rt.stop());

  describe('a cross-user read through a symlink', () => {
    test('through /sign: mallory links her own key to bob\'s object, and OSS refuses her signed GET of the link (403 AccessDenied)', async () => {
      const mallory = await stsClient('mallory', 'upload');
      expect((await mallory.putSymlink('users/mallory/peek', 'users/bob/secret.txt')).res.status).toBe(200);
      // The sign function signs it (the key is hers); OSS refuses the read of the target with her scope.
      const got = await signedGet('mallory', 'users/mallory/peek');
      expect([got.status, got.code]).toEqual([403, 'AccessDenied']);
      expect(got.body).not.toContain("bob's secret");
    });

    test('its twin: a link to one\'s own object reads through /sign', async () => {
      const mallory = await stsClient('mallory');
      await mallory.put('users/mallory/mine.txt', Buffer.from('mine'), { headers: { 'Content-Type': 'text/plain' } });
      await mallory.putSymlink('users/mallory/to-mine', 'users/mallory/mine.txt');
      const got = await signedGet('mallory', 'users/mallory/to-mine');
      expect([got.status, got.body]).toEqual([200, 'mine']);
    });

    test('through the callback\'s URL: a genuine callback naming her link, with a valid MAC for it, gets 203 and no URL (the link is ObjectTypeNotAllowed)', async () => {
      const mallory = await stsClient('mallory');
      await mallory.putSymlink('users/mallory/peek2', 'users/bob/secret.txt');
      // /sign pins a callback for her key peek2; she sends its body with the object and ETag written in.
      const { body: plan } = await api<SignedCallbackResponse>('mallory', 'sign', { op: 'callback', key: 'users/mallory/peek2' });
      const body = plan.callbackParams!.callbackBody.replace('${object}', '"users/mallory/peek2"').replace('${etag}', `"${bobEtag}"`);
      const err = await outcome(mallory.put('users/mallory/carrier.txt', Buffer.from('x'), { headers: { 'Content-Type': 'text/plain' }, callback: { url: plan.callbackParams!.callbackUrl, body, contentType: 'application/json' } }));
      expect(err).toEqual({ status: 203, code: 'CallbackFailed' });
      expect(callbackLine('users/mallory/peek2')).toMatchObject({ status: 400, code: 'ObjectTypeNotAllowed' });
    });
  });

  describe('a relayed callback', () => {
    /** Mallory uploads her own file with a callback body she writes naming bob's object and ETag. */
    async function relay(extra: Record<string, unknown>): Promise<{ status: number; code?: string }> {
      const mallory = await stsClient('mallory', 'upload');
      const vars = `"bucket":\${bucket},"object":"users/bob/secret.txt","etag":"${bobEtag}","size":12,"mimeType":"text/plain","operation":\${operation}`;
      const fields = Object.entries(extra).map(([k, v]) => `,"${k}":${JSON.stringify(v)}`).join('');
      return outcome(mallory.put('users/mallory/relay.txt', Buffer.from('x'), {
        headers: { 'Content-Type': 'text/plain' },
        callback: { url: `${rt.appUrl}/api/callback`, body: `{${vars}${fields}}`, contentType: 'application/json' },
      }));
    }

    test('without a MAC: OSS delivers it, the callback refuses it 403 CallbackMacMissing, the uploader gets 203 and no URL of bob\'s', async () => {
      expect(await relay({})).toEqual({ status: 203, code: 'CallbackFailed' });
      expect(callbackLine('users/bob/secret.txt')).toMatchObject({ status: 403, code: 'CallbackMacMissing' });
    });

    test('with the MAC /sign pinned for mallory\'s own key: 403 CallbackMacInvalid', async () => {
      const { body: plan } = await api<SignedCallbackResponse>('mallory', 'sign', { op: 'callback', key: 'users/mallory/relay.txt' });
      const pinned = JSON.parse(plan.callbackParams!.callbackBody.replace(/\$\{[a-zA-Z]+\}/g, 'null')) as Record<string, unknown>;
      expect(await relay({ owner: pinned.owner, exp: pinned.exp, mac: pinned.mac })).toEqual({ status: 203, code: 'CallbackFailed' });
      expect(callbackLine('users/bob/secret.txt')).toMatchObject({ status: 403, code: 'CallbackMacInvalid' });
    });

    test('with a MAC for bob\'s key that has expired (an old one that leaked): 403 CallbackMacExpired', async () => {
      const exp = Math.floor(Date.now() / 1000) - 600;
      const input = JSON.stringify(['oss-upload-callback/1', BUCKET, 'users/bob/secret.txt', null, 'bob', exp]);
      const mac = createHmac('sha256', Buffer.from(rt.env.CALLBACK_MAC_KEY as string, 'base64')).update(input).digest('base64url');
      expect(await relay({ owner: 'bob', exp, mac })).toEqual({ status: 203, code: 'CallbackFailed' });
      expect(callbackLine('users/bob/secret.txt')).toMatchObject({ status: 403, code: 'CallbackMacExpired' });
    });

    test('its twin: bob\'s own upload with the callback /sign pinned gets his answer and a download URL that works', async () => {
      const bob = await stsClient('bob', 'upload');
      const { body: plan } = await api<SignedCallbackResponse>('bob', 'sign', { op: 'callback', key: 'users/bob/own.txt' });
      const p = plan.callbackParams!;
      const put = await bob.put('users/bob/own.txt', Buffer.from('his own'), { headers: { 'Content-Type': 'text/plain' }, callback: { url: p.callbackUrl, body: p.callbackBody, contentType: p.callbackBodyType } });
      const answer = put.data as CallbackAnswer;
      expect([answer.user, answer.key]).toEqual(['bob', 'users/bob/own.txt']);
      expect(await (await fetch(answer.url!)).text()).toBe('his own');
    });
  });

  describe('an upload that sets how its object is served or stored', () => {
    test.each(SETTING_ATTACKS)('%s: OSS stores it, the callback refuses it (400 ObjectSettingNotAllowed), the uploader gets 203, and it is kept and flagged', async (_what, attack) => {
      const key = `users/mallory/kept-${attack.name}.txt`;
      expect(await attack(key)).toEqual({ status: 203, code: 'CallbackFailed' });
      expect(callbackLine(key)).toMatchObject({ status: 400, code: 'ObjectSettingNotAllowed' });
      expect(await violationLine(key, 'kept')).toMatchObject({ violation: 'ObjectSettingNotAllowed', user: 'mallory', flagged: true });
      expect((await (await stsClient('mallory')).head(key)).res.status).toBe(200);
    });
  });

  describe('objects that appear other than by an upload, on the OSS event path', () => {
    test('an append under a user prefix is reported as a violation (ObjectTypeNotAllowed), kept and flagged', async () => {
      const mallory = await stsClient('mallory', 'upload');
      await mallory.append('users/mallory/grows.txt', Buffer.from('first part'), { headers: { 'Content-Type': 'text/plain' } });
      expect(await eventOutcome('users/mallory/grows.txt')).toMatchObject({ outcome: 'violation', code: 'ObjectTypeNotAllowed', flagged: true, user: 'mallory' });
    });

    test('a symlink under a user prefix is reported as a violation (ObjectTypeNotAllowed)', async () => {
      const mallory = await stsClient('mallory', 'upload');
      await mallory.putSymlink('users/mallory/link', 'users/mallory/grows.txt');
      expect(await eventOutcome('users/mallory/link')).toMatchObject({ outcome: 'violation', code: 'ObjectTypeNotAllowed', flagged: true });
    });

    test('a copy stored as text/html is checked like an upload: a violation (ContentTypeNotAllowed)', async () => {
      const mallory = await stsClient('mallory');
      await mallory.put('users/mallory/a.png', Buffer.from('not an image'), { headers: { 'Content-Type': 'image/png' } });
      await mallory.copy('users/mallory/b.png', 'users/mallory/a.png', { headers: { 'Content-Type': 'text/html' } });
      expect(await eventOutcome('users/mallory/b.png')).toMatchObject({ outcome: 'violation', code: 'ContentTypeNotAllowed' });
    });

    test('a copy that replaces the metadata with a Cache-Control is a violation (ObjectSettingNotAllowed), kept and flagged', async () => {
      const mallory = await stsClient('mallory');
      await mallory.put('users/mallory/e.png', Buffer.from('png bytes'), { headers: { 'Content-Type': 'image/png' } });
      await mallory.copy('users/mallory/f.png', 'users/mallory/e.png', { headers: { 'Content-Type': 'image/png', 'x-oss-metadata-directive': 'REPLACE', 'Cache-Control': 'public, max-age=31536000' } });
      expect(await eventOutcome('users/mallory/f.png')).toMatchObject({ outcome: 'violation', code: 'ObjectSettingNotAllowed', flagged: true, user: 'mallory' });
    });

    test('its twin: a copy that keeps the rules is accepted and delivered', async () => {
      const mallory = await stsClient('mallory');
      await mallory.put('users/mallory/c.png', Buffer.from('png bytes'), { headers: { 'Content-Type': 'image/png' } });
      await mallory.copy('users/mallory/d.png', 'users/mallory/c.png');
      expect(await eventOutcome('users/mallory/d.png')).toMatchObject({ outcome: 'accepted', delivered: true });
    });
  });
});

describe('with CALLBACK_ON_VIOLATION=delete', () => {
  beforeAll(() => start({ CALLBACK_ON_VIOLATION: 'delete' }));
  afterAll(() => rt.stop());

  describe('an upload that sets how its object is served or stored', () => {
    /** The headers HeadObject reports that an upload may not set, of `key`, read with `user`'s STS credentials. */
    async function servedOf(user: string, key: string): Promise<Record<string, string | undefined>> {
      const head = await (await stsClient(user)).head(key);
      const h = head.res.headers;
      return { 'cache-control': h['cache-control'], 'content-disposition': h['content-disposition'], 'content-encoding': h['content-encoding'], 'content-language': h['content-language'], expires: h.expires, 'x-oss-tagging-count': h['x-oss-tagging-count'] };
    }

    test.each(SETTING_ATTACKS)('%s: the uploader gets 203, and the object is gone (deleted by whichever path HEADs it first)', async (_what, attack) => {
      const key = `users/mallory/gone-${attack.name}.txt`;
      expect(await attack(key)).toEqual({ status: 203, code: 'CallbackFailed' });
      expect(await violationLine(key, 'deleted')).toMatchObject({ violation: 'ObjectSettingNotAllowed', user: 'mallory', flagged: false });
      expect(await outcome((await stsClient('mallory')).head(key))).toMatchObject({ status: 404 });
    });

    test.each(['put', 'multipart', 'post'] as const)('its twin: our own client\'s %s upload sets none of them, is accepted, and stays', async (method) => {
      const jwt = await rt.login('carol');
      const session = new UploadSession({ baseUrl: `${rt.appUrl}/api`, authToken: () => jwt });
      const bytes = Buffer.alloc(method === 'multipart' ? 300 * 1024 : 1024, 0x62);
      const result = await session.upload(new File([bytes], `twin-${method}.txt`, { type: 'text/plain' }), { method, partSize: 100 * 1024 });
      expect(result).toMatchObject({ method, size: bytes.length });
      expect(callbackLine(result.key)).toMatchObject({ status: 200 });
      expect(await servedOf('carol', result.key)).toEqual({ 'cache-control': undefined, 'content-disposition': undefined, 'content-encoding': undefined, 'content-language': undefined, expires: undefined, 'x-oss-tagging-count': undefined });
    });
  });

  test.each([
    ['an appendable object', (c: AliOss, key: string) => c.append(key, Buffer.from('part'), { headers: { 'Content-Type': 'text/plain' } })],
    ['a symlink', (c: AliOss, key: string) => c.putSymlink(key, 'users/mallory/anything.txt')],
  ])('%s under a user prefix is deleted by the event path', async (_what, make) => {
    const mallory = await stsClient('mallory');
    const key = `users/mallory/${_what.replace(/\W+/g, '-')}`;
    await make(mallory, key);
    expect(await eventOutcome(key)).toMatchObject({ outcome: 'violation', code: 'ObjectTypeNotAllowed', action: 'deleted' });
    expect(await outcome(mallory.head(key))).toMatchObject({ status: 404 });
  });
});
