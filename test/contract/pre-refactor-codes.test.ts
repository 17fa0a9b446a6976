// Error codes are stable API. Before issue 18 moved every code into one catalogue, the codes and the
// hardening table's expectations were captured (pre-refactor-codes.json); these tests fail if the
// refactor, or anything after it, changes a status or a code that a caller could see.

import { API_ERRORS } from '../../shared/api/errors';
import { BAD_INPUTS } from '../hardening/bad-input.cases';
import captured from './pre-refactor-codes.json';

test('every bad-input case expects the status and code it expected before the refactor', () => {
  const now = Object.fromEntries(BAD_INPUTS.map((c) => [`${c.endpoint}: ${c.what}`, `${c.status} ${c.code}`]));
  expect(now).toEqual(captured.badInputs);
});

test('the catalogue holds exactly the codes callers could see before the refactor, each with the same status and Retry-After', () => {
  expect(API_ERRORS).toEqual(captured.codes);
});
