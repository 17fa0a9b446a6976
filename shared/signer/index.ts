// What the local OSS's verifier takes from the signer (it rebuilds what a client signed with the same
// canonicalisation). The functions import the signer's modules directly.
export { encodePath } from './encode';
export type { QueryPairs } from './signature-version';
export { isSubresource, postSignatureV1, signV1, stringToSignV1 } from './v1';
export { canonicalRequest, postSignatureV4, signV4, stringToSign, UNSIGNED_PAYLOAD, V4_ALGORITHM, v4Timestamp } from './v4';
