// The download URL in a callback's answer (README, "Answer"): how long it lives, and that an
// uploader still gets its 200 when the function cannot sign one, with the reason in the log.

import { CALLBACK_STS_TIMEOUT_MS } from '../../functions/callback/download-url';
import { callback, configure, invoke, logged, store, sts, uploaded, useCallbackFunction } from './callback-function';

useCallbackFunction();

const requestLine = () => logged().find((l) => l.fn === 'callback' && typeof l.status === 'number');

test('lives CALLBACK_DOWNLOAD_URL_SECONDS', async () => {
  configure({ CALLBACK_DOWNLOAD_URL_SECONDS: '120' });
  const res = await invoke(callback(uploaded('users/alice/short.png', 'S', 'image/png')));
  expect(new URL(res.body.url).searchParams.get('x-oss-expires')).toBe('120');
});

test('lives at most URL_MAX_EXPIRES_SECONDS, however long CALLBACK_DOWNLOAD_URL_SECONDS asks for', async () => {
  configure({ CALLBACK_DOWNLOAD_URL_SECONDS: '1200', URL_MAX_EXPIRES_SECONDS: '600' });
  const res = await invoke(callback(uploaded('users/alice/capped.png', 'C', 'image/png')));
  expect(res.status).toBe(200);
  expect(new URL(res.body.url).searchParams.get('x-oss-expires')).toBe('600');
});

test('without STS_ROLE_ARN none is signed: the answer is still 200 with url null, STS is not asked, and the log says Misconfigured naming the variable', async () => {
  configure({ STS_ROLE_ARN: '' });
  const res = await invoke(callback(uploaded('users/alice/norole.png', 'N', 'image/png')));
  expect([res.status, res.body.user, res.body.url, res.body.expiresAt]).toEqual([200, 'alice', null, null]);
  expect(sts.hits).toHaveLength(0);
  expect(requestLine()).toMatchObject({ status: 200, downloadUrl: 'Misconfigured', detail: 'STS_ROLE_ARN: is required by the callback function to sign download URLs' });
});

test('a callback that gets a URL leaves no downloadUrl field in the log', async () => {
  await invoke(callback(uploaded('users/alice/fine.png', 'F', 'image/png')));
  expect(requestLine()).not.toHaveProperty('downloadUrl');
});

test('is asked for beside the HeadObject, and a refusal from OSS is answered only once that STS call has ended: Function Compute freezes an instance that has answered', async () => {
  store.denied.add('HEAD');
  sts.mode = { kind: 'hang' };
  const started = performance.now();
  const res = await invoke(callback(uploaded('users/alice/frozen.png', 'F', 'image/png')));
  const ms = performance.now() - started;
  expect(res.body.error.code).toBe('OssUnavailable');
  expect(sts.hits).toHaveLength(1);
  expect(ms).toBeGreaterThanOrEqual(CALLBACK_STS_TIMEOUT_MS - 50);
  expect(ms).toBeLessThan(CALLBACK_STS_TIMEOUT_MS + 1500);
});
