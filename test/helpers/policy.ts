import { ApiError } from '../../shared/api/errors';

/** The ApiError code `run` throws, or 'accepted' when it throws nothing. */
export function policyCode(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    if (err instanceof ApiError) return err.code;
    throw err;
  }
  return 'accepted';
}

/**
 * What `run` is refused with: the ApiError's code and message, and the rule it names when it names
 * one. Throws when `run` throws nothing, or throws something other than an ApiError.
 */
export function apiRefusal(run: () => unknown): { code: string; message: string; rule?: string } {
  try {
    run();
  } catch (err) {
    if (err instanceof ApiError) return { code: err.code, message: err.message, ...(err.rule === undefined ? {} : { rule: err.rule }) };
    throw err;
  }
  throw new Error('not refused');
}
