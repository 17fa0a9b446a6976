// A local STS endpoint: AssumeRole (version 2015-04-01) over POST or GET, with the POP signature,
// timestamp and nonce checked, and STS's JSON answers and error codes.

import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { STS_API_VERSION } from '../../shared/sts/api-version';
import type { PopParams } from '../verify';
import type { IamStore } from '../iam/store';
import { assumeRole } from './assume-role';
import { authenticate, NonceLog } from './authenticate';
import { StsApiError } from './errors';

const MAX_BODY_BYTES = 1024 * 1024;

export interface LocalStsOptions {
  iam: IamStore;
  host?: string;
  port?: number;
  /** The STS clock; the real one by default. */
  now?: () => Date;
}

export interface LocalSts {
  url: string;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new StsApiError(413, 'InvalidParameter', 'The request body is too large.'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function addPairs(into: PopParams, text: string): void {
  for (const [k, v] of new URLSearchParams(text)) if (!(k in into)) into[k] = v;
}

async function paramsOf(req: IncomingMessage, url: URL): Promise<PopParams> {
  const params: PopParams = {};
  addPairs(params, url.search);
  if (req.method === 'POST') {
    const body = await readBody(req);
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    // Like STS, read the body as parameters only when it is a form.
    if (type === 'application/x-www-form-urlencoded') addPairs(params, body.toString('utf8'));
  }
  return params;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json;charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export async function startLocalSts(opts: LocalStsOptions): Promise<LocalSts> {
  const { iam } = opts;
  const now = opts.now ?? (() => new Date());
  const nonces = new NonceLog();

  const server = createServer(async (req, res) => {
    const requestId = randomUUID().toUpperCase();
    try {
      const url = new URL(req.url ?? '/', 'http://sts.local');
      if (req.method !== 'POST' && req.method !== 'GET') {
        throw new StsApiError(405, 'UnsupportedHTTPMethod', 'This action does not support this HTTP method.');
      }
      if (url.pathname !== '/') throw new StsApiError(404, 'InvalidAction.NotFound', 'Specified api is not found, please check your url and method.');
      const params = await paramsOf(req, url);
      if (!params.Action) throw new StsApiError(400, 'MissingAction', 'Action is mandatory for this action.');
      if (!params.Version) throw new StsApiError(400, 'MissingVersion', 'Version is mandatory for this action.');
      if (params.Action !== 'AssumeRole' || params.Version !== STS_API_VERSION) {
        throw new StsApiError(404, 'InvalidAction.NotFound', 'Specified api is not found, please check your url and method.');
      }
      if (params.Format !== undefined && params.Format.toUpperCase() !== 'JSON') {
        throw new StsApiError(400, 'InvalidParameter.Format', 'The local STS answers in JSON only; send Format=JSON.');
      }
      const at = now();
      const caller = authenticate(iam, nonces, req.method, params, at);
      send(res, 200, assumeRole(iam, caller, params, requestId, at));
    } catch (err) {
      if (err instanceof StsApiError) {
        send(res, err.status, { RequestId: requestId, HostId: req.headers.host ?? 'localhost', Code: err.code, Message: err.message });
      } else {
        send(res, 500, { RequestId: requestId, HostId: req.headers.host ?? 'localhost', Code: 'InternalError', Message: 'The request processing has failed due to some unknown error.' });
      }
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://localhost:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
