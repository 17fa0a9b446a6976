// The local OSS endpoint: path-style `http://localhost:PORT/<bucket>/<key>`, routing each request
// to its operation after CORS and authentication, and answering errors in OSS's XML.

import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyRequest } from './auth';
import type { Ctx, LocalOssOptions, Server } from './context';
import { bucketCorsRules } from '../../deploy/ram/bucket-cors';
import { applyCors, preflight } from './cors';
import { OssError } from './errors';
import { HANDLERS, operationOf } from './operations';
import { isPostObject, postObject } from './post-object';
import { fromIncoming } from './request';
import { asOssError, sendError } from './respond';
import { DiskStore } from './storage';
import { httpDate } from './time';

export interface LocalOss {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** 24 upper-case hex characters, the shape of OSS request ids. */
const newRequestId = () => randomBytes(12).toString('hex').toUpperCase();

async function handle(server: Server, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const requestId = newRequestId();
  res.setHeader('x-oss-request-id', requestId);
  res.setHeader('Server', 'AliyunOSS');
  res.setHeader('Date', httpDate(server.now()));
  applyCors(server.cors, req, res);
  try {
    if (req.method === 'OPTIONS') return preflight(server.cors, req, res);
    const oss = fromIncoming(req);
    if (!oss.bucket) throw new OssError(403, 'AccessDenied', 'Listing buckets is not offered by the local OSS.');
    if (!server.store.hasBucket(oss.bucket)) throw new OssError(404, 'NoSuchBucket', 'The specified bucket does not exist.', { BucketName: oss.bucket });
    const ctx: Ctx = { server, req, res, oss, requestId, clientIp: req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '' };
    if (isPostObject(ctx)) return await postObject(ctx);
    ctx.auth = verifyRequest(oss, { iam: server.options.iam, region: server.options.region, now: server.now() });
    await HANDLERS[operationOf(oss)](ctx);
  } catch (err) {
    sendError(res, req.method ?? 'GET', asOssError(err), requestId);
  }
}

export function startLocalOss(options: LocalOssOptions): Promise<LocalOss> {
  const pending = new Set<Promise<void>>();
  const server: Server = {
    options,
    url: '',
    store: new DiskStore(options.dataDir, options.buckets),
    cors: bucketCorsRules(options.corsOrigins),
    now: options.now ?? (() => new Date()),
    background(work) {
      const p = work()
        .catch(() => undefined)
        .finally(() => pending.delete(p));
      pending.add(p);
    },
  };
  const http = createServer((req, res) => void handle(server, req, res));
  return new Promise((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      const port = (http.address() as AddressInfo).port;
      server.url = `http://localhost:${port}`;
      resolve({
        url: server.url,
        port,
        async close() {
          await new Promise<void>((done) => {
            http.close(() => done());
            http.closeAllConnections();
          });
          await Promise.all(pending);
        },
      });
    });
  });
}
