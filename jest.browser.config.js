/** @type {import('jest').Config} */
// The browser tests: Debian's Chromium driven by playwright-core against the local runtime.
// One file at a time: each starts its own runtime and browser and moves tens of megabytes.
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test/browser'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }] },
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  testTimeout: 180000,
  maxWorkers: 1,
};
