// Base64 that must be canonical (standard alphabet, exact padding): anything else is refused rather
// than guessed at, since Buffer.from(…, 'base64') silently skips what it does not understand.

const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The decoded bytes, or undefined unless `text` is canonical Base64 of at most `maxBytes`. */
export function strictBase64(text: string, maxBytes = Infinity): Buffer | undefined {
  if (text.length > Math.ceil(maxBytes / 3) * 4 || !STRICT_BASE64.test(text)) return undefined;
  return Buffer.from(text, 'base64');
}
