/** A request that breaks the upload rules; `code` is what the client sees. */
export class PolicyError extends Error {
  override name = 'PolicyError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
