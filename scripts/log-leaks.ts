// What the log audit (test/setup/log-audit.ts) and the load script look for. Lines are kept as they are logged and checked later against every
// secret the run has produced by then (a secret exists before anything can log it), and against
// shapes that are secret whoever made them. A report never repeats a secret: it is masked.

import { IamStore } from '../local/iam/store';

/** The project's configuration variables that hold secrets (only these are read from the environment). */
const SECRET_VARIABLES = [
  'AUTH_HS256_SECRET',
  'WEBHOOK_SECRET',
  'CALLBACK_MAC_KEY',
  'CALLBACK_MAC_KEY_PREVIOUS',
  'CREDENTIAL_CACHE_KEY',
  'CREDENTIAL_CACHE_KEY_PREVIOUS',
  // It may hold the Redis password.
  'CREDENTIAL_CACHE_URL',
  'ALIBABA_CLOUD_ACCESS_KEY_SECRET',
  'ALIBABA_CLOUD_SECURITY_TOKEN',
];
/** Shorter "secrets" are test fixtures such as 'x' that ordinary words contain. */
const MIN_SECRET_LENGTH = 8;

// Base64 characters, also when percent-encoded (as in a URL's query): %2B, %2F, %3D.
const B64 = '(?:[A-Za-z0-9+/=]|%2[BbFf]|%3[Dd])';

const SHAPES: [string, RegExp][] = [
  ['a JWT', /eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g],
  ['a webhook secret', new RegExp(`whsec_${B64}{16,}`, 'g')],
  ['an STS security token', new RegExp(`CAIS${B64}{20,}`, 'g')],
  ['a signature', /\b(?:x-oss-signature|signature)=(?!\[redacted\])[^&\s",\\]{8,}/gi],
  ['a V1 Authorization', /\bOSS [A-Za-z0-9.]+:[A-Za-z0-9+/]{20,}={0,2}/g],
];

let pending: string[] = [];
const configured = new Set<string>();
const registered = new Set<string>();

/**
 * Secrets a test made or was handed that no IamStore or variable holds: fixture credentials passed
 * to handlers (fcContext), credentials an `npm start` child issued. Lines are checked against them
 * from the next check on, including lines logged before they were registered.
 */
export function registerSecret(...values: (string | undefined)[]): void {
  for (const value of values) if (value !== undefined) registered.add(value);
}

/** Stop looking for a registered value (for the audit's own tests, which register harmless canaries). */
export function forgetSecret(value: string): void {
  registered.delete(value);
}

function noteConfiguredSecrets(): void {
  for (const name of SECRET_VARIABLES) {
    const value = process.env[name];
    if (value !== undefined) configured.add(value);
  }
}

/**
 * Know the secrets of a configuration that is not process.env (the local runtime's, a test's), so a
 * line holding one is reported like one holding a secret process.env configures.
 */
export function noteConfiguredEnv(env: Record<string, string | undefined>): void {
  for (const name of SECRET_VARIABLES) {
    const value = env[name];
    if (value !== undefined) configured.add(value);
  }
}

/** Keep a logged line for the next check, with the secrets configured at the time it was logged. */
export function recordLine(line: string): void {
  pending.push(line);
  noteConfiguredSecrets();
}

/**
 * Every secret known now (held by a local IamStore, configured in the environment now or when a line
 * was logged, or registered), each also as it appears percent-encoded in a URL.
 */
function knownSecrets(): string[] {
  noteConfiguredSecrets();
  const secrets = [...IamStore.heldSecrets(), ...configured, ...registered].filter((s) => s.length >= MIN_SECRET_LENGTH);
  return [...new Set(secrets.flatMap((s) => [s, encodeURIComponent(s)]))];
}

/** Characters of a secret's start that index it: every secret is at least this long. */
const INDEX_LENGTH = MIN_SECRET_LENGTH;

/** One report per line (by default, those recorded since the last call) that holds a secret, with the secrets masked. */
export function findLeaks(lines: string[] = takePending()): string[] {
  if (lines.length === 0) return [];
  // Secrets by their first characters, so each line is read once however many secrets there are
  // (a run of thousands of STS sessions and tens of thousands of lines stays fast).
  const byStart = new Map<string, string[]>();
  for (const secret of knownSecrets()) {
    const start = secret.slice(0, INDEX_LENGTH);
    const same = byStart.get(start);
    if (same) same.push(secret);
    else byStart.set(start, [secret]);
  }
  const reports: string[] = [];
  for (const line of lines) {
    const kinds = new Set<string>();
    const present = new Set<string>();
    for (let i = 0; i + INDEX_LENGTH <= line.length; i++) {
      for (const secret of byStart.get(line.slice(i, i + INDEX_LENGTH)) ?? []) if (line.startsWith(secret, i)) present.add(secret);
    }
    let masked = line;
    for (const secret of present) {
      kinds.add('a held or configured secret');
      masked = masked.split(secret).join('[LEAK]');
    }
    for (const [kind, shape] of SHAPES) {
      const next = masked.replace(shape, '[LEAK]');
      if (next !== masked) kinds.add(kind);
      masked = next;
    }
    if (kinds.size > 0) reports.push(`  ${[...kinds].join(', ')}: ${masked.slice(0, 400)}`);
  }
  return reports;
}

function takePending(): string[] {
  const lines = pending;
  pending = [];
  return lines;
}
