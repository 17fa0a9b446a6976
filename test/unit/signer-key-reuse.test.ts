// Deriving a V4 signing key is four HMACs, so the signer keeps the keys it derived (shared/signer/
// v4.ts): the same Buffer comes back for the same secret, day and region. The kept keys are
// bounded (256), so an instance that signs for many credentials over its life does not grow
// without end. Each test starts with the module freshly loaded, so nothing kept by another test
// counts towards the bound.

type SigningKey = (secret: string, day: string, region: string) => Buffer;

function freshSigningKey(): SigningKey {
  let signingKey: SigningKey | undefined;
  jest.isolateModules(() => {
    signingKey = (require('../../shared/signer/v4') as typeof import('../../shared/signer/v4')).signingKey;
  });
  return signingKey as SigningKey;
}

test('a key is kept while other credentials sign in between: the same key comes back', () => {
  const signingKey = freshSigningKey();
  const alice = signingKey('alice-secret', '20240501', 'cn-hangzhou');
  const bob = signingKey('bob-secret', '20240501', 'cn-hangzhou');
  expect(signingKey('alice-secret', '20240501', 'cn-hangzhou')).toBe(alice);
  expect(signingKey('bob-secret', '20240501', 'cn-hangzhou')).toBe(bob);
});

test('256 keys are kept; the 257th starts the memory over, and the first is derived again (the same bytes)', () => {
  const signingKey = freshSigningKey();
  const first = signingKey('secret-0', '20240501', 'cn-hangzhou');
  for (let i = 1; i < 256; i++) signingKey(`secret-${i}`, '20240501', 'cn-hangzhou');
  expect(signingKey('secret-0', '20240501', 'cn-hangzhou')).toBe(first);
  signingKey('secret-256', '20240501', 'cn-hangzhou');
  const again = signingKey('secret-0', '20240501', 'cn-hangzhou');
  expect(again).not.toBe(first);
  expect(again.equals(first)).toBe(true);
});
