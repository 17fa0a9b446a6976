// Which public-key URLs a callback may name. A verifier that fetches whatever URL the request names
// checks nothing (the sender picks the key) and is an SSRF; only OSS's own host is accepted.

import { ApiError } from '../api/errors';
import { strictBase64 } from '../base64';
import { strictUtf8 } from '../text';
import { OSS_PUBLIC_KEY_HOST } from './oss-public-key';

const MAX_URL_BYTES = 1024;

/** The URL if it is on OSS's key host (http or https, no userinfo, default port), else undefined. */
export function allowedKeyUrl(text: string): URL | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  // WHATWG parsing lower-cases the host and drops default ports, so these compare exactly.
  if (url.hostname !== OSS_PUBLIC_KEY_HOST || url.port !== '') return undefined;
  if (url.username !== '' || url.password !== '') return undefined;
  return url;
}

/** The allowed key URL carried Base64-encoded in `x-oss-pub-key-url`, or ApiError CallbackKeyUrlMissing, CallbackKeyUrlMalformed or CallbackKeyUrlNotAllowed. */
export function keyUrlFromHeader(header: string | undefined): URL {
  if (header === undefined || header.trim() === '') {
    throw new ApiError('CallbackKeyUrlMissing', 'the x-oss-pub-key-url header is missing');
  }
  const bytes = strictBase64(header.trim(), MAX_URL_BYTES);
  if (!bytes) throw new ApiError('CallbackKeyUrlMalformed', 'x-oss-pub-key-url is not Base64 of a URL');
  const text = strictUtf8(bytes);
  if (text === undefined) throw new ApiError('CallbackKeyUrlMalformed', 'x-oss-pub-key-url is not Base64 of a UTF-8 URL');
  const url = allowedKeyUrl(text);
  if (!url) throw new ApiError('CallbackKeyUrlNotAllowed', `the public key must come from https://${OSS_PUBLIC_KEY_HOST}/`);
  return url;
}
