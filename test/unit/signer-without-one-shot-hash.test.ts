// The signer hashes with Node's one-shot crypto.hash where it exists (Node 20.12 and later) and with
// a Hash object where it does not (package.json allows any Node 20). Loaded on a Node without
// crypto.hash, it must sign exactly as on one with it: here the V4 known-answer vectors.

import crypto from 'node:crypto';
import { signatureVectors } from '../helpers/vectors';

type PresignV4 = typeof import('../../shared/signer/v4').presignV4;

function presignV4WithoutOneShotHash(): PresignV4 {
  const oneShot = crypto.hash;
  let presign: PresignV4 | undefined;
  try {
    (crypto as { hash?: unknown }).hash = undefined;
    jest.isolateModules(() => {
      presign = (require('../../shared/signer/v4') as typeof import('../../shared/signer/v4')).presignV4;
    });
  } finally {
    crypto.hash = oneShot;
  }
  return presign as PresignV4;
}

test.each(signatureVectors.filter((v) => v.kind === 'v4-presigned-url').map((v) => [v.id, v] as const))(
  'on a Node without crypto.hash, %s is signed as the vector says',
  (_id, v) => {
    const presign = presignV4WithoutOneShotHash();
    const credentials = { accessKeyId: v.accessKeyId, accessKeySecret: v.accessKeySecret, securityToken: v.securityToken ?? undefined };
    const signed = presign(v.request, credentials, v.region!, new Date(v.signTimeUnix! * 1000), v.expiresSeconds!);
    expect(signed.stringToSign).toBe(v.expected.stringToSign);
    expect(signed.signature).toBe(v.expected.signature);
  },
);
