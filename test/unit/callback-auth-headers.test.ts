// What a callback's two headers (Authorization, x-oss-pub-key-url) may look like, and what each
// refusal tells whoever reads it (OSS's CallbackFailed answer to the uploader, the function's log):
// the code and a message that names the header at fault. No network: a refused header is refused
// before any key is looked up, and the accepted ones name the shipped key or use a trusted key.

import { allowedKeyUrl } from '../../shared/callback-auth/key-url';
import { KeyStore, trustedKeys } from '../../shared/callback-auth/key-store';
import { verifyCallback, type SignedCallback } from '../../shared/callback-auth/verify';
import { ConfigError } from '../../shared/config';
import { b64, OSS_KEY_URL_HEADER, ossSignature, rsaKeys, refusal } from './callback-helpers';

const signer = rsaKeys();
const trusted = { trustedKeys: [signer.publicPem] };
const path = '/api/callback';
const body = '{"bucket":"b","object":"users/alice/a.png"}';
const genuine = (): SignedCallback => ({ path, body: Buffer.from(body), authorization: ossSignature(signer.privateKey, path, body), pubKeyUrl: OSS_KEY_URL_HEADER });

let fetchSpy: jest.SpyInstance;
beforeEach(() => {
  fetchSpy = jest.spyOn(globalThis, 'fetch');
});
afterEach(() => fetchSpy.mockRestore());

describe('whitespace around a header value', () => {
  test('is ignored: a signature and a key URL with spaces around them still verify', async () => {
    const cb = genuine();
    await expect(verifyCallback({ ...cb, authorization: ` ${cb.authorization}  `, pubKeyUrl: `  ${cb.pubKeyUrl} ` }, trusted)).resolves.toBeUndefined();
  });

  test.each([
    ['an Authorization header of spaces', 'CallbackSignatureMissing', { authorization: '   ' }],
    ['an empty x-oss-pub-key-url header', 'CallbackKeyUrlMissing', { pubKeyUrl: '' }],
    ['an x-oss-pub-key-url header of spaces and a tab', 'CallbackKeyUrlMissing', { pubKeyUrl: '  \t ' }],
  ] as const)('%s is reported missing (%s), not malformed', async (_, code, change) => {
    const err = await refusal(verifyCallback({ ...genuine(), ...change }, trusted));
    expect([err.status, err.code]).toEqual([400, code]);
  });
});

describe('a key URL with credentials in it', () => {
  test.each([
    'https://attacker@gosspublic.alicdn.com/callback_pub_key_v1.pem',
    'https://:secret@gosspublic.alicdn.com/callback_pub_key_v1.pem',
  ])('%s is refused, even on OSS\'s own host', async (url) => {
    expect(allowedKeyUrl(url)).toBeUndefined();
    const err = await refusal(verifyCallback({ ...genuine(), pubKeyUrl: b64(url) }, trusted));
    expect([err.status, err.code]).toEqual([400, 'CallbackKeyUrlNotAllowed']);
    expect(fetchSpy).not.toHaveBeenCalled();
  });
});

describe('each refusal names what is wrong', () => {
  const cb = genuine();
  test.each([
    { what: 'no Authorization', change: { authorization: undefined }, code: 'CallbackSignatureMissing', message: /Authorization header .*missing/ },
    { what: 'an Authorization that is not Base64', change: { authorization: 'Bearer x' }, code: 'CallbackSignatureMalformed', message: /Authorization header is not a Base64 signature/ },
    { what: 'a signature by another key', change: { authorization: ossSignature(rsaKeys().privateKey, path, body) }, code: 'CallbackSignatureInvalid', message: /signature does not verify/ },
    { what: 'no x-oss-pub-key-url', change: { pubKeyUrl: undefined }, code: 'CallbackKeyUrlMissing', message: /x-oss-pub-key-url header is missing/ },
    { what: 'an x-oss-pub-key-url that is not Base64', change: { pubKeyUrl: 'https://gosspublic.alicdn.com/k.pem' }, code: 'CallbackKeyUrlMalformed', message: /x-oss-pub-key-url is not Base64 of a URL/ },
    { what: 'an x-oss-pub-key-url whose bytes are not UTF-8', change: { pubKeyUrl: Buffer.from([0xff, 0xfe]).toString('base64') }, code: 'CallbackKeyUrlMalformed', message: /x-oss-pub-key-url is not Base64 of a UTF-8 URL/ },
    { what: "a key URL off OSS's host", change: { pubKeyUrl: b64('https://evil.test/k.pem') }, code: 'CallbackKeyUrlNotAllowed', message: /must come from https:\/\/gosspublic\.alicdn\.com\// },
  ])('$what: $code, saying so', async ({ change, code, message }) => {
    const err = await refusal(verifyCallback({ ...cb, ...change }, trusted));
    expect(err.code).toBe(code);
    expect(err.message).toMatch(message);
  });

  test('a key that cannot be fetched: 502 CallbackKeyUnavailable, naming x-oss-pub-key-url', async () => {
    const store = new KeyStore({ request: async () => ({ status: 500, headers: {}, body: Buffer.alloc(0) }) });
    const err = await refusal(verifyCallback({ ...cb, pubKeyUrl: b64('https://gosspublic.alicdn.com/other.pem') }, { keyStore: store }));
    expect([err.status, err.code]).toEqual([502, 'CallbackKeyUnavailable']);
    expect(err.message).toMatch(/public key named by x-oss-pub-key-url could not be fetched/);
  });

  test('a trusted key that is not an RSA public key: a configuration error naming CALLBACK_TRUSTED_KEYS and the PEM it expects', () => {
    let thrown: unknown;
    try {
      trustedKeys(['-----BEGIN PUBLIC KEY-----\nbm90IGEga2V5\n-----END PUBLIC KEY-----']);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).variable).toBe('CALLBACK_TRUSTED_KEYS');
    expect((thrown as ConfigError).message).toMatch(/^CALLBACK_TRUSTED_KEYS: expected PEM RSA public keys/);
  });
});
