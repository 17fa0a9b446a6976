// The rules file the build compiles into each function: scripts/build.ts defines
// STORAGE_RULES_BUNDLED (esbuild's `define`, replacing the identifier with the compiled JSON); a
// global of that name stands in for it here. Outside a bundle there is none.

import type { StorageRules } from '../../shared/policy/storage-rules';

const COMPILED: StorageRules = {
  maxClaimValues: 8,
  defaults: {},
  rules: [{ path: 'users/{uid}/*', tokens: [{ literal: 'users/' }, { uid: true }, { literal: '/' }], allow: { guest: [], authenticated: [], owner: ['read', 'write', 'list', 'delete'], groups: {} }, write: {} }],
};

function bundledRules(): StorageRules | undefined {
  let rules: StorageRules | undefined;
  jest.isolateModules(() => {
    rules = (require('../../shared/policy/bundled-rules') as typeof import('../../shared/policy/bundled-rules')).BUNDLED_RULES;
  });
  return rules;
}

afterEach(() => {
  delete (globalThis as { STORAGE_RULES_BUNDLED?: unknown }).STORAGE_RULES_BUNDLED;
});

test('outside a bundle, there are none: the caller passes its own rules', () => {
  expect(bundledRules()).toBeUndefined();
});

test('in a bundle, they are the rules the build compiled in', () => {
  (globalThis as { STORAGE_RULES_BUNDLED?: unknown }).STORAGE_RULES_BUNDLED = COMPILED;
  expect(bundledRules()).toBe(COMPILED);
});
