// Verifying OSS upload callbacks: what was signed, which keys may have signed it, and where a key may come from.
export * from './oss-public-key';
export * from './key-url';
export * from './key-store';
export * from './verify';
