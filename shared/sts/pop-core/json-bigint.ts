// Bundled in place of json-bigint, which pop-core's RPC client (lib/rpc.js) parses every answer with
// (scripts/bundle-options.ts); tests and the local runtime run pop-core with json-bigint itself.
// json-bigint is there to keep integers beyond 2^53 exact, and it costs a bundle 24 KB (with
// bignumber.js). An AssumeRole answer has no number in it: every field of the answer and of STS's
// error body is a string (oss-protocol.md §5.3; STSSDK AssumeRoleResponseBody.ts). So this is Node's
// JSON.parse, holding the answer to what json-bigint refuses by default, plus the one thing it would
// have kept exact: an integer beyond 2^53 is refused, never rounded.

/** What a key must not contain: json-bigint's protoAction and constructorAction default to 'error' on these. */
const FORBIDDEN_KEY = /__proto__|constructor/;

function refuse(key: string, value: unknown): unknown {
  if (FORBIDDEN_KEY.test(key)) throw new SyntaxError('Object contains forbidden prototype or constructor property');
  if (typeof value === 'number' && Number.isInteger(value) && !Number.isSafeInteger(value)) {
    throw new SyntaxError('Number is an integer beyond 2^53 and would be rounded');
  }
  return value;
}

/**
 * pop-core's `JSON.parse(buffer)`: the answer's body (UTF-8) as JSON. Throws SyntaxError for text that
 * is not JSON, a key containing `__proto__` or `constructor`, or an integer beyond 2^53.
 */
export function parse(source: Buffer | string): unknown {
  return JSON.parse(String(source), refuse);
}
