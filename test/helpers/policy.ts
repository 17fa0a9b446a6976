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
