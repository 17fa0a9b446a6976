// Browser-style uploads to the local OSS: PostObject forms (V4 and V1) held to their policy, the
// upload callback signed and relayed as OSS does it, the object-created event, presigned PUTs,
// and CORS for the app's origin.

import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { verifyCallback } from '../../shared/callback-auth/verify';
import { postPlan } from '../../shared/policy/post-conditions';
import { grantFor, type Grant } from '../../shared/policy/rules';
import { putPlan } from '../../shared/policy/url-constraints';
import type { Credentials } from '../../shared/signer/credentials';
import { objectUrl } from '../../shared/signer/url';
import { signPostV1 } from '../../shared/signer/v1';
import { presignV4, signPostV4 } from '../../shared/signer/v4';
import { BUCKET, errorCode, REGION, refusal, startTestOss, type TestOss } from './local-oss-setup';

const APP_ORIGIN = 'http://localhost:5173';
/** The rules pin no callback here (no CALLBACK_URL): the tests below attach their own. */
const NO_PIN = { now: new Date() };

/** A callback to `url` with OSS's variables as JSON values: what the local OSS must sign, send and relay. */
function callbackTo(url: string): string {
  const body = '{"bucket":${bucket},"object":${object},"etag":${etag},"size":${size},"mimeType":${mimeType},"operation":${operation}}';
  return Buffer.from(JSON.stringify({ callbackUrl: url, callbackBody: body, callbackBodyType: 'application/json' })).toString('base64');
}

let t: TestOss;
let alice: Grant;
beforeAll(async () => {
  t = await startTestOss([APP_ORIGIN]);
  alice = grantFor('alice', 'readwrite', t.rules);
});
afterAll(() => t.close());
afterEach(() => {
  t.clock.offsetMs = 0;
});

interface Form {
  fields: Record<string, string>;
  key: string;
}

/** The form the sign function would hand out for alice; `unpin` drops the plan's empty pins on those fields. */
function v4Form(req: { key?: string; contentType?: string; size?: number }, extra: { fields?: Record<string, string>; conditions?: unknown[]; unpin?: string[] } = {}, creds: Credentials = t.alice): Form {
  const plan = postPlan(alice, { contentType: 'text/plain', ...req }, NO_PIN);
  const kept = plan.conditions.filter((c) => !(Array.isArray(c) && c[2] === '' && extra.unpin?.includes(String(c[1]).slice(1))));
  const signed = signPostV4([...kept, ...((extra.conditions ?? []) as never[])], { ...plan.fields, ...extra.fields }, creds, REGION, new Date(), plan.expiresSeconds);
  return { fields: signed.fields, key: plan.key };
}

/** The form as a browser's FormData sends it (UTF-8 names); `filename` null sends a file part without one. */
function post(fields: Record<string, string>, file: Buffer | string, headers: Record<string, string> = {}, filename: string | null = 'upload.txt'): Promise<Response> {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  const bytes = typeof file === 'string' ? Buffer.from(file) : file;
  if (filename === null) form.append('file', bytes.toString('utf8'));
  else form.append('file', new Blob([new Uint8Array(bytes)]), filename);
  return fetch(`${t.oss.url}/${BUCKET}`, { method: 'POST', body: form, headers });
}

async function exists(key: string): Promise<boolean> {
  const r = await refusal(t.client(t.admin).head(key));
  return r.status === undefined;
}

interface CreatedEvent {
  eventName: string;
  oss: { bucket: { name: string }; object: { key: string; eTag: string; size: number } };
}

/** The object-created event for `key`, once the server has delivered it (it does so after answering). */
async function eventFor(key: string): Promise<CreatedEvent> {
  for (let i = 0; i < 200; i++) {
    const found = t.events.map((e) => (JSON.parse(e.toString('utf8')) as { events: CreatedEvent[] }).events[0]).filter((e) => e.oss.object.key === key);
    if (found.length) return found[found.length - 1];
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`no object-created event for ${key}`);
}

describe('PostObject', () => {
  it('stores a V4 form upload, answers with success_action_status, and emits ObjectCreated:PostObject', async () => {
    const form = v4Form({});
    const res = await post(form.fields, 'posted text');
    expect(res.status).toBe(200);
    const etag = res.headers.get('etag');
    expect(etag).toMatch(/^"[0-9A-F]{32}"$/);
    expect((await t.client(t.alice).get(form.key)).content.toString()).toBe('posted text');
    const e = await eventFor(form.key);
    expect([e.eventName, e.oss.object.key, `"${e.oss.object.eTag}"`, e.oss.object.size, e.oss.bucket.name]).toEqual([
      'ObjectCreated:PostObject',
      form.key,
      etag,
      11,
      BUCKET,
    ]);
  });

  it('stores a V1 form upload', async () => {
    const plan = postPlan(alice, { contentType: 'text/plain' }, NO_PIN);
    const signed = signPostV1(plan.conditions, plan.fields, t.alice, new Date(), plan.expiresSeconds);
    expect((await post(signed.fields, 'v1 form')).status).toBe(200);
    expect(await exists(plan.key)).toBe(true);
  });

  it('refuses a file over content-length-range with EntityTooLarge and stores nothing', async () => {
    const form = v4Form({ size: 10 });
    const res = await post(form.fields, '0123456789A');
    expect([res.status, await errorCode(res)]).toEqual([400, 'EntityTooLarge']);
    expect(await exists(form.key)).toBe(false);
  });

  it('stops a large file at the size limit: EntityTooLarge, and no temporary file is left', async () => {
    const form = v4Form({ size: 1024 * 1024 });
    const res = await post(form.fields, Buffer.alloc(8 * 1024 * 1024, 1));
    expect([res.status, await errorCode(res)]).toEqual([400, 'EntityTooLarge']);
    expect(await exists(form.key)).toBe(false);
    expect(readdirSync(join(t.dataDir, BUCKET, 'tmp'))).toEqual([]);
  });

  it('refuses a file under content-length-range with EntityTooSmall', async () => {
    const form = v4Form({ size: 10 });
    const res = await post(form.fields, '012345678');
    expect([res.status, await errorCode(res)]).toEqual([400, 'EntityTooSmall']);
    expect(await exists(form.key)).toBe(false);
  });

  it('refuses a key other than the signed one: AccessDenied by the policy', async () => {
    const form = v4Form({});
    const res = await post({ ...form.fields, key: 'users/alice/elsewhere.txt' }, 'x');
    const text = await res.text();
    expect([res.status, /<Code>([^<]*)/.exec(text)?.[1]]).toEqual([403, 'AccessDenied']);
    expect(text).toContain('Invalid according to Policy');
  });

  it('refuses a Content-Type other than the signed one', async () => {
    const form = v4Form({ contentType: 'image/png' });
    const res = await post({ ...form.fields, 'Content-Type': 'text/html' }, 'x');
    expect([res.status, await errorCode(res)]).toEqual([403, 'AccessDenied']);
  });

  it('refuses a form after its policy expired', async () => {
    const form = v4Form({});
    t.clock.offsetMs = (t.rules.postExpiresSeconds + 5) * 1000;
    const res = await post(form.fields, 'late');
    const text = await res.text();
    expect(res.status).toBe(403);
    expect(text).toContain('Policy expired');
  });

  it('refuses a changed signature with SignatureDoesNotMatch', async () => {
    const form = v4Form({});
    const sig = form.fields['x-oss-signature'];
    const res = await post({ ...form.fields, 'x-oss-signature': (sig[0] === 'a' ? 'b' : 'a') + sig.slice(1) }, 'x');
    expect([res.status, await errorCode(res)]).toEqual([403, 'SignatureDoesNotMatch']);
  });

  it("refuses a form signed for alice's prefix with another user's key", async () => {
    const form = v4Form({ key: 'users/alice/mine.txt' });
    const res = await post({ ...form.fields, key: 'users/bob/mine.txt' }, 'x');
    expect([res.status, await errorCode(res)]).toEqual([403, 'AccessDenied']);
  });

  it('refuses a second upload to the same key when the form forbids overwrite', async () => {
    const key = 'users/alice/post-once.txt';
    expect((await post(v4Form({ key }).fields, 'first')).status).toBe(200);
    const res = await post(v4Form({ key }).fields, 'second');
    expect([res.status, await errorCode(res)]).toEqual([409, 'FileAlreadyExists']);
    expect((await t.client(t.alice).get(key)).content.toString()).toBe('first');
  });

  it('answers 201 with the PostResponse document when asked', async () => {
    // The plan pins 200; pin 201 instead.
    const plan = postPlan(alice, { contentType: 'text/plain' }, NO_PIN);
    const conditions = plan.conditions.filter((c) => JSON.stringify(c) !== JSON.stringify(['eq', '$success_action_status', '200']));
    const signed = signPostV4(conditions, { ...plan.fields, success_action_status: '201' }, t.alice, REGION, new Date(), 60);
    const res = await post(signed.fields, 'created');
    const text = await res.text();
    expect(res.status).toBe(201);
    expect(text).toContain(`<Key>${plan.key}</Key>`);
    expect(text).toContain('<PostResponse>');
  });
});

interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

/** A callback receiver on loopback that verifies OSS's signature with the project's verifier. */
async function receiver(answer: (r: Received, verified: boolean) => { status: number; body: string } | 'hang'): Promise<{ url: string; calls: Received[]; close(): Promise<void> }> {
  const calls: Received[] = [];
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const r: Received = { path: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks) };
    calls.push(r);
    const verified = await verifyCallback(
      { path: decodeURIComponent(r.path), body: r.body, authorization: String(req.headers.authorization ?? ''), pubKeyUrl: String(req.headers['x-oss-pub-key-url'] ?? '') },
      { trustedKeys: [t.publicKeyPem] },
    ).then(
      () => true,
      () => false,
    );
    const a = answer(r, verified);
    if (a === 'hang') return;
    res.writeHead(a.status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(a.body) });
    res.end(a.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://localhost:${(server.address() as AddressInfo).port}/callback`,
    calls,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

describe('PostObject forms as browsers and the SDK samples send them', () => {
  it.each([['résumé.png'], ['照片.png'], ['😀 party.png'], ['a$&b $1.png']])('stores ${filename} = %s exactly as the browser sent it', async (name) => {
    const form = v4Form({ key: 'users/alice/names/${filename}', contentType: 'image/png' });
    const res = await post(form.fields, 'png bytes', {}, name);
    expect(res.status).toBe(200);
    const listed = await t.client(t.alice).list({ prefix: 'users/alice/names/' }, {});
    expect(listed.objects?.map((o) => o.name)).toContain(`users/alice/names/${name}`);
    expect((await eventFor(`users/alice/names/${name}`)).oss.object.key).toBe(`users/alice/names/${name}`);
  });

  it('reads a filename given as an RFC 5987 filename* parameter', async () => {
    const form = v4Form({ key: 'users/alice/names/${filename}', contentType: 'image/png' });
    const boundary = 'b0undary';
    const parts = Object.entries(form.fields).map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`);
    const body = `${parts.join('')}--${boundary}\r\nContent-Disposition: form-data; name="file"; filename*=UTF-8''%E7%85%A7%E7%89%87-5987.png\r\n\r\nx\r\n--${boundary}--\r\n`;
    const res = await fetch(`${t.oss.url}/${BUCKET}`, { method: 'POST', body, headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` } });
    expect(res.status).toBe(200);
    expect(await exists('users/alice/names/照片-5987.png')).toBe(true);
  });

  it('stores UTF-8 field values (metadata, Content-Disposition) as the bytes sent, and answers them as OSS does', async () => {
    // The sign function pins Content-Disposition empty; this form, signed by hand, leaves it free.
    const form = v4Form({}, { fields: { 'x-oss-meta-caption': 'été 照片 😀', 'Content-Disposition': 'attachment; filename="résumé.txt"' }, unpin: ['Content-Disposition'] });
    expect((await post(form.fields, 'meta')).status).toBe(200);
    const head = await t.client(t.alice).head(form.key);
    const bytes = (v: string) => Buffer.from(v, 'latin1').toString('utf8');
    expect(bytes(head.res.headers['x-oss-meta-caption'])).toBe('été 照片 😀');
    expect(bytes(head.res.headers['content-disposition'])).toBe('attachment; filename="résumé.txt"');
  });

  it('takes a file part without a filename as the file (the Go v2 and Python v2 PostObject samples)', async () => {
    const form = v4Form({});
    const res = await post(form.fields, 'no filename', {}, null);
    expect(res.status).toBe(200);
    expect((await t.client(t.alice).get(form.key)).content.toString()).toBe('no filename');
  });

  it('refuses a key with ${filename} when the file part has none: InvalidArgument, nothing stored', async () => {
    const form = v4Form({ key: 'users/alice/unnamed/${filename}', contentType: 'image/png' });
    const res = await post(form.fields, 'x', {}, null);
    expect([res.status, await errorCode(res)]).toEqual([400, 'InvalidArgument']);
    expect((await t.client(t.alice).list({ prefix: 'users/alice/unnamed/' }, {})).objects ?? []).toEqual([]);
  });
});

describe('the upload callback', () => {
  it('after a PostObject: signed with the local key, the body from the template, the answer relayed', async () => {
    const cb = await receiver((r, verified) => ({ status: verified ? 200 : 403, body: JSON.stringify({ ok: verified, got: JSON.parse(r.body.toString()) }) }));
    try {
      const callback = callbackTo(cb.url);
      const form = v4Form({}, { fields: { callback }, conditions: [{ callback }] });
      const res = await post(form.fields, 'with callback');
      const answer = await res.json();
      expect(res.status).toBe(200);
      expect(answer.ok).toBe(true);
      const etag = (res.headers.get('etag') as string).replace(/"/g, '');
      expect(answer.got).toEqual({ bucket: BUCKET, object: form.key, etag, size: 13, mimeType: 'text/plain', operation: 'PostObject' });
      expect(cb.calls[0].headers['content-type']).toBe('application/json');
      expect(Buffer.from(String(cb.calls[0].headers['x-oss-pub-key-url']), 'base64').toString()).toBe('https://gosspublic.alicdn.com/callback_pub_key_v1.pem');
      expect((await eventFor(form.key)).oss.object.eTag).toBe(etag);
    } finally {
      await cb.close();
    }
  });

  it('after an ali-oss put with a callback: the JSON answer is the result, form-encoded variables included', async () => {
    const cb = await receiver((r) => ({ status: 200, body: JSON.stringify({ echoed: r.body.toString() }) }));
    try {
      const result = await t.client(t.alice).put('users/alice/cb-put.txt', Buffer.from('put body'), {
        callback: { url: cb.url, body: 'object=${object}&size=${size}&who=${x:who}', contentType: 'application/x-www-form-urlencoded', customValue: { who: 'alice & co' } },
      });
      expect(result.res.status).toBe(200);
      expect(result.data).toEqual({ echoed: 'object=users%2Falice%2Fcb-put.txt&size=8&who=alice%20%26%20co' });
    } finally {
      await cb.close();
    }
  });

  it('after CompleteMultipartUpload (ali-oss multipartUpload with a callback)', async () => {
    const cb = await receiver((r) => ({ status: 200, body: r.body.toString() }));
    try {
      const body = Buffer.alloc(300 * 1024, 1);
      const result = await t.client(t.alice).multipartUpload('users/alice/cb-multi.bin', body, {
        partSize: 100 * 1024,
        callback: { url: cb.url, body: '{"object":${object},"size":${size},"operation":${operation}}', contentType: 'application/json' },
      });
      expect(result.res.status).toBe(200);
      expect(JSON.parse(cb.calls[0].body.toString())).toEqual({ object: 'users/alice/cb-multi.bin', size: 300 * 1024, operation: 'CompleteMultipartUpload' });
      expect((await eventFor('users/alice/cb-multi.bin')).eventName).toBe('ObjectCreated:CompleteMultipartUpload');
    } finally {
      await cb.close();
    }
  });

  it('a receiver answering 500: 203 CallbackFailed, and the object is kept', async () => {
    const cb = await receiver(() => ({ status: 500, body: '{"error":"nope"}' }));
    try {
      const callback = callbackTo(cb.url);
      const form = v4Form({}, { fields: { callback }, conditions: [{ callback }] });
      const res = await post(form.fields, 'kept anyway');
      expect([res.status, await errorCode(res)]).toEqual([203, 'CallbackFailed']);
      expect(await exists(form.key)).toBe(true);
    } finally {
      await cb.close();
    }
  });

  it('a receiver slower than 5 seconds: 203 CallbackFailed after the timeout', async () => {
    const cb = await receiver(() => 'hang');
    try {
      const started = Date.now();
      const r = await refusal(
        t.client(t.alice).put('users/alice/slow.txt', Buffer.from('slow'), { callback: { url: cb.url, body: 'object=${object}' } }),
      );
      expect(r).toEqual({ status: 203, code: 'CallbackFailed' });
      expect(Date.now() - started).toBeGreaterThanOrEqual(4900);
      expect(await exists('users/alice/slow.txt')).toBe(true);
    } finally {
      await cb.close();
    }
  }, 15000);

  it('a form whose callback differs from the one its policy pins: AccessDenied, no callback made', async () => {
    const cb = await receiver(() => ({ status: 200, body: '{}' }));
    try {
      const pinned = callbackTo(cb.url);
      const form = v4Form({}, { fields: { callback: pinned }, conditions: [{ callback: pinned }] });
      const res = await post({ ...form.fields, callback: callbackTo(`${cb.url}?evil=1`) }, 'x');
      expect([res.status, await errorCode(res)]).toEqual([403, 'AccessDenied']);
      expect(cb.calls).toHaveLength(0);
    } finally {
      await cb.close();
    }
  });
});

describe('presigned PUT', () => {
  function signedPut(req: { key?: string; contentType?: string; size?: number }, query: [string, string][] = []) {
    const plan = putPlan(alice, { contentType: 'text/plain', ...req }, NO_PIN);
    const signed = presignV4(
      { method: 'PUT', bucket: BUCKET, key: plan.key, query: [...Object.entries(plan.query), ...query], headers: plan.headers, additionalHeaders: plan.additionalHeaders },
      t.alice,
      REGION,
      new Date(),
      plan.expiresSeconds,
    );
    return { plan, url: objectUrl({ endpoint: t.oss.url, pathStyle: true }, BUCKET, plan.key, signed.query) };
  }

  it('uploads with exactly the signed headers and emits ObjectCreated:PutObject', async () => {
    const { plan, url } = signedPut({ size: 5 });
    const res = await fetch(url, { method: 'PUT', headers: plan.headers, body: 'hello' });
    expect(res.status).toBe(200);
    expect(await eventFor(plan.key)).toMatchObject({ eventName: 'ObjectCreated:PutObject', oss: { object: { key: plan.key, size: 5 } } });
  });

  it('refuses another Content-Type or another length than signed', async () => {
    const { plan, url } = signedPut({ size: 5 });
    const wrongType = await fetch(url, { method: 'PUT', headers: { ...plan.headers, 'Content-Type': 'text/html' }, body: 'hello' });
    expect([wrongType.status, await errorCode(wrongType)]).toEqual([403, 'SignatureDoesNotMatch']);
    const wrongLength = await fetch(url, { method: 'PUT', headers: { ...plan.headers, 'Content-Length': '6' }, body: 'hello!' });
    expect([wrongLength.status, await errorCode(wrongLength)]).toEqual([403, 'SignatureDoesNotMatch']);
  });

  it('makes the callback given in its signed query', async () => {
    const cb = await receiver((r) => ({ status: 200, body: r.body.toString() }));
    try {
      const { plan, url } = signedPut({ size: 2 }, [['callback', callbackTo(cb.url)]]);
      const res = await fetch(url, { method: 'PUT', headers: plan.headers, body: 'hi' });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ object: plan.key, size: 2, operation: 'PutObject' });
    } finally {
      await cb.close();
    }
  });
});

describe('CORS for the app origin', () => {
  it('answers a preflight from the app origin and exposes ETag', async () => {
    const res = await fetch(`${t.oss.url}/${BUCKET}/users/alice/x`, {
      method: 'OPTIONS',
      headers: { Origin: APP_ORIGIN, 'Access-Control-Request-Method': 'PUT', 'Access-Control-Request-Headers': 'content-type,x-oss-date' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    expect(res.headers.get('access-control-allow-headers')).toBe('content-type,x-oss-date');
    expect(res.headers.get('access-control-expose-headers')).toContain('ETag');
  });

  it('refuses a preflight from another origin', async () => {
    const res = await fetch(`${t.oss.url}/${BUCKET}/users/alice/x`, { method: 'OPTIONS', headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'PUT' } });
    expect([res.status, await errorCode(res)]).toEqual([403, 'AccessForbidden']);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('marks actual responses (errors included) for the app origin', async () => {
    const res = await fetch(`${t.oss.url}/${BUCKET}/users/alice/x`, { headers: { Origin: APP_ORIGIN } });
    expect(res.status).toBe(403);
    expect(res.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    expect(res.headers.get('access-control-expose-headers')).toContain('ETag');
  });

  it('serves the rule the deployed bucket gets (deploy/ram/bucket-cors.json): its methods, exposed headers and max age', async () => {
    const [rule] = (JSON.parse(readFileSync(join(__dirname, '../../deploy/ram/bucket-cors.json'), 'utf8')) as { CORSRule: { AllowedMethod: string[]; ExposeHeader: string[]; MaxAgeSeconds: number }[] }).CORSRule;
    const res = await fetch(`${t.oss.url}/${BUCKET}/users/alice/x`, {
      method: 'OPTIONS',
      headers: { Origin: APP_ORIGIN, 'Access-Control-Request-Method': 'DELETE' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-methods')).toBe(rule.AllowedMethod.join(', '));
    expect(res.headers.get('access-control-expose-headers')).toBe(rule.ExposeHeader.join(', '));
    expect(res.headers.get('access-control-max-age')).toBe(String(rule.MaxAgeSeconds));
    // What a browser must read: the name, the CRC-64 it compares, the part ETags of multipart.
    expect(rule.ExposeHeader).toEqual(expect.arrayContaining(['ETag', 'x-oss-meta-filename', 'x-oss-hash-crc64ecma']));
  });

  it('refuses a preflight for a method the bucket CORS file does not allow', async () => {
    const res = await fetch(`${t.oss.url}/${BUCKET}/users/alice/x`, { method: 'OPTIONS', headers: { Origin: APP_ORIGIN, 'Access-Control-Request-Method': 'PATCH' } });
    expect([res.status, await errorCode(res)]).toEqual([403, 'AccessForbidden']);
  });
});
