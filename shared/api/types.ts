// The wire shapes of the HTTP API: what callers send to /token and /sign, what they get back, what
// the upload callback answers and what the app's webhook receives. A leaf module: it imports nothing,
// so the client can import these types without any of the functions' code.

/** What a token or a signature may do under the caller's prefix; the unit of STS caching. */
export const ACCESS_LEVELS = ['upload', 'download', 'readwrite', 'delete'] as const;
/**
 * `upload`: PutObject and multipart; `download`: GetObject; `readwrite`: both, DeleteObject, and
 * listing the prefix; `delete`: DeleteObject only (what `/sign` signs a DELETE with).
 */
export type Access = (typeof ACCESS_LEVELS)[number];

/** `POST /token` (there is no GET: the mobile SDKs' URL providers cannot authenticate). */
export interface TokenRequest {
  access: Access;
}

/** The answer of /token: the first five fields are the shape the OSS Android/iOS SDKs read. */
export interface TokenResponse {
  StatusCode: 200;
  AccessKeyId: string;
  AccessKeySecret: string;
  SecurityToken: string;
  /** ISO 8601 UTC, as STS wrote it, on the server's clock. */
  Expiration: string;
  bucket: string;
  /** Region id without `oss-`, e.g. `cn-hangzhou`. */
  region: string;
  /** The OSS endpoint to use, e.g. `https://oss-cn-hangzhou.aliyuncs.com`. */
  endpoint: string;
  /** Every key these credentials reach starts with it, e.g. `users/alice/`. */
  prefix: string;
}

/**
 * `put`/`get`/`delete`: a presigned URL; `post`: a PostObject form; `callback`: the key and the pinned
 * callback for an upload the client makes with its own STS credentials (multipart, the mobile SDKs).
 */
export type SignOperation = 'put' | 'get' | 'post' | 'callback' | 'delete';

/** `POST /sign`. Values are checked by the server; a wrong type is a 400, not a crash. */
export interface SignRequest {
  op: SignOperation;
  /**
   * Under the caller's prefix; required for get and delete. Generated when absent (put, post,
   * callback): `<prefix><id>/<safe name>` with a filename, `<prefix><id>` without. A post key's last
   * segment may be `${filename}`.
   */
  key?: string;
  /**
   * The user's file name, 1–255 characters of any Unicode. For put, post and callback: bound to the
   * upload as x-oss-meta-filename (percent-encoded UTF-8), its safe form ending a generated key (a
   * given key must end with that safe form), its extension giving the type when contentType is
   * absent. For get: the download's attachment name (default: the key's last segment).
   */
  filename?: string;
  contentType?: string;
  /** Bytes. */
  size?: number;
  /** Seconds. */
  expiresIn?: number;
}

/**
 * The answer of /sign for put, get and delete: one presigned URL. A DELETE answers 204 whether or not
 * the object exists; a GET of a deleted object's URL answers 404 NoSuchKey.
 */
export interface SignedUrlResponse {
  method: 'PUT' | 'GET' | 'DELETE';
  url: string;
  /**
   * Exactly the headers the client must send; all of them are signed. A PUT with a filename carries
   * `x-oss-meta-filename` (the percent-encoded name); a GET and a DELETE carry none.
   */
  headers: Record<string, string>;
  key: string;
  /** ISO 8601. */
  expiresAt: string;
}

/** The answer of /sign for post: a PostObject form. */
export interface SignedFormResponse {
  /** Where the form is posted: the bucket's root. */
  url: string;
  /**
   * The fields to post, in order, before the file (the last field). With a filename, `x-oss-meta-filename`
   * (the percent-encoded name), which the policy pins; without, the policy pins it empty.
   */
  fields: Record<string, string>;
  key: string;
  /** ISO 8601. */
  expiresAt: string;
  /** Bytes. */
  maxSize: number;
}

/** The callback parameter as OSS defines it, before Base64: what the SDKs' callback options take. */
export interface CallbackParams {
  callbackUrl: string;
  /** A JSON template: OSS's variables and the MAC that proves the sign function pinned it. */
  callbackBody: string;
  callbackBodyType: string;
}

/** The answer of /sign for callback: the key to upload to and the callback to send with it. */
export interface SignedCallbackResponse {
  key: string;
  /**
   * `x-oss-*` headers the upload must send (on InitiateMultipartUpload for multipart):
   * `x-oss-meta-filename` with a filename (the callback refuses the upload as FilenameMissing or
   * FilenameMismatch when OSS does not hold exactly this value), `x-oss-forbid-overwrite` when the
   * rules forbid overwriting.
   */
  headers: Record<string, string>;
  /**
   * Base64 of the callback's JSON: the `x-oss-callback` header of a PutObject or CompleteMultipartUpload.
   * null when the deployment pins no callback (CALLBACK_URL unset).
   */
  callback: string | null;
  /** The same callback, decoded, for SDKs that take its parts (ali-oss `{url, body, contentType}`, the mobile SDKs' callbackParam). */
  callbackParams: CallbackParams | null;
  /** When the callback's MAC expires (ISO 8601): the upload must complete before. */
  expiresAt: string | null;
}

/** What the callback function answers OSS after an accepted upload; OSS relays it to the uploader. */
export interface CallbackAnswer {
  key: string;
  /** The file name, decoded: UploadEvent's `filename`. The download URL is an attachment under it. */
  filename: string;
  /** Bytes, as OSS stored them. */
  size: number;
  /** Upper-case, unquoted. */
  etag: string;
  mimeType: string;
  /** The owner's key segment (the user id, or `~` and a hash of it). */
  user: string;
  /**
   * A short-lived presigned GET of the object, signed with the owner's own download scope; null when
   * STS could not be asked in time (the upload itself is fine: ask /sign for a URL).
   */
  url: string | null;
  /** ISO 8601; null with `url`. */
  expiresAt: string | null;
  /** The upload event's id. */
  eventId: string;
  /** Whether the app's webhook took the event in time (or the log, when none is configured). */
  delivered: boolean;
}

/** The event type of a completed upload, as the webhook's `type`. */
export const UPLOAD_EVENT_TYPE = 'upload.completed';

/** One stored upload, as the app receives it (the same for the callback and the OSS event path). */
export interface UploadEvent {
  /** Hex SHA-256 of bucket, key and ETag: the same for every report of one upload. */
  id: string;
  bucket: string;
  key: string;
  /**
   * The user's file name: the object's x-oss-meta-filename decoded, or, for an object without one,
   * the key's last segment (a `${filename}` form's key holds the uploaded file's own name there).
   */
  filename: string;
  user: string;
  /** Bytes. */
  size: number;
  mimeType: string;
  /** Upper-case, unquoted. */
  etag: string;
  /** When the upload was reported (ISO 8601). */
  time: string;
}

/** The body of a webhook delivery (Standard Webhooks: id, timestamp and signature travel as headers). */
export interface WebhookPayload<T = UploadEvent> {
  type: string;
  /** ISO 8601. */
  timestamp: string;
  data: T;
}

/** Every error answer. `Code` is the catalogue's ApiErrorCode (shared/api/errors). */
export interface ErrorBody<Code extends string = string> {
  error: {
    code: Code;
    message: string;
    /** The request's id, also in X-Request-Id and the function's log line. */
    requestId: string;
  };
}
