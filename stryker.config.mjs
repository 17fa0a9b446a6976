// Mutation testing of the security-critical modules (TESTING.md, "Mutation testing"): `npm run
// test:mutation` mutates them all; `npm run test:mutation -- --mutate 'shared/signer/**'` one module
// (quote the glob, or the shell expands it).
//
// Each mutant runs only the tests that reach it: jest's findRelatedTests picks the test files that
// import the mutated file, and per-test coverage picks, among those, the tests that executed the
// mutated line. One jest worker by default: the machine has two cores shared with other work; pass
// `--concurrency 2` when it is yours alone.

// MUTATION_TESTS=path,path narrows the tests run against mutants to the listed test files (paths from
// the repository root). Fewer tests can only kill fewer mutants, so a score measured with it is a lower
// bound of the full run's; TESTING.md says which runs used it. It turns hours into minutes for modules
// whose related tests start the local runtime in their setup.
const onlyTests = (process.env.MUTATION_TESTS ?? '').split(',').map((p) => p.trim()).filter(Boolean);

export default {
  $schema: './node_modules/@stryker-mutator/core/schema/stryker-schema.json',
  packageManager: 'npm',
  testRunner: 'jest',
  jest: {
    projectType: 'custom',
    configFile: 'jest.config.js',
    config: {
      // Stryker's runner loads the test environment with Node's require, which cannot read TypeScript.
      testEnvironment: './test/setup/audited-environment.cjs',
      // findRelatedTests follows imports only through files jest has mapped: with the default roots
      // (test/ alone) a test that reaches shared/callback-auth through the callback handler, or the
      // signer through the local runtime, would never run against its mutants.
      roots: ['<rootDir>/test', '<rootDir>/shared', '<rootDir>/functions', '<rootDir>/local', '<rootDir>/client'],
      // Left out: tests whose setup (beforeAll) drives the whole runtime (test/e2e, and bad-input,
      // which seeds an object through /sign, the local OSS and the callback). Code that runs outside
      // a test is covered by no test, so Stryker runs every related test against each of its mutants:
      // with them in, two thirds of the signer's mutants cost a full run each (hours). What they guard
      // for these modules is re-checked by `npm run test:security-mutations`. The browser and Redis
      // tests are left out as in jest.config.js: each needs a system program (Chromium, redis-server).
      // So are the two tests that check documents and imports by starting processes of their own (jest
      // listing the cited tests, dependency-cruiser): no mutant of these modules can change what they
      // read, and as related tests of every static mutant they cost minutes each.
      // jest.config.js gives a test 30 s; on a machine loaded enough that Stryker is slow, a test that
      // starts a process of its own (npm run verify-deploy) overran that in the initial run, which then
      // stops Stryker. A hanging mutant is still caught by Stryker's own timeout (timeoutMS below).
      testTimeout: 120_000,
      ...(onlyTests.length ? { testMatch: onlyTests.map((p) => `<rootDir>/${p}`) } : {}),
      testPathIgnorePatterns: [
        '/node_modules/',
        '<rootDir>/test/browser/',
        '<rootDir>/test/redis/',
        '<rootDir>/test/e2e/',
        '<rootDir>/test/hardening/bad-input.test.ts',
        '<rootDir>/test/hardening/security-md.test.ts',
        '<rootDir>/test/contract/architecture.test.ts',
      ],
    },
    enableFindRelatedTests: true,
  },
  coverageAnalysis: 'perTest',
  mutate: [
    'shared/signer/**/*.ts',
    'shared/callback-auth/**/*.ts',
    'shared/policy/**/*.ts',
    'shared/auth.ts',
    'functions/callback/**/*.ts',
  ],
  // Mutants that do not type-check are dropped before any test runs (swc strips types, so they would
  // otherwise run as JavaScript no caller could write). The narrow tsconfig checks only what can be
  // mutated and what it imports.
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.mutation.json',
  concurrency: 1,
  // A mutant whose tests run past this is counted a timeout (detected, as an endless loop would be).
  // Stryker's default (5 s over the tests' own time) is too tight here: after a timeout it restarts
  // the jest process, whose cold start then overruns too, and the rest of the run cascades into
  // "timeouts" that hide both kills and survivors. 30 s keeps the verdicts real on a busy machine.
  timeoutMS: 30000,
  // Copied into the sandbox is everything the tests read (docs included: some tests check them).
  ignorePatterns: ['dist', 'coverage', 'test-results', '.local-data', 'reports'],
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true },
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
};
