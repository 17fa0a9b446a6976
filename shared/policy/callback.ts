// The upload callback OSS makes after a PutObject, PostObject or CompleteMultipartUpload. The body
// carries OSS's own variables only: what decides whose upload it was must not come from the client.

export const CALLBACK_BODY_TYPE = 'application/json';
export const CALLBACK_BODY =
  '{"bucket":${bucket},"object":${object},"etag":${etag},"size":${size},"mimeType":${mimeType},"operation":${operation}}';

export interface CallbackParam {
  callbackUrl: string;
  callbackBody: string;
  callbackBodyType: string;
}

/** The Base64 `callback` parameter, or undefined when no callback URL is configured. */
export function callbackParam(callbackUrl: string | undefined): string | undefined {
  if (!callbackUrl) return undefined;
  const param: CallbackParam = { callbackUrl, callbackBody: CALLBACK_BODY, callbackBodyType: CALLBACK_BODY_TYPE };
  return Buffer.from(JSON.stringify(param), 'utf8').toString('base64');
}
