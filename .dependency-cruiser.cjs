// The project's dependency rules (docs/architecture.md): functions -> shared -> shared/api; nothing in
// a function bundle reaches the local runtime, tests, benchmarks or scripts; the client stands alone
// on the API's types. test/contract/architecture.test.ts runs these on the tree and proves each rule
// by planting the import it forbids.

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'shared-imports-http',
      comment: 'Only shared/http knows Function Compute events and HTTP answers; the rest of shared/ throws ApiError.',
      severity: 'error',
      from: { path: '^shared/', pathNot: '^shared/http/' },
      to: { path: '^shared/http(/|\\.ts$)' },
    },
    {
      name: 'shared-imports-functions',
      comment: 'Dependencies point one way: functions -> shared -> shared/api.',
      severity: 'error',
      from: { path: '^shared/' },
      to: { path: '^functions/' },
    },
    {
      name: 'product-imports-tooling',
      comment: 'Function bundles must not carry the local runtime, tests, benchmarks, scripts or the rules tooling (the build bundles its output as JSON).',
      severity: 'error',
      from: { path: '^(functions|shared)/' },
      to: { path: '^(local|test|bench|scripts|rules)/' },
    },
    {
      name: 'function-imports-function',
      comment: "Each function's folder holds what only it needs; what two functions share lives in shared/.",
      severity: 'error',
      from: { path: '^functions/([^/]+)/' },
      to: { path: '^functions/([^/]+)/', pathNot: '^functions/$1/' },
    },
    {
      name: 'client-imports-beyond-api',
      comment: 'The client package stands alone: of this project it may import only shared/api (its wire types).',
      severity: 'error',
      from: { path: '^client/' },
      to: { pathNot: ['^client/', '^shared/api/', '^node_modules/'], dependencyTypesNot: ['core'] },
    },
    {
      name: 'api-imports-anything',
      comment: 'shared/api is the contract every layer depends on; it depends on nothing.',
      severity: 'error',
      from: { path: '^shared/api/' },
      to: {},
    },
    {
      name: 'cycle',
      comment: 'A cycle makes two modules one concept in two files (config and policy used to be one).',
      severity: 'error',
      from: { path: '^(functions|shared|client)/' },
      to: { circular: true },
    },
    {
      name: 'tooling-imports-tests',
      comment: 'Scripts, benchmarks and the rules tooling run without the test suite.',
      severity: 'error',
      from: { path: '^(bench|scripts|rules)/' },
      to: { path: '^test/' },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)node_modules/' },
  },
};
