// Writing answers as OSS does: x-oss-request-id on everything, XML errors (carried Base64 in
// x-oss-err for HEAD, which has no body), XML results.

import type { ServerResponse } from 'node:http';
import { OssError } from './errors';
import { errorXml, xmlDocument, type XmlNode } from './xml';

export const HOST_ID = 'localhost';

export function sendError(res: ServerResponse, method: string, err: OssError, requestId: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = errorXml(err, requestId, HOST_ID);
  for (const [k, v] of Object.entries({ ...err.headers, ...headers })) res.setHeader(k, v);
  res.statusCode = err.status;
  res.setHeader('Content-Type', 'application/xml');
  if (method === 'HEAD') {
    res.setHeader('x-oss-err', Buffer.from(body, 'utf8').toString('base64'));
    res.end();
    return;
  }
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}

export function sendXml(res: ServerResponse, status: number, root: string, node: XmlNode, headers: Record<string, string> = {}): void {
  const body = xmlDocument(root, node);
  res.writeHead(status, { ...headers, 'Content-Type': 'application/xml', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

export function sendEmpty(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...headers, 'Content-Length': 0 });
  res.end();
}

/** Anything thrown that is not an OssError is a bug here, not the client's: a bare 500, no details. */
export function asOssError(err: unknown): OssError {
  return err instanceof OssError ? err : new OssError(500, 'InternalError', 'We encountered an internal error. Please try again.');
}
