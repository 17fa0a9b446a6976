import { ApiError as PolicyError } from '../../shared/api/errors';

/** The PolicyError code `run` throws, or 'accepted' when it throws nothing. */
export function policyCode(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    if (err instanceof PolicyError) return err.code;
    throw err;
  }
  return 'accepted';
}
