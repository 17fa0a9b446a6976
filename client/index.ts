// Direct-to-OSS uploads for browsers and Node: credentials from /token, signatures from /sign.
export { ApiClient, devLogin, parseClientConfig } from './api';
export type { Access, ApiOptions, ClientConfig, Endpoints, SignRequest, SignedForm, SignedRequest, TokenResponse } from './api';
export { checkpointId, memoryCheckpoints, webStorageCheckpoints } from './checkpoints';
export type { CheckpointStore, SavedCheckpoint } from './checkpoints';
export { CredentialProvider, DEFAULT_MARGIN_MS } from './credentials';
export type { Credentials, CredentialProviderOptions } from './credentials';
export { UPLOAD_ERROR_CODES, UploadError } from './errors';
export type { UploadErrorCode, UploadErrorDetail } from './errors';
export { UploadSession, DEFAULT_MULTIPART_THRESHOLD } from './session';
export type { SessionOptions, StoredObject, UploadFile, UploadMethod, UploadOptions, UploadProgress, UploadResult } from './session';
export type { ManyOptions, ManyResult } from './batch';
