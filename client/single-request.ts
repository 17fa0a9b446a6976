// Uploads in one request, with no credentials on the client: a PostObject form or a presigned PUT.
// OSS relays the upload callback's JSON answer as the response body.

import type { SignedForm, SignedRequest } from './api';
import { errorFromResponse } from './errors';
import { send } from './transport';

export interface SendOptions {
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
}

export async function postForm(form: SignedForm, file: Blob, filename: string, options: SendOptions = {}): Promise<unknown> {
  const body = new FormData();
  for (const [name, value] of Object.entries(form.fields)) body.append(name, value);
  body.append('file', file, filename); // OSS ignores every field after the file
  const res = await send({ method: 'POST', url: form.url, body, ...options });
  return answer(res.status, res.body);
}

export async function putSigned(signed: SignedRequest, file: Blob, options: SendOptions = {}): Promise<unknown> {
  const res = await send({ method: 'PUT', url: signed.url, headers: signed.headers, body: file, ...options });
  return answer(res.status, res.body);
}

/** The callback's JSON (or undefined without a callback); 203 means OSS stored the file but the callback failed. */
function answer(status: number, body: string): unknown {
  if (status !== 200 && status !== 204) throw errorFromResponse(status, body);
  return parseCallbackAnswer(body);
}

export function parseCallbackAnswer(body: unknown): unknown {
  if (body === undefined || body === null || body === '') return undefined;
  if (typeof body !== 'string') return body;
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}
