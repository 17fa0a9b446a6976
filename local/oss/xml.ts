// The XML OSS answers with: error documents and the result documents ali-oss parses, plus the one
// request body OSS reads as XML (CompleteMultipartUpload).

import type { OssError } from './errors';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

export type XmlValue = string | number | boolean | XmlNode | XmlNode[] | undefined;
export interface XmlNode {
  [element: string]: XmlValue;
}

function render(name: string, value: XmlValue): string {
  if (value === undefined) return '';
  if (Array.isArray(value)) return value.map((v) => render(name, v)).join('');
  if (typeof value === 'object') {
    return `<${name}>${Object.entries(value).map(([k, v]) => render(k, v)).join('')}</${name}>`;
  }
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

export function xmlDocument(root: string, body: XmlNode): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${render(root, body)}`;
}

export function errorXml(err: OssError, requestId: string, hostId: string): string {
  return xmlDocument('Error', { Code: err.code, Message: err.message, RequestId: requestId, HostId: hostId, ...err.details });
}

export interface CompletedPart {
  partNumber: number;
  etag: string;
}

/** The <Part> list of a CompleteMultipartUpload body; undefined when the document is malformed. */
export function parseCompleteMultipart(xml: string): CompletedPart[] | undefined {
  if (!/<CompleteMultipartUpload\b[^>]*>/.test(xml)) return undefined;
  const parts: CompletedPart[] = [];
  for (const m of xml.matchAll(/<Part>([\s\S]*?)<\/Part>/g)) {
    const num = /<PartNumber>\s*(\d+)\s*<\/PartNumber>/.exec(m[1]);
    const etag = /<ETag>\s*([^<]*?)\s*<\/ETag>/.exec(m[1]);
    if (!num || !etag) return undefined;
    parts.push({ partNumber: Number(num[1]), etag: unescapeXml(etag[1]).replace(/"/g, '').toUpperCase() });
  }
  return parts;
}

function unescapeXml(s: string): string {
  return s.replace(/&(amp|lt|gt|quot|apos);/g, (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" })[e] as string);
}
