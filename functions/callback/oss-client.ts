// The few OSS calls the callback function makes itself (HeadObject, DeleteObject), V4-signed with the
// function role's own credentials against the internal endpoint. Short timeouts: these run inside
// the 5 s OSS gives a callback. Both go through the instance's keep-alive pool (shared/outbound).

import { FILENAME_META } from '../../shared/policy/filename';
import { SERVING_HEADERS, type StoredSettings } from '../../shared/policy/upload-checks';
import type { Credentials } from '../../shared/signer/credentials';
import { OutboundError, type OutboundResponse, request } from '../../shared/outbound';
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
  /** `x-oss-hash-crc64ecma`: the content's CRC-64 (decimal), when OSS reports one. */
  crc64?: string;
  /** How the object is served and stored: its standard HTTP headers, storage class and tag count. */
  settings: StoredSettings;
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

// An OSS error document is a few hundred bytes; more than this is not one.
const MAX_ERROR_BYTES = 16 * 1024;

async function send(t: OssTarget, operation: string, method: 'HEAD' | 'DELETE', key: string): Promise<OutboundResponse> {
  const auth = authorizeV4({ method, bucket: t.bucket, key, query: [], headers: {} }, t.credentials, t.region, new Date());
  try {
    return await request({ method, url: objectUrl(t, t.bucket, key), headers: auth.headers, timeoutMs: t.timeoutMs ?? 1500, maxBodyBytes: MAX_ERROR_BYTES });
  } catch (err) {
    const reason = err instanceof OutboundError ? err.reason : 'unreachable';
    throw new OssRequestError(operation, undefined, reason === 'timeout' ? 'Timeout' : reason === 'too-large' ? 'AnswerTooLarge' : 'Unreachable');
  }
}

function failure(operation: string, res: OutboundResponse): OssRequestError {
  const ec = res.headers['x-oss-ec'];
  const code = /<Code>([^<]{1,64})<\/Code>/.exec(res.body.toString('utf8'))?.[1] ?? (typeof ec === 'string' ? ec : undefined) ?? `HTTP${res.status}`;
  return new OssRequestError(operation, res.status, code);
}

const ok = (res: OutboundResponse) => res.status >= 200 && res.status < 300;

/** The object's ETag, size, type, name and how it is served and stored, or undefined when it does not exist. */
export async function headObject(t: OssTarget, key: string): Promise<ObjectHead | undefined> {
  const res = await send(t, 'HeadObject', 'HEAD', key);
  if (res.status === 404) return undefined;
  if (!ok(res)) throw failure('HeadObject', res);
  const { etag } = res.headers;
  const size = Number(res.headers['content-length']);
  if (!etag || !Number.isSafeInteger(size)) throw new OssRequestError('HeadObject', res.status, 'IncompleteAnswer');
  const header = (name: string) => {
    const v = res.headers[name.toLowerCase()];
    return Array.isArray(v) ? v[0] : v;
  };
  const settings: StoredSettings = {
    headers: Object.fromEntries(SERVING_HEADERS.flatMap((name) => (header(name) === undefined ? [] : [[name, header(name)]]))),
    storageClass: header('x-oss-storage-class'),
    taggingCount: header('x-oss-tagging-count'),
    forcedDownload: header('x-oss-force-download')?.trim().toLowerCase() === 'true',
  };
  return { etag: normalizeEtag(etag), size, contentType: header('content-type') ?? '', objectType: header('x-oss-object-type') ?? '', filename: header(FILENAME_META), crc64: header('x-oss-hash-crc64ecma'), settings };
}

export async function deleteObject(t: OssTarget, key: string): Promise<void> {
  const res = await send(t, 'DeleteObject', 'DELETE', key);
  if (!ok(res)) throw failure('DeleteObject', res);
}
