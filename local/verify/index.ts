// The local OSS's and local STS's signature checks: a second implementation of OSS Signature V4 and
// V1 (header, URL and PostObject form) and of STS's POP RPC signature, written from the
// specification (the OSS and STS API references, the official SDKs' documented algorithm and the
// known-answer vectors in test/vectors), not from shared/signer.
//
// Two implementations of one thing are the point here, and only here. The local runtime stands in
// for OSS and STS: if it checked signatures with the product's own signer, a bug in the signer
// (a wrong key-derivation prefix, a header left out of the canonical request) would be signed and
// verified the same way, and every test driving the local OSS would pass while real OSS refused
// every URL. Checked by separate code, such a bug fails every test that uses a signed URL or form.
//
// So nothing in this folder imports shared/ (test/unit/verify-independence.test.ts fails if it
// does), not even the protocol's constants: they are written here from the specification too.
// This is a test double's check, not product code: nothing in a function bundle imports it.

export * from './v4';
export * from './v1';
export * from './post-policy';
export * from './pop';
