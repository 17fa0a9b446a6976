// The product's OSS signer: V4 and V1 presigned URLs and headers, PostObject forms. The functions
// import its modules directly; this index is what the local OSS takes for routing and for writing
// Location URLs (never for checking a signature).
//
// local/verify holds a second implementation of the same algorithms, which the local OSS uses to
// check signatures. That is deliberate and the only such pair in the project: a signer verified by
// its own code would accept its own bugs (a wrong key-derivation prefix, a header missing from the
// canonical request), and every local test would pass while OSS refused every URL. Keep them apart:
// do not import local/verify here, nor this folder there; both are checked against test/vectors.
export { encodePath } from './encode';
export type { QueryPairs } from './signature-version';
export { isSubresource } from './v1';
