// No caller waits past its function's timeout for STS: each function's budget for getting
// credentials (its turn under STS_RATE_LIMIT, another instance's call, every attempt and backoff),
// plus a JWKS fetch (shared/auth.ts gives jose 2 s) and half a second for the rest, fits the
// timeout s.yaml gives the function.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { SIGN_STS_BUDGET_MS } from '../../functions/sign';
import { TOKEN_STS_BUDGET_MS } from '../../functions/token';

const JWKS_FETCH_MS = 2000;
const REST_MS = 500;

const manifest = parse(readFileSync(join(__dirname, '..', '..', 's.yaml'), 'utf8')) as {
  template: { function: { timeout: number } };
  resources: Record<string, { props: { timeout?: number } }>;
};
const timeoutMs = (fn: string) => (manifest.resources[fn].props.timeout ?? manifest.template.function.timeout) * 1000;

test.each([
  ['token', TOKEN_STS_BUDGET_MS],
  ['sign', SIGN_STS_BUDGET_MS],
])("the %s function's STS budget, a JWKS fetch and half a second fit its timeout in s.yaml", (fn, budget) => {
  expect(budget + JWKS_FETCH_MS + REST_MS).toBeLessThanOrEqual(timeoutMs(fn as string));
});

