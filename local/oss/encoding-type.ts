// `encoding-type=url`: OSS percent-encodes the keys (and key-like values: prefix, delimiter,
// markers) in a result so that control characters XML 1.0 cannot carry survive. The Go SDK v2
// asks for it on every listing and on Initiate/CompleteMultipartUpload, and URL-decodes those
// values only when the result says <EncodingType>url</EncodingType>.

import { queryValue, type OssRequest } from './request';

export interface KeyEncoding {
  encode(value: string): string;
  /** The <EncodingType> element to add to the result, or nothing. */
  element: { EncodingType?: 'url' };
}

export function keyEncodingOf(req: OssRequest): KeyEncoding {
  if (queryValue(req, 'encoding-type') !== 'url') return { encode: (v) => v, element: {} };
  return { encode: encodeURIComponent, element: { EncodingType: 'url' } };
}
