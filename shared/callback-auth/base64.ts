// Header values that must be canonical Base64: anything else is refused rather than guessed at.

const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The decoded bytes, or undefined unless `text` is non-empty canonical Base64 of at most `maxBytes`. */
export function strictBase64(text: string, maxBytes: number): Buffer | undefined {
  if (text.length === 0 || text.length > Math.ceil(maxBytes / 3) * 4 || !STRICT_BASE64.test(text)) return undefined;
  return Buffer.from(text, 'base64');
}
