// Why a callback was refused, in words: OSS hands the callback's error answer to the uploader (in
// its 203 CallbackFailed) and the request log keeps it, so each refusal's code says what kind and
// its message says what was wrong with this request (README, "Error codes": the message is for
// people). A misconfiguration is answered 500 Misconfigured with no detail, and the log names the
// variable to fix.

import { callback, callbackBody, configure, credentials, invoke, logged, ossEvent, pinnedBody, BUCKET, handler, uploaded, useCallbackFunction } from './callback-function';
import { fcContext } from '../helpers/events';
import type { HttpResponse } from '../../shared/http/response';

useCallbackFunction();

const requestLine = () => logged().find((l) => l.fn === 'callback' && typeof l.status === 'number');

describe('a callback refused for its MAC says which way it failed', () => {
  test('none: the callback was not pinned by the sign function', async () => {
    const body = uploaded('users/alice/m.png', 'M', 'image/png');
    const res = await invoke(callback(JSON.stringify({ ...JSON.parse(body), mac: undefined, owner: undefined, exp: undefined })));
    expect(res.body.error).toMatchObject({ code: 'CallbackMacMissing', message: 'the callback carries no MAC: it was not pinned by the sign function' });
  });

  test('another object\'s: it does not verify for this bucket, object and owner', async () => {
    const res = await invoke(callback(uploaded('users/alice/m.png', 'M', 'image/png', {}, { key: 'users/alice/other.png' })));
    expect(res.body.error).toMatchObject({ code: 'CallbackMacInvalid', message: 'the callback MAC does not verify for this bucket, object and owner' });
  });

  test('a genuine MAC naming another owner than the key\'s: the same words, nothing about whose key it is', async () => {
    const res = await invoke(callback(uploaded('users/alice/m.png', 'M', 'image/png', {}, { owner: 'bob' })));
    expect(res.body.error).toMatchObject({ code: 'CallbackMacInvalid', message: 'the callback MAC does not verify for this bucket, object and owner' });
  });

  test('an expired one: it has expired', async () => {
    const res = await invoke(callback(uploaded('users/alice/m.png', 'M', 'image/png', {}, { exp: Math.floor(Date.now() / 1000) - 60 })));
    expect(res.body.error).toMatchObject({ code: 'CallbackMacExpired', message: 'the callback MAC has expired' });
  });
});

test('a callback URL with a query string is refused saying the URL must not have one', async () => {
  const res = await invoke(callback(uploaded('users/alice/q.png', 'Q', 'image/png'), { query: { a: '1' } }));
  expect(res.body.error).toMatchObject({ code: 'CallbackQueryNotSupported', message: 'the callback URL must not have a query string' });
});

test('a dangling symlink (PutSymlink, HeadObject 404) is refused as a Symlink, not as an object of unknown type', async () => {
  const res = (await handler(ossEvent('users/alice/link', 'E'.repeat(32), 0, 'ObjectCreated:PutSymlink'), fcContext({ credentials, requestId: 'r-sym' }))) as HttpResponse;
  expect(JSON.parse(res.body).results).toEqual([{ outcome: 'violation', code: 'ObjectTypeNotAllowed' }]);
  expect(logged().find((l) => l.requestId === 'r-sym' && l.outcome === 'violation')).toMatchObject({ reason: 'an object of type Symlink may not be stored under a user prefix' });
});

describe('a misconfigured callback function answers 500 Misconfigured, and its log names what to fix', () => {
  test('without CALLBACK_MAC_KEY', async () => {
    configure({ CALLBACK_MAC_KEY: '' });
    const res = await invoke(callback(uploaded('users/alice/k.png', 'K', 'image/png')));
    expect(res.body.error).toMatchObject({ code: 'Misconfigured', message: 'the function is misconfigured; see its log' });
    expect(requestLine()).toMatchObject({ code: 'Misconfigured', detail: 'CALLBACK_MAC_KEY: is required by the callback function: the key the sign function MACs its callbacks with' });
  });

  test('without the role credentials Function Compute passes in the context', async () => {
    const res = await invoke(callback(uploaded('users/alice/c.png', 'C', 'image/png')), { requestId: 'r-no-role' });
    expect(res.body.error.code).toBe('Misconfigured');
    expect(requestLine()).toMatchObject({ detail: 'context.credentials: the callback function needs a role (FC passes its credentials in the context)' });
  });
});

test('a callback body that is not usable is refused CallbackBodyInvalid naming the field', async () => {
  const res = await invoke(callback(pinnedBody({ bucket: BUCKET, object: 'users/alice/s.png', etag: 'A'.repeat(32), size: 'big' })));
  expect(res.body.error).toMatchObject({ code: 'CallbackBodyInvalid', message: 'size must be a whole number of bytes' });
  const noEtag = await invoke(callback(callbackBody({ bucket: BUCKET, object: 'users/alice/s.png', size: 1 })));
  expect(noEtag.body.error).toMatchObject({ code: 'CallbackBodyInvalid', message: 'etag must be a non-empty string' });
});
