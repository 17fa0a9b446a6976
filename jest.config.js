/** @type {import('jest').Config} */
module.exports = {
  // Node, plus a last log audit after each file's own afterAll hooks (test/setup/audited-environment.ts).
  testEnvironment: '<rootDir>/test/setup/audited-environment.ts',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Browser and Redis tests need a system program each: their own npm scripts run them.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/browser/', '<rootDir>/test/redis/'],
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }] },
  // jose 6 ships ESM only; let swc turn it into CommonJS for jest.
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  testTimeout: 30000,
  // Every test file runs with its log lines audited for secrets (test/setup/log-audit.ts).
  setupFilesAfterEnv: ['<rootDir>/test/setup/log-audit.ts'],
};
