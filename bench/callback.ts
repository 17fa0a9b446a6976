// Callback signature check with the parsed key kept, against parsing the PEM on every callback.
// OSS signs with an RSA-512 key, so the figure that matters uses one; the local runtime's RSA-2048
// key is shown too.

import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { callbackStringToSign, verifyCallback } from '../shared/callback-auth/verify';
import { callbackBody, OSS_PUB_KEY_URL_HEADER, signCallback, UPLOAD_REQUEST } from './fixtures';
import { judge, type Row } from './report';
import { type Profile, throughputSideBySide } from './timing';

const PATH = '/callback';

async function forKeySize(bits: number, profile: Profile) {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const body = callbackBody({ key: UPLOAD_REQUEST.key, etag: 'D41D8CD98F00B204E9800998ECF8427E', size: UPLOAD_REQUEST.size, mimeType: UPLOAD_REQUEST.contentType });
  const signed = { path: PATH, body, authorization: signCallback(privateKey, PATH, body), pubKeyUrl: OSS_PUB_KEY_URL_HEADER };
  const options = { trustedKeys: [pem] };
  await verifyCallback(signed, options); // throws unless the bench signs what the verifier checks
  const signature = Buffer.from(signed.authorization, 'base64');
  const [cached, parsedEachTime] = await throughputSideBySide(
    [
      () => verifyCallback(signed, options),
      () => {
        if (!verify('md5', callbackStringToSign(PATH, undefined, body), createPublicKey(pem), signature)) throw new Error('signature does not verify');
      },
    ],
    profile,
  );
  return { cached: cached.usPerOp, parsedEachTime: parsedEachTime.usPerOp };
}

export async function callbackBench(profile: Profile): Promise<Row[]> {
  const oss = await forKeySize(512, profile);
  const local = await forKeySize(2048, profile);
  return [
    judge({
      group: 'callback',
      name: 'callback signature check, key cached (RSA-512, as OSS)',
      value: oss.cached,
      unit: 'µs/op',
      comparison: { name: 'parsing the key each time', value: oss.parsedEachTime },
      budget: { max: 50, text: '≤ 50 µs/op' },
    }),
    judge({
      group: 'callback',
      name: 'callback signature check, key cached (RSA-2048, local runtime)',
      value: local.cached,
      unit: 'µs/op',
      comparison: { name: 'parsing the key each time', value: local.parsedEachTime },
    }),
  ];
}
