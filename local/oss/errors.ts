// OSS errors as OSS reports them: an HTTP status, a code clients switch on, a message, and the
// extra elements some codes carry (StringToSign for signature mismatches, the object key…).

export class OssError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Extra elements of the <Error> document, in order. */
    readonly details: Record<string, string> = {},
    /** Response headers the error carries (e.g. x-oss-next-append-position with PositionNotEqualToLength). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'OssError';
  }
}

export const accessDenied = (message: string, details?: Record<string, string>) => new OssError(403, 'AccessDenied', message, details);
export const invalidArgument = (message: string, details?: Record<string, string>) =>
  new OssError(400, 'InvalidArgument', message, details);
/** 501 NotImplemented: something OSS offers that the local OSS does not, refused rather than answered wrongly. */
export const notServed = (what: string) => new OssError(501, 'NotImplemented', `The local OSS does not implement ${what}.`);
export const malformedXml = () =>
  new OssError(400, 'MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema.');
