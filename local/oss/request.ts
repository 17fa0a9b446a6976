// An incoming request as the verifier and the operations see it: path-style bucket and key
// (decoded), the query as decoded pairs in arrival order, and lower-cased headers.

import type { IncomingMessage } from 'node:http';
import type { QueryPairs } from '../../shared/signer';
import { invalidArgument, OssError } from './errors';

export interface OssRequest {
  method: string;
  bucket?: string;
  /** Decoded object key; undefined (or '') for bucket-level requests. */
  key?: string;
  query: QueryPairs;
  /** Lower-cased names; repeated headers joined with ',' as OSS canonicalises them. */
  headers: Record<string, string>;
}

const invalidUri = () => new OssError(400, 'InvalidURI', 'The URI you provided is invalid.');

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw invalidUri();
  }
}

export function parseQuery(raw: string): QueryPairs {
  if (!raw) return [];
  return raw
    .split('&')
    .filter((p) => p !== '')
    .map((p) => {
      const i = p.indexOf('=');
      return i < 0 ? [decode(p), ''] : [decode(p.slice(0, i)), decode(p.slice(i + 1))];
    });
}

/** `/bucket/key…` → bucket and decoded key. */
export function parsePath(rawPath: string): { bucket?: string; key?: string } {
  if (!rawPath.startsWith('/')) throw invalidUri();
  const rest = rawPath.slice(1);
  if (rest === '') return {};
  const slash = rest.indexOf('/');
  if (slash < 0) return { bucket: decode(rest) };
  return { bucket: decode(rest.slice(0, slash)), key: decode(rest.slice(slash + 1)) };
}

export function fromIncoming(req: IncomingMessage): OssRequest {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const { bucket, key } = parsePath(q < 0 ? url : url.slice(0, q));
  const headers: Record<string, string> = {};
  for (const [name, values] of Object.entries(req.headersDistinct)) if (values) headers[name] = values.join(',');
  return { method: (req.method ?? 'GET').toUpperCase(), bucket, key, query: q < 0 ? [] : parseQuery(url.slice(q + 1)), headers };
}

/** An object key as OSS takes it: 1–1023 bytes of UTF-8, not starting with `/` or `\`; 400 InvalidObjectName otherwise. */
export function checkObjectName(key: string | undefined): string {
  const bytes = key === undefined ? 0 : Buffer.byteLength(key, 'utf8');
  if (!key || bytes > 1023 || key.startsWith('/') || key.startsWith('\\')) {
    throw new OssError(400, 'InvalidObjectName', 'The specified object is not valid.');
  }
  return key;
}

/**
 * An object name carried in a header (x-oss-symlink-target, x-oss-copy-source): URL-encoded, as the
 * PutSymlink and CopyObject pages require, with `+` for a space as the Go SDK 1.5.0 writes it
 * (url.QueryEscape), UTF-8 underneath. 400 InvalidArgument when it does not decode.
 */
export function decodeKeyHeader(raw: string, header: string): string {
  try {
    return decodeURIComponent(Buffer.from(raw, 'latin1').toString('utf8').replace(/\+/g, ' '));
  } catch {
    throw invalidArgument(`${header} is not validly URL-encoded.`, { ArgumentName: header });
  }
}

export function queryValue(req: OssRequest, name: string): string | undefined {
  return req.query.find(([k]) => k === name)?.[1];
}

export function hasQuery(req: OssRequest, name: string): boolean {
  return req.query.some(([k]) => k === name);
}
