/** @type {import('jest').Config} */
// The browser tests: Debian's Chromium driven by playwright-core against the local runtime.
// One file at a time: each starts its own runtime and browser and moves tens of megabytes.
module.exports = {
  testEnvironment: '<rootDir>/test/setup/audited-environment.ts',
  roots: ['<rootDir>/test/browser'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }] },
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  testTimeout: 180000,
  maxWorkers: 1,
  // The log audit, as for the other tests; here it mostly reads the `npm start` child's output.
  setupFilesAfterEnv: ['<rootDir>/test/setup/log-audit.ts'],
};
