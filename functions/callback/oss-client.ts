// The few OSS calls the callback function makes itself (HeadObject, DeleteObject), V4-signed with the
// function role's own credentials against the internal endpoint. Short timeouts: these run inside
// the 5 s OSS gives a callback.

import { FILENAME_META } from '../../shared/policy/filename';
import type { Credentials } from '../../shared/signer/credentials';
import { objectUrl } from '../../shared/signer/url';
import { authorizeV4 } from '../../shared/signer/v4';
import { normalizeEtag } from './upload-event';

export interface OssTarget {
  endpoint: string;
  pathStyle: boolean;
  region: string;
  bucket: string;
  credentials: Credentials;
  timeoutMs?: number;
}

export interface ObjectHead {
  /** Unquoted and upper-case, as OSS reports it in callbacks and events. */
  etag: string;
  size: number;
  contentType: string;
  /** `x-oss-object-type`: Normal, Multipart, Appendable or Symlink (HeadObject of a symlink answers for its target, with this type). */
  objectType: string;
  /** `x-oss-meta-filename` as stored (percent-encoded), when the object has one. */
  filename?: string;
}

export class OssRequestError extends Error {
  override name = 'OssRequestError';
  constructor(
    readonly operation: string,
    readonly status: number | undefined,
    readonly code: string,
  ) {
    super(`${operation}: ${status ?? 'no answer'} ${code}`);
  }
}

async function send(t: OssTarget, operation: string, method: string, key: string): Promise<Response> {
  const auth = authorizeV4({ method, bucket: t.bucket, key, query: [], headers: {} }, t.credentials, t.region, new Date());
  try {
    return await fetch(objectUrl(t, t.bucket, key), {
      method,
      headers: auth.headers,
      redirect: 'error',
      signal: AbortSignal.timeout(t.timeoutMs ?? 1500),
    });
  } catch (err) {
    throw new OssRequestError(operation, undefined, err instanceof Error && err.name === 'TimeoutError' ? 'Timeout' : 'Unreachable');
  }
}

async function failure(operation: string, res: Response): Promise<OssRequestError> {
  const text = await res.text().catch(() => '');
  const code = /<Code>([^<]{1,64})<\/Code>/.exec(text)?.[1] ?? res.headers.get('x-oss-ec') ?? `HTTP${res.status}`;
  return new OssRequestError(operation, res.status, code);
}

/** The object's ETag, size and type, or undefined when it does not exist. */
export async function headObject(t: OssTarget, key: string): Promise<ObjectHead | undefined> {
  const res = await send(t, 'HeadObject', 'HEAD', key);
  if (res.status === 404) return undefined;
  if (!res.ok) throw await failure('HeadObject', res);
  const etag = res.headers.get('etag');
  const size = Number(res.headers.get('content-length'));
  if (!etag || !Number.isSafeInteger(size)) throw new OssRequestError('HeadObject', res.status, 'IncompleteAnswer');
  const filename = res.headers.get(FILENAME_META) ?? undefined;
  return { etag: normalizeEtag(etag), size, contentType: res.headers.get('content-type') ?? '', objectType: res.headers.get('x-oss-object-type') ?? '', filename };
}

export async function deleteObject(t: OssTarget, key: string): Promise<void> {
  const res = await send(t, 'DeleteObject', 'DELETE', key);
  if (!res.ok) throw await failure('DeleteObject', res);
  await res.body?.cancel();
}
