// ali-oss 6.23 against the local OSS, with the STS credentials the token function vends (the upload
// role from deploy/ram ∩ alice's readwrite session policy): what OSS allows works, and what OSS
// refuses fails with OSS's error code.

import { createHash } from 'node:crypto';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { objectUrl } from '../../shared/signer/url';
import { presignV4 } from '../../shared/signer/v4';
import { BUCKET, errorCode, REGION, refusal, startTestOss, type TestOss } from './local-oss-setup';

let t: TestOss;
beforeAll(async () => {
  t = await startTestOss();
});
afterAll(() => t.close());
afterEach(() => {
  t.clock.offsetMs = 0;
});

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex').toUpperCase();

describe('alice with vended STS credentials, under her prefix', () => {
  it('puts, gets and heads an object; the ETag is the upper-case MD5', async () => {
    const alice = t.client(t.alice);
    const body = Buffer.from('hello from alice');
    const put = await alice.put('users/alice/notes/a b+c.txt', body);
    expect(put.res.status).toBe(200);
    expect(put.res.headers.etag).toBe(`"${md5(body)}"`);
    const got = await alice.get('users/alice/notes/a b+c.txt');
    expect(got.content.equals(body)).toBe(true);
    const head = await alice.head('users/alice/notes/a b+c.txt');
    expect(head.res.headers['content-length']).toBe(String(body.length));
    expect(head.res.headers.etag).toBe(`"${md5(body)}"`);
  });

  it('lists only under her prefix', async () => {
    const alice = t.client(t.alice);
    await alice.put('users/alice/list/1.txt', Buffer.from('one'));
    await alice.put('users/alice/list/2.txt', Buffer.from('two'));
    await t.client(t.admin).put('users/bob/list/3.txt', Buffer.from('three'));
    const listed = await alice.list({ prefix: 'users/alice/list/', 'max-keys': 100 }, {});
    expect(listed.objects?.map((o) => o.name)).toEqual(['users/alice/list/1.txt', 'users/alice/list/2.txt']);
    expect(await refusal(alice.list({ prefix: 'users/', 'max-keys': 100 }, {}))).toEqual({ status: 403, code: 'AccessDenied' });
  });

  it('pages a listing with max-keys and groups by delimiter, in both ListObjects forms', async () => {
    const alice = t.client(t.alice);
    for (const k of ['a.txt', 'b.txt', 'sub/c.txt', 'sub/d.txt']) await alice.put(`users/alice/page/${k}`, Buffer.from(k));
    const first = await alice.list({ prefix: 'users/alice/page/', 'max-keys': 2 }, {});
    expect([first.objects?.map((o) => o.name), first.isTruncated]).toEqual([['users/alice/page/a.txt', 'users/alice/page/b.txt'], true]);
    const rest = await alice.list({ prefix: 'users/alice/page/', marker: first.nextMarker, 'max-keys': 2 }, {});
    expect([rest.objects?.map((o) => o.name), rest.isTruncated]).toEqual([['users/alice/page/sub/c.txt', 'users/alice/page/sub/d.txt'], false]);
    const grouped = await alice.list({ prefix: 'users/alice/page/', delimiter: '/' }, {});
    expect([grouped.objects?.map((o) => o.name), grouped.prefixes]).toEqual([['users/alice/page/a.txt', 'users/alice/page/b.txt'], ['users/alice/page/sub/']]);
    const v2first = await alice.listV2({ prefix: 'users/alice/page/', 'max-keys': 3 }, {});
    const v2rest = await alice.listV2({ prefix: 'users/alice/page/', 'max-keys': 3, 'continuation-token': v2first.nextContinuationToken }, {});
    expect([...(v2first.objects ?? []), ...(v2rest.objects ?? [])].map((o) => o.name)).toEqual(
      ['a.txt', 'b.txt', 'sub/c.txt', 'sub/d.txt'].map((k) => `users/alice/page/${k}`),
    );
  });

  it('deletes with a key whose policy allows oss:DeleteObject, and the object is gone', async () => {
    const admin = t.client(t.admin);
    await admin.put('users/alice/gone.txt', Buffer.from('bye'));
    expect((await admin.delete('users/alice/gone.txt')).res.status).toBe(204);
    expect(await refusal(admin.head('users/alice/gone.txt'))).toEqual({ status: 404, code: 'NoSuchKey' });
  });

  it('uploads 50 MB in parts and reads back the same bytes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'local-oss-50mb-'));
    const file = join(dir, 'big.bin');
    const size = 50 * 1024 * 1024;
    const source = createHash('md5');
    await pipeline(patterned(size, (c) => source.update(c)), createWriteStream(file));
    try {
      const alice = t.client(t.alice);
      const done = await alice.multipartUpload('users/alice/big.bin', file, { partSize: 5 * 1024 * 1024, parallel: 2 });
      expect(done.res.status).toBe(200);
      const head = await alice.head('users/alice/big.bin');
      expect(head.res.headers['content-length']).toBe(String(size));
      expect(head.res.headers.etag).toMatch(/^"[0-9A-F]{32}-10"$/);
      expect(await downloadMd5(t, 'users/alice/big.bin')).toBe(source.digest('hex'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('resumes an interrupted multipart upload from its checkpoint, on the same upload id', async () => {
    const body = Buffer.alloc(6 * 1024 * 1024);
    for (let i = 0; i < body.length; i += 4) body.writeUInt32BE(i, i);
    const alice = t.client(t.alice);
    let checkpoint: { uploadId: string; doneParts: unknown[] } | undefined;
    const interrupted = await alice
      .multipartUpload('users/alice/resumed.bin', body, {
        partSize: 1024 * 1024,
        parallel: 1,
        progress: async (_p: number, cpt?: { uploadId: string; doneParts: unknown[] }) => {
          checkpoint = cpt && { ...cpt, doneParts: [...cpt.doneParts] };
          if (cpt && cpt.doneParts.length === 2) alice.cancel();
        },
      })
      .then(
        () => 'completed',
        (e: Error) => e.name,
      );
    expect(interrupted).toBe('cancel');
    expect(await refusal(alice.head('users/alice/resumed.bin'))).toEqual({ status: 404, code: 'NoSuchKey' });
    expect(checkpoint?.doneParts.length).toBe(2);

    const resumer = t.client(t.alice);
    const uploadIds = new Set<string>();
    const done = await resumer.multipartUpload('users/alice/resumed.bin', body, {
      partSize: 1024 * 1024,
      checkpoint,
      progress: async (_p: number, cpt?: { uploadId: string }) => {
        if (cpt) uploadIds.add(cpt.uploadId);
      },
    });
    expect(done.res.status).toBe(200);
    expect([...uploadIds]).toEqual([checkpoint?.uploadId]);
    expect((await resumer.get('users/alice/resumed.bin')).content.equals(body)).toBe(true);
  });
});

describe('what OSS refuses, refused with OSS error codes', () => {
  it('a wrong secret: SignatureDoesNotMatch', async () => {
    const wrong = t.client({ ...t.alice, accessKeySecret: `${t.alice.accessKeySecret}x` });
    expect(await refusal(wrong.put('users/alice/x.txt', Buffer.from('x')))).toEqual({ status: 403, code: 'SignatureDoesNotMatch' });
  });

  it('a presigned URL with a query value changed: SignatureDoesNotMatch', async () => {
    await t.client(t.alice).put('users/alice/q.txt', Buffer.from('q'));
    const signed = presignV4(
      { method: 'GET', bucket: BUCKET, key: 'users/alice/q.txt', query: [['response-content-type', 'text/plain']], headers: {} },
      t.alice,
      REGION,
      new Date(),
      60,
    );
    const ok = await fetch(objectUrl({ endpoint: t.oss.url, pathStyle: true }, BUCKET, 'users/alice/q.txt', signed.query));
    expect([ok.status, ok.headers.get('content-type'), await ok.text()]).toEqual([200, 'text/plain', 'q']);
    const tampered = signed.query.map(([k, v]): [string, string] => [k, k === 'response-content-type' ? 'text/html' : v]);
    const res = await fetch(objectUrl({ endpoint: t.oss.url, pathStyle: true }, BUCKET, 'users/alice/q.txt', tampered));
    expect([res.status, await errorCode(res)]).toEqual([403, 'SignatureDoesNotMatch']);
  });

  it('an expired presigned URL: AccessDenied', async () => {
    await t.client(t.alice).put('users/alice/e.txt', Buffer.from('e'));
    const url = await t.client(t.alice).signatureUrlV4('GET', 60, {}, 'users/alice/e.txt');
    t.clock.offsetMs = 61_000;
    const res = await fetch(url);
    const text = await res.text();
    expect([res.status, /<Code>([^<]*)/.exec(text)?.[1]]).toEqual([403, 'AccessDenied']);
    expect(text).toContain('Request has expired');
  });

  it('an expired STS token: SecurityTokenExpired', async () => {
    const stale = t.session('alice', 'readwrite', new Date(Date.now() - 2 * 3600_000));
    expect(await refusal(t.client(stale).put('users/alice/s.txt', Buffer.from('s')))).toEqual({ status: 403, code: 'SecurityTokenExpired' });
  });

  it('a client clock more than 15 minutes off: RequestTimeTooSkewed', async () => {
    t.clock.offsetMs = 16 * 60_000;
    expect(await refusal(t.client(t.alice).put('users/alice/skew.txt', Buffer.from('s')))).toEqual({ status: 403, code: 'RequestTimeTooSkewed' });
    t.clock.offsetMs = 14 * 60_000;
    expect((await t.client(t.alice).put('users/alice/skew.txt', Buffer.from('s'))).res.status).toBe(200);
  });

  // Neighbours whose ids extend alice's: a session policy on `users/alice*` (no trailing "/") reaches them.
  it.each(['bob', 'alice2', 'alice.x', 'alice-x', 'alice_'])("another user's prefix (users/%s/): AccessDenied, and their object is unchanged", async (other) => {
    const admin = t.client(t.admin);
    await admin.put(`users/${other}/own.txt`, Buffer.from(`${other}'s`));
    const alice = t.client(t.alice);
    expect(await refusal(alice.put(`users/${other}/intrude.txt`, Buffer.from('x')))).toEqual({ status: 403, code: 'AccessDenied' });
    expect(await refusal(alice.put(`users/${other}/own.txt`, Buffer.from('x')))).toEqual({ status: 403, code: 'AccessDenied' });
    expect(await refusal(alice.get(`users/${other}/own.txt`))).toEqual({ status: 403, code: 'AccessDenied' });
    expect(await refusal(alice.list({ prefix: `users/${other}/`, 'max-keys': 10 }, {}))).toEqual({ status: 403, code: 'AccessDenied' });
    expect((await admin.get(`users/${other}/own.txt`)).content.toString()).toBe(`${other}'s`);
    expect(await refusal(admin.head(`users/${other}/intrude.txt`))).toEqual({ status: 404, code: 'NoSuchKey' });
    // The twin: her own prefix works with the same client.
    expect((await alice.put('users/alice/own.txt', Buffer.from('mine'))).res.status).toBe(200);
  });

  it('an action outside the policy (DeleteObject with upload credentials): AccessDenied, and the object stays', async () => {
    const alice = t.client(t.alice);
    await alice.put('users/alice/keep.txt', Buffer.from('keep'));
    expect(await refusal(t.client(t.session('alice', 'upload')).delete('users/alice/keep.txt'))).toEqual({ status: 403, code: 'AccessDenied' });
    expect((await alice.head('users/alice/keep.txt')).res.status).toBe(200);
  });

  it('DeleteObject with readwrite credentials: under her prefix only', async () => {
    const alice = t.client(t.alice);
    await alice.put('users/alice/gone.txt', Buffer.from('gone'));
    expect((await alice.delete('users/alice/gone.txt')).res.status).toBe(204);
    expect(await refusal(alice.head('users/alice/gone.txt'))).toEqual({ status: 404, code: 'NoSuchKey' });
    await t.client(t.session('bob', 'readwrite')).put('users/bob/kept.txt', Buffer.from('bob'));
    expect(await refusal(alice.delete('users/bob/kept.txt'))).toEqual({ status: 403, code: 'AccessDenied' });
  });

  it('a download-only session writing: AccessDenied', async () => {
    const reader = t.client(t.session('alice', 'download'));
    expect(await refusal(reader.put('users/alice/r.txt', Buffer.from('r')))).toEqual({ status: 403, code: 'AccessDenied' });
  });

  it('overwriting with x-oss-forbid-overwrite: FileAlreadyExists, and the first object stays', async () => {
    const alice = t.client(t.alice);
    const headers = { 'x-oss-forbid-overwrite': 'true' };
    await alice.put('users/alice/once.txt', Buffer.from('first'), { headers });
    expect(await refusal(alice.put('users/alice/once.txt', Buffer.from('second'), { headers }))).toEqual({ status: 409, code: 'FileAlreadyExists' });
    expect((await alice.get('users/alice/once.txt')).content.toString()).toBe('first');
  });

  it('no signature at all: AccessDenied (the bucket is private)', async () => {
    const res = await fetch(`${t.oss.url}/${BUCKET}/users/alice/keep.txt`);
    expect([res.status, await errorCode(res)]).toEqual([403, 'AccessDenied']);
  });

  it('an unknown bucket: NoSuchBucket', async () => {
    const res = await fetch(`${t.oss.url}/no-such-bucket/x`);
    expect([res.status, await errorCode(res)]).toEqual([404, 'NoSuchBucket']);
  });
});

describe('V1 signatures, for legacy buckets', () => {
  const v1 = () => t.client(t.alice, { authorizationV4: false });

  it('ali-oss with V1 header signatures puts, gets and heads', async () => {
    await v1().put('users/alice/v1.txt', Buffer.from('legacy'));
    expect((await v1().get('users/alice/v1.txt')).content.toString()).toBe('legacy');
    expect((await v1().head('users/alice/v1.txt')).res.status).toBe(200);
  });

  it('a V1 presigned URL (with security-token) downloads; changed or expired, it is refused', async () => {
    await v1().put('users/alice/v1u.txt', Buffer.from('url'));
    const url = v1().signatureUrl('users/alice/v1u.txt', { expires: 60 });
    const ok = await fetch(url);
    expect([ok.status, await ok.text()]).toEqual([200, 'url']);
    const changed = await fetch(url.replace('v1u.txt', 'v1U.txt'));
    expect([changed.status, await errorCode(changed)]).toEqual([403, 'SignatureDoesNotMatch']);
    t.clock.offsetMs = 61_000;
    const late = await fetch(url);
    expect([late.status, await errorCode(late)]).toEqual([403, 'AccessDenied']);
  });

  it('a V1 header signature with the wrong secret: SignatureDoesNotMatch', async () => {
    const wrong = t.client({ ...t.alice, accessKeySecret: 'not-the-secret' }, { authorizationV4: false });
    expect(await refusal(wrong.put('users/alice/v1x.txt', Buffer.from('x')))).toEqual({ status: 403, code: 'SignatureDoesNotMatch' });
  });
});

/** `size` bytes of a repeating pattern, produced in 1 MB chunks; `tap` sees each chunk. */
function patterned(size: number, tap: (chunk: Buffer) => void): Readable {
  const chunk = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 31) & 0xff;
  let left = size;
  return new Readable({
    read() {
      if (left === 0) return this.push(null);
      const c = chunk.subarray(0, Math.min(left, chunk.length));
      left -= c.length;
      tap(c);
      this.push(c);
    },
  });
}

async function downloadMd5(t: TestOss, key: string): Promise<string> {
  const signed = presignV4({ method: 'GET', bucket: BUCKET, key, query: [], headers: {} }, t.alice, REGION, new Date(), 60);
  const res = await fetch(objectUrl({ endpoint: t.oss.url, pathStyle: true }, BUCKET, key, signed.query));
  const hash = createHash('md5');
  for await (const c of res.body as unknown as AsyncIterable<Uint8Array>) hash.update(c);
  return hash.digest('hex');
}

