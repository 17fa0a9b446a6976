// The product's OSS signer: V4 and V1 presigned URLs and headers, PostObject forms.
//
// local/verify holds a second implementation of the same algorithms, which the local OSS uses to
// check signatures. That is deliberate and the only such pair in the project: a signer verified by
// its own code would accept its own bugs (a wrong key-derivation prefix, a header missing from the
// canonical request), and every local test would pass while OSS refused every URL. Keep them apart:
// do not import local/verify here, nor this folder there; both are checked against test/vectors.

export * from './credentials';
export * from './encode';
export * from './v4';
export * from './v1';
export * from './url';
export * from './post';
export * from './presign';
