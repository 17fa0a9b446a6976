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
  /**
   * Answer 400 Throttling.User past this many AssumeRole requests in any one second, as STS does past
   * its quota: 100 a second per account and region, every RAM user and role counted
   * (https://help.aliyun.com/zh/ram/developer-reference/api-sts-2015-04-01-quota). Unlimited by default.
   */
  throttlePerSecond?: number;
}

/** One AssumeRole the local STS answered with credentials. */
export interface IssuedSession {
  sessionName: string;
  /** Not a secret: the key id its signatures name. */
  accessKeyId: string;
  /** The session policy as sent (undefined without one). */
  policy?: string;
  /** Ms since the epoch, by the STS clock. */
  at: number;
}

export interface LocalSts {
  url: string;
  /** Every AssumeRole answered with credentials, in order. */
  readonly issued: readonly IssuedSession[];
  /** AssumeRole requests answered Throttling. */
  readonly throttled: number;
  close(): Promise<void>;
}

/** The requests let through in the last second: STS's quota is a count per one-second window. */
class OneSecondWindow {
  private readonly times: number[] = [];
  constructor(private readonly limit: number) {}

  admit(now: number): boolean {
    while (this.times.length > 0 && this.times[0] <= now - 1000) this.times.shift();
    if (this.times.length >= this.limit) return false;
    this.times.push(now);
    return true;
  }
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
  const issued: IssuedSession[] = [];
  let throttled = 0;
  const window = opts.throttlePerSecond === undefined ? undefined : new OneSecondWindow(opts.throttlePerSecond);

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
      if (window && !window.admit(at.getTime())) {
        throttled++;
        throw new StsApiError(400, 'Throttling.User', 'Request was denied due to user flow control.');
      }
      const caller = authenticate(iam, nonces, req.method, params, at);
      const answer = assumeRole(iam, caller, params, requestId, at);
      issued.push({ sessionName: params.RoleSessionName, accessKeyId: answer.Credentials.AccessKeyId, policy: params.Policy, at: at.getTime() });
      send(res, 200, answer);
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
    issued,
    get throttled() {
      return throttled;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
