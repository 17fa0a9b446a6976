// What an operator reads in the callback function's log: the log is where a violation is flagged
// (CALLBACK_ON_VIOLATION=keep, README "Configuration"), where upload events go when no webhook is
// set, where an event the app did not take is kept whole, and the only record of why a callback was
// refused or an OSS event failed. Each line is one JSON object; these are the fields a search or an
// alert on it would use.

import { CALLBACK_WEBHOOK_WAIT_MS } from '../../functions/callback/callback-route';
import type { HttpResponse } from '../../shared/http/response';
import { fcContext } from '../helpers/events';
import {
  BUCKET,
  callback,
  configure,
  credentials,
  handler,
  idOf,
  invoke,
  logged,
  ossEvent,
  pinnedBody,
  store,
  uploaded,
  useCallbackFunction,
  withApp,
} from './callback-function';

useCallbackFunction();

const requestLine = () => logged().find((l) => l.fn === 'callback' && typeof l.status === 'number');
const eventLines = () => logged().filter((l) => l.source === 'oss-event' && l.requestId === 'fc-req-7');

async function onOssEvent(event: Buffer) {
  return (await handler(event, fcContext({ credentials, requestId: 'fc-req-7' }))) as HttpResponse;
}

describe('the request line of a callback', () => {
  test('accepted, names the object, its ETag, the event id, the owner and whether the app took it', async () => {
    const res = await invoke(callback(uploaded('users/alice/line.png', 'L', 'image/png')));
    expect(requestLine()).toMatchObject({
      level: 'info',
      status: 200,
      object: 'users/alice/line.png',
      etag: res.body.etag,
      eventId: res.body.eventId,
      user: 'alice',
      delivered: true,
    });
  });

  test.each([
    ['without a MAC', 'CallbackMacMissing', (body: string) => JSON.stringify({ ...JSON.parse(body), mac: undefined })],
    ['with a MAC for another owner', 'CallbackMacInvalid', (body: string) => body.replace('"owner":"alice"', '"owner":"bob"')],
  ])('refused %s, names the refusal\'s code and the object the body named', async (_, code, edit) => {
    const body = uploaded('users/alice/refused.png', 'R', 'image/png');
    const res = await invoke(callback(edit(body)));
    expect(res.body.error.code).toBe(code);
    expect(requestLine()).toMatchObject({ level: 'warn', status: 403, refused: code, object: 'users/alice/refused.png' });
  });

  test('for an object OSS does not hold, names the refusal (ObjectNotFound), and the answer says which key', async () => {
    const res = await invoke(callback(pinnedBody({ bucket: BUCKET, object: 'users/alice/never.png', etag: 'A'.repeat(32), size: 1, mimeType: 'image/png' })));
    expect(res.body.error).toMatchObject({ code: 'ObjectNotFound', message: 'users/alice/never.png does not exist' });
    expect(requestLine()).toMatchObject({ refused: 'ObjectNotFound' });
  });

  test('for an object OSS holds with another ETag, names the refusal (ObjectChanged), and the answer says the ETag differs', async () => {
    store.put('users/alice/other.png', 'new', 'image/png');
    const res = await invoke(callback(pinnedBody({ bucket: BUCKET, object: 'users/alice/other.png', etag: 'B'.repeat(32), size: 3, mimeType: 'image/png' })));
    expect(res.body.error).toMatchObject({ code: 'ObjectChanged', message: 'users/alice/other.png does not have the reported ETag' });
    expect(requestLine()).toMatchObject({ refused: 'ObjectChanged' });
  });

  test('that OSS could not confirm (503 OssUnavailable), says which OSS call failed and how', async () => {
    store.denied.add('HEAD');
    const res = await invoke(callback(uploaded('users/alice/denied.png', 'D', 'image/png')));
    expect(res.body.error).toMatchObject({ code: 'OssUnavailable', message: 'the upload could not be confirmed with OSS; the OSS event will report it' });
    expect(requestLine()).toMatchObject({ level: 'error', status: 503, oss: 'HeadObject: 403 HTTP403' });
  });

  test('for a violation that could not be deleted (the role lacks DeleteObject), flags the object as kept, and the answer says so', async () => {
    configure({ CALLBACK_ON_VIOLATION: 'delete' });
    store.denied.add('DELETE');
    const res = await invoke(callback(uploaded('users/alice/page.html', '<b>', 'text/html')));
    expect(res.body.error.code).toBe('ContentTypeNotAllowed');
    expect(res.body.error.message).toMatch(/; the object is kept and flagged$/);
    expect(store.objects.has('users/alice/page.html')).toBe(true);
    expect(requestLine()).toMatchObject({ violation: 'ContentTypeNotAllowed', user: 'alice', action: 'delete-failed', flagged: true });
  });

  test('for a violation deleted, says so and does not flag it; the answer gives the rule\'s reason and the object\'s fate', async () => {
    configure({ CALLBACK_ON_VIOLATION: 'delete' });
    const res = await invoke(callback(uploaded('users/alice/gone.html', '<b>', 'text/html')));
    expect(res.body.error.message).toMatch(/^.*text\/html.*; the object was deleted$/);
    expect(requestLine()).toMatchObject({ violation: 'ContentTypeNotAllowed', user: 'alice', action: 'deleted', flagged: false });
  });
});

describe('the lines of an OSS event', () => {
  test('accepted and delivered: one info line naming the event, the object, the outcome, the event id and delivered', async () => {
    await withApp((_, res) => res.writeHead(204).end());
    const obj = store.put('users/alice/ev.png', 'E', 'image/png');
    await onOssEvent(ossEvent('users/alice/ev.png', obj.etag, 1));
    expect(eventLines()).toEqual([
      expect.objectContaining({
        level: 'info',
        fn: 'callback',
        eventName: 'ObjectCreated:PutObject',
        object: 'users/alice/ev.png',
        outcome: 'accepted',
        eventId: idOf('users/alice/ev.png', obj.etag),
        delivered: true,
      }),
    ]);
  });

  test('accepted and not delivered: a warning, and the invocation fails saying how many events Function Compute will retry', async () => {
    await withApp((_, res) => res.writeHead(500).end());
    const obj = store.put('users/alice/ev.png', 'E', 'image/png');
    await expect(onOssEvent(ossEvent('users/alice/ev.png', obj.etag, 1))).rejects.toThrow(
      expect.objectContaining({ name: 'DeliveryFailed', message: '1 upload event(s) not delivered; Function Compute retries the invocation' }),
    );
    expect(eventLines()).toEqual([expect.objectContaining({ level: 'warn', outcome: 'accepted', delivered: false })]);
  });

  test('a violation: a warning naming the code, the rule\'s reason, the owner, what was done and whether it is flagged', async () => {
    const obj = store.put('users/alice/ev.html', '<b>', 'text/html');
    const res = await onOssEvent(ossEvent('users/alice/ev.html', obj.etag, 3));
    expect(res.statusCode).toBe(200);
    const [line] = eventLines();
    expect(line).toMatchObject({
      level: 'warn',
      object: 'users/alice/ev.html',
      outcome: 'violation',
      code: 'ContentTypeNotAllowed',
      violation: 'ContentTypeNotAllowed',
      user: 'alice',
      action: 'kept',
      flagged: true,
    });
    expect(line.reason).toEqual(expect.stringContaining('text/html'));
  });

  test('a violation deleted is not flagged', async () => {
    configure({ CALLBACK_ON_VIOLATION: 'delete' });
    const obj = store.put('users/alice/ev.html', '<b>', 'text/html');
    await onOssEvent(ossEvent('users/alice/ev.html', obj.etag, 3));
    expect(eventLines()[0]).toMatchObject({ outcome: 'violation', action: 'deleted', flagged: false });
  });

  test('an object no longer there: a warning with the code and reason, and no violation fields', async () => {
    await onOssEvent(ossEvent('users/alice/gone.png', 'C'.repeat(32), 1));
    const [line] = eventLines();
    expect(line).toMatchObject({ level: 'warn', outcome: 'unconfirmed', code: 'ObjectNotFound', reason: 'users/alice/gone.png does not exist' });
    expect(Object.keys(line)).not.toEqual(expect.arrayContaining(['violation']));
    expect(Object.keys(line)).not.toEqual(expect.arrayContaining(['flagged']));
  });

  test('not an upload: an info line saying it was ignored, and no OSS call', async () => {
    await onOssEvent(ossEvent('users/alice/x.png', 'A', 1, 'ObjectRemoved:DeleteObject'));
    expect(eventLines()).toEqual([expect.objectContaining({ level: 'info', eventName: 'ObjectRemoved:DeleteObject', outcome: 'ignored' })]);
    expect(store.hits).toHaveLength(0);
  });

  test('malformed: answered 400 CallbackBodyInvalid with the invocation\'s request id, not retried, and logged as an error with the reason', async () => {
    const event = JSON.parse(ossEvent('users/alice/x.png', 'A'.repeat(32), 1).toString());
    delete event.events[0].oss.object.key;
    const res = await onOssEvent(Buffer.from(JSON.stringify(event)));
    expect([res.statusCode, JSON.parse(res.body).error]).toEqual([400, { code: 'CallbackBodyInvalid', message: 'oss.object.key must be a non-empty string', requestId: 'fc-req-7' }]);
    expect(eventLines()).toEqual([expect.objectContaining({ level: 'error', fn: 'callback', code: 'CallbackBodyInvalid', reason: 'oss.object.key must be a non-empty string' })]);
  });

  test('malformed, in an invocation without a request id, is still answered with one', async () => {
    const event = JSON.parse(ossEvent('users/alice/x.png', 'A'.repeat(32), 1).toString());
    event.events[0].oss.object.size = -1;
    const res = (await handler(Buffer.from(JSON.stringify(event)), { credentials })) as HttpResponse;
    expect(JSON.parse(res.body).error).toEqual({ code: 'CallbackBodyInvalid', message: 'size must be a whole number of bytes', requestId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
  });

  test('OSS refusing the HeadObject fails the invocation, so Function Compute retries it, with an error naming the OSS call and its answer', async () => {
    store.denied.add('HEAD');
    const obj = store.put('users/alice/ev.png', 'E', 'image/png');
    await expect(onOssEvent(ossEvent('users/alice/ev.png', obj.etag, 1))).rejects.toThrow(expect.objectContaining({ name: 'OssRequestError', message: 'HeadObject: 403 HTTP403' }));
  });

  test('without role credentials in the context fails the invocation, naming what is missing', async () => {
    const obj = store.put('users/alice/ev.png', 'E', 'image/png');
    await expect(handler(ossEvent('users/alice/ev.png', obj.etag, 1), { requestId: 'fc-req-7' })).rejects.toThrow(
      'the callback function needs a role (FC passes its credentials in the context)',
    );
    expect(store.hits).toHaveLength(0);
  });
});

describe('the lines of an upload event', () => {
  test('with no webhook set, the event goes whole to an info line naming the path that reported it', async () => {
    const obj = store.put('users/alice/logged.png', 'E', 'image/png');
    await onOssEvent(ossEvent('users/alice/logged.png', obj.etag, 1));
    const res = await invoke(callback(uploaded('users/alice/logged2.png', 'F', 'image/png')));
    const lines = logged().filter((l) => l.msg === 'upload event');
    expect(lines.map((l) => [l.level, l.fn, l.source, (l.upload as { object: string }).object])).toEqual([
      ['info', 'callback', 'oss-event', 'users/alice/logged.png'],
      ['info', 'callback', 'callback', 'users/alice/logged2.png'],
    ]);
    expect(lines[1].upload).toEqual({ id: res.body.eventId, bucket: BUCKET, object: 'users/alice/logged2.png', filename: 'logged2.png', user: 'alice', size: 1, mimeType: 'image/png', etag: res.body.etag, time: expect.any(String) });
  });

  test('the app refused: the event goes whole to a warning with the path, the reason and the app\'s status, so it is not lost', async () => {
    await withApp((_, res) => res.writeHead(503).end());
    const res = await invoke(callback(uploaded('users/alice/refused.png', 'F', 'image/png')));
    expect(res.body.delivered).toBe(false);
    const line = logged().find((l) => l.msg === 'upload event not delivered');
    // How long the refused attempt took: within the callback's wait for the webhook, never negative.
    expect(line?.ms).toBeGreaterThanOrEqual(0);
    expect(line?.ms).toBeLessThanOrEqual(CALLBACK_WEBHOOK_WAIT_MS);
    expect(line).toMatchObject({
      level: 'warn',
      fn: 'callback',
      source: 'callback',
      reason: 'status',
      status: 503,
      upload: { id: res.body.eventId, object: 'users/alice/refused.png', user: 'alice', etag: res.body.etag },
    });
  });

  test('with WEBHOOK_SKIP_DUPLICATES, the report that does not send again says so in an info line naming the event', async () => {
    const hooks = await withApp((_, res) => res.writeHead(204).end(), { WEBHOOK_SKIP_DUPLICATES: 'true' });
    const res = await invoke(callback(uploaded('users/alice/once.png', 'O', 'image/png')));
    await onOssEvent(ossEvent('users/alice/once.png', res.body.etag, 1));
    expect(hooks.hits).toHaveLength(1);
    expect(logged().filter((l) => l.msg === 'upload event already delivered by this instance; not sent again')).toEqual([
      expect.objectContaining({ level: 'info', fn: 'callback', source: 'oss-event', eventId: res.body.eventId }),
    ]);
  });
});
