// The callback function under rules with paths that are not `{uid}` prefixes (the photo app's,
// examples/photo-app.rules.yaml): a team folder, where the key names no user and the MAC vouches
// for the uploader, and documents, whose rule requires every upload to carry its file name.

import { Webhook } from 'standardwebhooks';
import type { HttpResponse } from '../../shared/http/response';
import { fcContext } from '../helpers/events';
import { callback, configure, credentials, handler, invoke, ossEvent, SECRET, store, uploaded, useCallbackFunction, withApp } from './callback-function';

useCallbackFunction();

const PHOTO_APP = { STORAGE_RULES: 'examples/photo-app.rules.yaml' };

async function onOssEvent(event: Buffer) {
  const res = (await handler(event, fcContext({ credentials }))) as HttpResponse;
  return JSON.parse(res.body).results as Record<string, unknown>[];
}

describe('in a team folder (teams/{claims.team}/*, written by its members)', () => {
  test('a callback the sign function pinned for a member is that member\'s upload: the MAC, not the key, names the user', async () => {
    configure(PHOTO_APP);
    const res = await invoke(callback(uploaded('teams/red/plan.pdf', '%PDF', 'application/pdf', {}, { owner: 'alice' })));
    expect([res.status, res.body.key, res.body.user]).toEqual([200, 'teams/red/plan.pdf', 'alice']);
  });

  test('the OSS event, which has no MAC, delivers the upload with no user', async () => {
    const hooks = await withApp((_, res) => res.writeHead(204).end(), PHOTO_APP);
    const obj = store.put('teams/red/notes.txt', 'notes', 'text/plain');
    expect(await onOssEvent(ossEvent('teams/red/notes.txt', obj.etag, 5))).toEqual([expect.objectContaining({ outcome: 'accepted', delivered: true })]);
    const payload = new Webhook(SECRET).verify(hooks.hits[0].body.toString(), hooks.hits[0].headers as Record<string, string>) as { data: { user: string; key: string } };
    expect(payload.data).toMatchObject({ key: 'teams/red/notes.txt', user: '' });
  });
});

describe('under a rule that requires the file name (documents/{uid}/*)', () => {
  const KEY = 'documents/alice/Xq3v9Yb2kLm0-PqR/report.pdf';

  test('an object stored with its x-oss-meta-filename is accepted', async () => {
    configure(PHOTO_APP);
    const obj = store.put(KEY, '%PDF', 'application/pdf', 'Normal', 'report.pdf');
    expect(await onOssEvent(ossEvent(KEY, obj.etag, 4))).toEqual([expect.objectContaining({ outcome: 'accepted' })]);
  });

  test('an object stored without one is a violation of the rule (FilenameMissing)', async () => {
    configure(PHOTO_APP);
    const obj = store.put(KEY, '%PDF', 'application/pdf', 'Normal');
    expect(await onOssEvent(ossEvent(KEY, obj.etag, 4))).toEqual([{ outcome: 'violation', code: 'FilenameMissing' }]);
  });
});
