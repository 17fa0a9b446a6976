// What every operation handler gets: the server's settings and store, and this request's identity.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { IamStore } from '../iam/store';
import type { Authenticated } from './auth';
import type { CorsRule } from '../../deploy/ram/bucket-cors';
import type { OssRequest } from './request';
import type { DiskStore } from './storage';

export interface LocalOssOptions {
  iam: IamStore;
  dataDir: string;
  /** Region as V4 scopes name it, e.g. `cn-hangzhou`. */
  region: string;
  buckets: string[];
  /** Origins the buckets' CORS rules (deploy/ram/bucket-cors.json) allow for `${ALLOWED_ORIGIN}` (`*` for any). */
  corsOrigins: string[];
  /** PEM of the RSA key that signs upload callbacks. */
  callbackPrivateKeyPem: string;
  /** Receives the FC OSS-trigger event (JSON) after each object is created. */
  onObjectCreated?: (event: Buffer) => Promise<void>;
  port?: number;
  host?: string;
  /** The server's clock; tests move it. */
  now?: () => Date;
}

export interface Server {
  options: LocalOssOptions;
  /** `http://localhost:PORT`, the endpoint handed to clients. */
  url: string;
  store: DiskStore;
  /** The bucket CORS file's rules for the configured origins, read once at start. */
  cors: CorsRule[];
  now(): Date;
  /** Runs work after the response without losing track of it (close() waits for it). */
  background(work: () => Promise<void>): void;
}

export interface Ctx {
  server: Server;
  req: IncomingMessage;
  res: ServerResponse;
  oss: OssRequest;
  requestId: string;
  clientIp: string;
  auth?: Authenticated;
}
