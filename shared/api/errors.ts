// Every error code a caller can see, with its HTTP status and, for outages, how long to wait before
// retrying: the one list the functions throw from, the README documents (a test compares them) and
// the client keys its messages by. A leaf module: it imports nothing.
//
// Codes are stable API. Renaming or removing one breaks clients that switch on it: write it in
// CHANGELOG.md as a breaking change.

interface ErrorSpec {
  /** HTTP status of the answer. */
  readonly status: number;
  /** Seconds sent as Retry-After, when waiting may help. */
  readonly retryAfter?: number;
}

/** Every caller-visible code: its status and, for outages, its Retry-After in seconds. */
export const API_ERRORS = {
  // The request itself (shared/http).
  MalformedEvent: { status: 400 },
  MalformedBody: { status: 400 },
  MalformedPath: { status: 400 },
  MalformedJson: { status: 400 },
  UnsupportedMediaType: { status: 415 },
  PayloadTooLarge: { status: 413 },
  NotFound: { status: 404 },
  MethodNotAllowed: { status: 405 },
  CorsOriginNotAllowed: { status: 403 },

  // Who is calling (shared/auth). Every 401 carries `WWW-Authenticate: Bearer`.
  TokenMissing: { status: 401 },
  TokenMalformed: { status: 401 },
  TokenExpired: { status: 401 },
  TokenNotYetValid: { status: 401 },
  TokenClaimInvalid: { status: 401 },
  TokenClaimMissing: { status: 401 },
  TokenAlgorithmNotAllowed: { status: 401 },
  TokenInvalid: { status: 401 },
  IdentityProviderUnavailable: { status: 503, retryAfter: 5 },

  // The upload rules (shared/policy), for /token and /sign.
  InvalidAccess: { status: 400 },
  InvalidUser: { status: 400 },
  InvalidOperation: { status: 400 },
  InvalidKey: { status: 400 },
  KeyOutsidePrefix: { status: 400 },
  KeyRequired: { status: 400 },
  InvalidFilename: { status: 400 },
  InvalidContentType: { status: 400 },
  ContentTypeRequired: { status: 400 },
  ContentTypeNotAllowed: { status: 400 },
  InvalidSize: { status: 400 },
  SizeRequired: { status: 400 },
  TooLarge: { status: 400 },
  TooSmall: { status: 400 },
  InvalidExpiry: { status: 400 },
  ExpiryTooLong: { status: 400 },
  SizeNotEnforceable: { status: 400 },
  // A storage rule matches, and does not let this caller do this (the answer names the rule's path);
  // also an upload a rule does not allow by its path (multipart only), reported by the callback.
  RuleDenied: { status: 403 },

  // A batch of files for /sign (each file's own refusals are the codes above, reported per file).
  InvalidBatch: { status: 400 },
  TooManyFiles: { status: 400 },

  // The upload callback: not from OSS, not what OSS would send, or an upload that breaks the rules
  // (InvalidKey, KeyOutsidePrefix, InvalidSize, TooLarge, TooSmall, ContentTypeNotAllowed too).
  CallbackQueryNotSupported: { status: 400 },
  CallbackSignatureMissing: { status: 400 },
  CallbackSignatureMalformed: { status: 400 },
  CallbackSignatureInvalid: { status: 403 },
  CallbackKeyUrlMissing: { status: 400 },
  CallbackKeyUrlMalformed: { status: 400 },
  CallbackKeyUrlNotAllowed: { status: 400 },
  CallbackKeyUnavailable: { status: 502 },
  CallbackBodyInvalid: { status: 400 },
  CallbackBodyTypeNotSupported: { status: 400 },
  // A genuine callback the sign function did not pin for this object (its MAC, CALLBACK_MAC_KEY).
  CallbackMacMissing: { status: 403 },
  CallbackMacInvalid: { status: 403 },
  CallbackMacExpired: { status: 403 },
  WrongBucket: { status: 400 },
  ObjectTypeNotAllowed: { status: 400 },
  // The stored x-oss-meta-filename is not the name the upload was signed with (InvalidFilename too).
  FilenameMissing: { status: 400 },
  FilenameMismatch: { status: 400 },
  // OSS holds a Cache-Control, Content-Disposition, Content-Encoding, Content-Language, Expires, storage
  // class or tags that no upload may set.
  ObjectSettingNotAllowed: { status: 400 },
  ObjectNotFound: { status: 400 },
  ObjectChanged: { status: 400 },
  OssUnavailable: { status: 503 },

  // Credentials: STS (token) and the function's own role (sign, callback).
  StsUnavailable: { status: 503, retryAfter: 2 },
  SigningCredentialsExpiring: { status: 503, retryAfter: 5 },

  // The deployment, not the request: the message says what the operator must fix.
  Misconfigured: { status: 500 },
  AuthNotConfigured: { status: 500 },
  FunctionRoleMissing: { status: 500 },
  NoSigningCredentials: { status: 500 },
  SessionPolicyTooLarge: { status: 500 },
  StsCredentialsRejected: { status: 500 },
  StsNoPermission: { status: 500 },
  StsRoleNotFound: { status: 500 },
  StsRoleArnInvalid: { status: 500 },
  StsPolicyRejected: { status: 500 },
  StsDurationRejected: { status: 500 },
  StsExternalIdRejected: { status: 500 },
  StsParameterRejected: { status: 500 },
  StsRejected: { status: 500 },
  InternalError: { status: 500 },
} as const satisfies Record<string, ErrorSpec>;

/** A code of the catalogue; a name not in it does not compile. */
export type ApiErrorCode = keyof typeof API_ERRORS;

/** What one ApiError adds to its catalogue entry. */
export interface ApiErrorOptions {
  /** Seconds for Retry-After instead of the catalogue's (STS throttling asks for longer). */
  retryAfter?: number;
  /** Further response headers, e.g. `Allow` on a 405. */
  headers?: Record<string, string>;
  /** Fields for the request's log line; never sent to the caller. */
  log?: Record<string, unknown>;
  /** The storage rule that refused (its path as written), sent as `error.rule`. */
  rule?: string;
}

/**
 * The one error a caller sees: `{"error":{"code","message","requestId"}}` with the catalogue's status.
 * Thrown by every layer (policy, auth, callback verification, STS, the handlers) and turned into the
 * answer in one place, shared/http. `message` is for people and must hold no secret.
 */
export class ApiError extends Error {
  override name = 'ApiError';
  readonly status: number;
  /** Seconds for Retry-After, or undefined when waiting would not help. */
  readonly retryAfter?: number;
  readonly headers: Record<string, string>;
  readonly log?: Record<string, unknown>;
  readonly rule?: string;

  constructor(
    readonly code: ApiErrorCode,
    message: string,
    options: ApiErrorOptions = {},
  ) {
    super(message);
    const spec: ErrorSpec = API_ERRORS[code];
    this.status = spec.status;
    this.retryAfter = options.retryAfter ?? spec.retryAfter;
    this.headers = options.headers ?? {};
    this.log = options.log;
    this.rule = options.rule;
  }
}
