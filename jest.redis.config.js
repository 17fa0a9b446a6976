/** @type {import('jest').Config} */
// The shared credential cache against a real redis-server (Debian's), which the tests start on a free
// loopback port and stop: `npm run test:redis`. Not part of `npm test`, which needs Node alone. One
// file at a time: each runs several handler processes and thousands of requests.
module.exports = {
  testEnvironment: '<rootDir>/test/setup/audited-environment.ts',
  roots: ['<rootDir>/test/redis'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }] },
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  testTimeout: 300000,
  maxWorkers: 1,
  setupFilesAfterEnv: ['<rootDir>/test/setup/log-audit.ts'],
};
