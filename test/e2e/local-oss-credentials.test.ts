// The error OSS gives for each malformed credential, in every signature form the local OSS
// accepts. Sources: OSS's troubleshooting page for "The OSS Access Key Id you provided does not
// exist in our records" (an STS key id in a PostObject form without x-oss-security-token), and
// error codes EC 0002-00000002 (a long-term key sent with a security token is taken as an STS
// request whose key id does not exist), 0002-00000006 (a token other than the key's own) and
// 0002-00000007 (expired temporary credentials).

import { objectUrl } from '../../shared/signer/url';
import { authorizeV1, presignV1 } from '../../shared/signer/v1';
import { presignV4, signPostV4 } from '../../shared/signer/v4';
import { BUCKET, elements, REGION, send, startTestOss, type Creds, type TestOss } from './local-oss-setup';

let t: TestOss;
beforeAll(async () => {
  t = await startTestOss();
  await send(t, t.alice, 'PUT', 'users/alice/creds.txt', { body: 'x' });
});
afterAll(() => t.close());

const KEY = 'users/alice/creds.txt';
const url = (query: [string, string][]) => objectUrl({ endpoint: t.oss.url, pathStyle: true }, BUCKET, KEY, query);

/** One GET of KEY (or a PostObject to it) in each signature form the local OSS accepts. */
const FORMS: Record<string, (c: Creds) => Promise<Response>> = {
  'a V4 Authorization header': (c) => send(t, c, 'GET', KEY),
  'a V4 signed URL': (c) => fetch(url(presignV4({ method: 'GET', bucket: BUCKET, key: KEY, query: [], headers: {} }, c, REGION, new Date(), 60).query)),
  'a V1 Authorization header': (c) => {
    const headers: Record<string, string> = { Date: new Date().toUTCString(), ...(c.securityToken ? { 'x-oss-security-token': c.securityToken } : {}) };
    const auth = authorizeV1({ method: 'GET', bucket: BUCKET, key: KEY, query: [], headers }, c);
    return fetch(url([]), { headers: { ...headers, Authorization: auth.authorization } });
  },
  'a V1 signed URL': (c) => fetch(url(presignV1({ method: 'GET', bucket: BUCKET, key: KEY, query: [], headers: {} }, c, Math.floor(Date.now() / 1000) + 60).query)),
  'a V4 PostObject form': (c) => {
    const signed = signPostV4([{ bucket: BUCKET }, ['eq', '$key', KEY]], { key: KEY }, c, REGION, new Date(), 60);
    const form = new FormData();
    for (const [k, v] of Object.entries(signed.fields)) form.append(k, v);
    form.append('file', new Blob(['x']), 'x.txt');
    return fetch(`${t.oss.url}/${BUCKET}`, { method: 'POST', body: form });
  },
};

/** Each fault, the credentials that carry it, and OSS's answer. */
const FAULTS: [string, () => Creds, string][] = [
  ['an unknown key id', () => ({ accessKeyId: 'LTAInobodyhasthis', accessKeySecret: 'x' }), 'InvalidAccessKeyId'],
  ['an STS key id without its security token', () => ({ ...t.alice, securityToken: undefined }), 'InvalidAccessKeyId'],
  ['a long-term key id with a security token', () => ({ ...t.admin, securityToken: t.alice.securityToken }), 'InvalidAccessKeyId'],
  ["an STS key id with another session's token", () => ({ ...t.alice, securityToken: t.session('bob', 'readwrite').securityToken }), 'InvalidSecurityToken'],
  ['expired STS credentials', () => t.session('alice', 'readwrite', new Date(Date.now() - 2 * 3600_000)), 'SecurityTokenExpired'],
];

const cases = Object.keys(FORMS).flatMap((form) => FAULTS.map(([fault, creds, code]) => [form, fault, code, creds] as const));

it.each(cases)('%s with %s: 403 %s', async (form, _fault, code, creds) => {
  const res = await FORMS[form](creds());
  const xml = await res.text();
  expect([res.status, elements(xml, 'Code')[0]]).toEqual([403, code]);
  if (code === 'InvalidAccessKeyId') expect(xml).toContain(`<OSSAccessKeyId>${creds().accessKeyId}</OSSAccessKeyId>`);
});

it.each(Object.keys(FORMS))('%s with sound credentials is accepted (each refusal above has an allowed twin)', async (form) => {
  expect((await FORMS[form](t.alice)).status).toBeLessThan(300);
});
