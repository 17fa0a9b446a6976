// OSS's callback public key, shipped with the code so that normal operation never fetches a key, and
// the one host a key may come from. The content of a published key never changes (OSS docs).

export const OSS_PUBLIC_KEY_HOST = 'gosspublic.alicdn.com';

/** The path of the key OSS names in `x-oss-pub-key-url` today. */
export const SHIPPED_KEY_PATH = '/callback_pub_key_v1.pem';

/** https://gosspublic.alicdn.com/callback_pub_key_v1.pem (RSA-512; it verifies OSS's documented example). */
export const SHIPPED_KEY_PEM = `-----BEGIN PUBLIC KEY-----
MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAKs/JBGzwUB2aVht4crBx3oIPBLNsjGs
C0fTXv+nvlmklvkcolvpvXLTjaxUHR3W9LXxQ2EHXAJfCB+6H2YF1k8CAwEAAQ==
-----END PUBLIC KEY-----
`;
