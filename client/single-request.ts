// Uploads in one request, with no credentials on the client: a PostObject form or a presigned PUT.
// OSS relays the upload callback's JSON answer as the response body.

import type { SignedForm, SignedRequest } from './api';
import { errorFromResponse } from './errors';
import { send, type SendResponse } from './transport';

export interface SendOptions {
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
}

/** What OSS answered an upload: the callback's JSON (undefined without a callback) and the CRC-64 header. */
export interface StoredAnswer {
  callback: unknown;
  crc64?: string;
}

/** A PostObject upload; throws UploadError for anything but 200/204. */
export async function postForm(form: SignedForm, file: Blob, filename: string, options: SendOptions = {}): Promise<StoredAnswer> {
  const body = new FormData();
  for (const [name, value] of Object.entries(form.fields)) body.append(name, value);
  body.append('file', file, filename); // OSS ignores every field after the file
  return answer(await send({ method: 'POST', url: form.url, body, ...options }));
}

/** A presigned PutObject; throws UploadError for anything but 200/204. */
export async function putSigned(signed: SignedRequest, file: Blob, options: SendOptions = {}): Promise<StoredAnswer> {
  return answer(await send({ method: 'PUT', url: signed.url, headers: signed.headers, body: file, ...options }));
}

/** A presigned DeleteObject; OSS answers 204 whether or not the object existed. Throws UploadError otherwise. */
export async function deleteSigned(signed: SignedRequest): Promise<void> {
  const res = await send({ method: 'DELETE', url: signed.url, headers: signed.headers });
  if (res.status !== 204 && res.status !== 200) throw errorFromResponse(res.status, res.body);
}

/** The callback's JSON (or undefined without a callback); 203 means OSS stored the file but the callback failed. */
function answer(res: SendResponse): StoredAnswer {
  if (res.status !== 200 && res.status !== 204) throw errorFromResponse(res.status, res.body);
  return { callback: parseCallbackAnswer(res.body), crc64: res.crc64 };
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
