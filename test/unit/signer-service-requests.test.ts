// A request to the service itself (no bucket: ListBuckets) signs the resource `/` in V1, as OSS
// rebuilds it; the local OSS's check, written apart from the signer, says the same.

import { v1StringToSign } from '../../local/verify';
import { stringToSignV1 } from '../../shared/signer/v1';

test('a V1 request with no bucket signs the resource "/", as the local OSS rebuilds it', () => {
  const request = { method: 'GET', query: [] as [string, string][], headers: { Date: 'Wed, 01 May 2024 10:00:00 GMT' } };
  const toSign = stringToSignV1(request, 'Wed, 01 May 2024 10:00:00 GMT');
  expect(toSign.endsWith('\nWed, 01 May 2024 10:00:00 GMT\n/')).toBe(true);
  expect(toSign).toBe(v1StringToSign(request, 'Wed, 01 May 2024 10:00:00 GMT'));
});
