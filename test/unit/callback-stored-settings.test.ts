// The callback and the OSS event path hold what HeadObject reports of how an upload is served and
// stored to our uploads' defaults: an object stored with a Cache-Control, Content-Encoding…, another
// storage class than the bucket's or tags is a violation like any other (400 ObjectSettingNotAllowed,
// kept and flagged, or deleted, no event), whatever path stored it.

import type { HttpResponse } from '../../shared/http/response';
import { fcContext } from '../helpers/events';
import { BUCKET, callback, configure, credentials, handler, invoke, logged, ossEvent, pinnedBody, store, useCallbackFunction, withApp } from './callback-function';

useCallbackFunction();

/** An object as OSS would hold it after an upload that sent `headers`, and the callback OSS would send for it. */
function storedWith(key: string, headers: Record<string, string>) {
  const obj = store.put(key, 'PNG BYTES', 'image/png');
  obj.headers = headers;
  return { obj, body: pinnedBody({ bucket: BUCKET, object: key, etag: obj.etag, size: obj.body.length, mimeType: 'image/png' }) };
}

describe('a genuine callback for an object stored with a setting no upload may make', () => {
  test('Content-Encoding: gzip is answered 400 ObjectSettingNotAllowed naming it, kept and flagged, with no URL', async () => {
    const { body } = storedWith('users/alice/gz.png', { 'Content-Encoding': 'gzip' });
    const res = await invoke(callback(body));
    expect([res.status, res.body.error.code]).toEqual([400, 'ObjectSettingNotAllowed']);
    expect(res.body.error.message).toContain('content-encoding: "gzip"');
    expect(res.body.url).toBeUndefined();
    expect(store.objects.has('users/alice/gz.png')).toBe(true);
    expect(logged().find((l) => l.violation)).toMatchObject({ violation: 'ObjectSettingNotAllowed', action: 'kept', flagged: true, user: 'alice' });
  });

  test.each([
    ['Cache-Control', { 'Cache-Control': 'public, max-age=31536000' }],
    ['Content-Disposition', { 'Content-Disposition': 'attachment; filename="x.exe"' }],
    ['Content-Language', { 'Content-Language': 'fr' }],
    ['Expires', { Expires: 'Wed, 21 Oct 2037 07:28:00 GMT' }],
    ['x-oss-storage-class: Archive', { 'x-oss-storage-class': 'Archive' }],
    ['x-oss-tagging-count: 1', { 'x-oss-tagging-count': '1' }],
  ])('%s, with CALLBACK_ON_VIOLATION=delete, is deleted before the 400 answer', async (_, headers) => {
    configure({ CALLBACK_ON_VIOLATION: 'delete' });
    const { body } = storedWith('users/alice/set.png', headers);
    const res = await invoke(callback(body));
    expect([res.status, res.body.error.code]).toEqual([400, 'ObjectSettingNotAllowed']);
    expect(store.hits.map((h) => h.method)).toEqual(['HEAD', 'DELETE']);
    expect(store.objects.has('users/alice/set.png')).toBe(false);
  });

  test('its twin, stored with the bucket\'s class and Content-Encoding: identity, is accepted with a URL', async () => {
    const { body } = storedWith('users/alice/fine.png', { 'x-oss-storage-class': 'Standard', 'Content-Encoding': 'identity' });
    const res = await invoke(callback(body));
    expect(res.status).toBe(200);
    expect(res.body.url).toEqual(expect.any(String));
  });

  test('an image answered with the Content-Disposition: attachment OSS adds itself on its default domain (x-oss-force-download: true) is accepted', async () => {
    const { body } = storedWith('users/alice/forced.png', { 'Content-Disposition': 'attachment', 'x-oss-force-download': 'true' });
    expect((await invoke(callback(body))).status).toBe(200);
  });

  test('stored as IA is accepted where OSS_STORAGE_CLASS says the bucket is IA, and refused where it is Standard', async () => {
    configure({ OSS_STORAGE_CLASS: 'IA' });
    expect((await invoke(callback(storedWith('users/alice/ia.png', { 'x-oss-storage-class': 'IA' }).body))).status).toBe(200);
    configure({ OSS_STORAGE_CLASS: 'Standard' });
    expect((await invoke(callback(storedWith('users/alice/ia.png', { 'x-oss-storage-class': 'IA' }).body))).body.error.code).toBe('ObjectSettingNotAllowed');
  });
});

describe('the OSS object-created event for an object stored with a setting no upload may make', () => {
  test.each(['keep', 'delete'])('is a violation with CALLBACK_ON_VIOLATION=%s, and no event is delivered', async (onViolation) => {
    const hooks = await withApp((_, res) => res.writeHead(204).end(), { CALLBACK_ON_VIOLATION: onViolation });
    const { obj } = storedWith('users/alice/cached.png', { 'Cache-Control': 'public' });
    const res = (await handler(ossEvent('users/alice/cached.png', obj.etag, obj.body.length, 'ObjectCreated:CompleteMultipartUpload'), fcContext({ credentials }))) as HttpResponse;
    expect(JSON.parse(res.body).results).toEqual([{ outcome: 'violation', code: 'ObjectSettingNotAllowed' }]);
    expect(store.objects.has('users/alice/cached.png')).toBe(onViolation === 'keep');
    expect(logged().filter((l) => l.source === 'oss-event').at(-1)).toMatchObject({ violation: 'ObjectSettingNotAllowed', user: 'alice', flagged: onViolation === 'keep' });
    expect(hooks.hits).toHaveLength(0);
  });
});
