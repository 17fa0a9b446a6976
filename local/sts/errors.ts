// STS errors as STS reports them: HTTP status plus {RequestId, HostId, Code, Message}.

export class StsApiError extends Error {
  override name = 'StsApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const missing = (name: string) => new StsApiError(400, `Missing${name}`, `${name} is mandatory for this action.`);

export const invalidParameter = (name: string, message: string) => new StsApiError(400, `InvalidParameter.${name}`, message);
