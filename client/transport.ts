// One HTTP request with upload progress and cancellation. Browsers get XMLHttpRequest (fetch cannot
// report upload progress); Node gets fetch, with progress only at the start and the end.

import { cancelledError, networkError } from './errors';

export interface SendRequest {
  method: 'PUT' | 'POST' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  body?: Blob | FormData;
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
}

export interface SendResponse {
  status: number;
  body: string;
  /** x-oss-hash-crc64ecma, when OSS sent it and (in a browser) the bucket's CORS exposes it. */
  crc64?: string;
}

const CRC64_HEADER = 'x-oss-hash-crc64ecma';

export function send(req: SendRequest): Promise<SendResponse> {
  if (req.signal?.aborted) return Promise.reject(cancelledError());
  return typeof XMLHttpRequest === 'function' ? sendXhr(req) : sendFetch(req);
}

// Browsers compute Content-Length from the body and refuse to let script set it.
function sendableHeaders(headers: Record<string, string> = {}): [string, string][] {
  return Object.entries(headers).filter(([name]) => name.toLowerCase() !== 'content-length');
}

function sendXhr(req: SendRequest): Promise<SendResponse> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    const onAbort = () => xhr.abort();
    const done = () => req.signal?.removeEventListener('abort', onAbort);
    xhr.open(req.method, req.url);
    for (const [name, value] of sendableHeaders(req.headers)) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && e.total > 0) req.onProgress?.(e.loaded / e.total);
    };
    xhr.onload = () => {
      done();
      resolve({ status: xhr.status, body: xhr.responseText, crc64: xhr.getResponseHeader(CRC64_HEADER) ?? undefined });
    };
    xhr.onerror = () => {
      done();
      reject(networkError());
    };
    xhr.ontimeout = xhr.onerror;
    xhr.onabort = () => {
      done();
      reject(cancelledError());
    };
    req.signal?.addEventListener('abort', onAbort);
    req.onProgress?.(0);
    xhr.send(req.body ?? null);
  });
}

async function sendFetch(req: SendRequest): Promise<SendResponse> {
  req.onProgress?.(0);
  try {
    const res = await fetch(req.url, { method: req.method, headers: sendableHeaders(req.headers), body: req.body, signal: req.signal });
    const body = await res.text();
    if (res.ok) req.onProgress?.(1);
    return { status: res.status, body, crc64: res.headers.get(CRC64_HEADER) ?? undefined };
  } catch (err) {
    throw req.signal?.aborted ? cancelledError() : networkError(err);
  }
}
