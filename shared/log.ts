// One structured JSON line per event. Secrets never reach a line: fields whose names look secret
// are dropped, and string values are scrubbed of anything shaped like a JWT, a signature or a key.

export type LogFields = Record<string, unknown>;
type Sink = (line: string) => void;

let sink: Sink = (line) => process.stdout.write(line + '\n');

/** Send log lines elsewhere (tests capture them; the local runtime prefixes them). Returns the previous sink. */
export function setLogSink(next: Sink): Sink {
  const prev = sink;
  sink = next;
  return prev;
}

const SECRET_NAME = /secret|token|password|authorization|signature|credential|cookie|policy|^key$/i;
const JWT = /eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;
const QUERY_SECRET = /((?:x-oss-signature|x-oss-security-token|signature|security-token|securitytoken|accesskeysecret)=)[^&\s"]+/gi;

export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return value.replace(JWT, '[jwt]').replace(QUERY_SECRET, '$1[redacted]');
  if (value === null || typeof value !== 'object') return value;
  // Too deep to scrub: drop it rather than let an unscrubbed secret through.
  if (depth > 4) return '[truncated]';
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: LogFields = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_NAME.test(k) ? '[redacted]' : redact(v, depth + 1);
  return out;
}

export function log(level: 'info' | 'warn' | 'error', fields: LogFields): void {
  sink(JSON.stringify({ time: new Date().toISOString(), level, ...(redact(fields) as LogFields) }));
}
