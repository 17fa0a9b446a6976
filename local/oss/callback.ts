// The upload callback, as OSS makes it: the `callback` parameter (Base64 JSON) checked before the
// upload, the body built from its template after it, signed with RSA-MD5 over path, query and
// body, POSTed with a 5-second budget, and the answer relayed (or 203 CallbackFailed).

import { createHash, sign } from 'node:crypto';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { invalidArgument } from './errors';
import { httpDate } from './time';

export const CALLBACK_TIMEOUT_MS = 5000;
const PARAM_MAX_BYTES = 5 * 1024;
const ANSWER_MAX_BYTES = 1024 * 1024;
const MAX_URLS = 5;
/** What real OSS sends in x-oss-pub-key-url; receivers trust the local key only by explicit configuration. */
export const PUB_KEY_URL = 'https://gosspublic.alicdn.com/callback_pub_key_v1.pem';

const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';

const SYSTEM_VARIABLES = new Set([
  'bucket', 'object', 'etag', 'size', 'mimeType', 'imageInfo.height', 'imageInfo.width', 'imageInfo.format',
  'crc64', 'contentMd5', 'vpcId', 'clientIp', 'reqId', 'operation',
]);
const NUMERIC_VARIABLES = new Set(['size']);

export interface CallbackSpec {
  urls: URL[];
  host?: string;
  body: string;
  bodyType: typeof FORM | typeof JSON_TYPE;
  /** callbackSNI: name the host in TLS's SNI on HTTPS callbacks; OSS sends none unless asked (absent: not asked). */
  sni?: boolean;
  /** `x:` variables. */
  vars: Record<string, string>;
}

/** What OSS knows about the stored object when it builds the body. */
export interface CallbackFacts {
  bucket: string;
  object: string;
  etag: string;
  size: number;
  mimeType: string;
  contentMd5?: string;
  /** Decimal, as x-oss-hash-crc64ecma. */
  crc64?: string;
  clientIp: string;
  reqId: string;
  operation: 'PutObject' | 'PostObject' | 'CompleteMultipartUpload';
  requester: string;
}

function decodeJson(b64: string, what: string): Record<string, unknown> {
  if (Buffer.byteLength(b64) > PARAM_MAX_BYTES) throw invalidArgument(`The ${what} parameter is longer than ${PARAM_MAX_BYTES} bytes.`);
  try {
    const v: unknown = JSON.parse(Buffer.from(b64, 'base64').toString('utf8'));
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw invalidArgument(`The ${what} configuration is not json format.`);
}

/** Parse and check a `callback` parameter and its variables; throws 400 InvalidArgument as OSS does. */
export function parseCallback(callbackB64: string, vars: Record<string, string>): CallbackSpec {
  const c = decodeJson(callbackB64, 'callback');
  const { callbackUrl, callbackBody, callbackHost, callbackBodyType, callbackSNI } = c;
  if (typeof callbackUrl !== 'string' || !callbackUrl) throw invalidArgument('The callbackUrl of the callback is missing.');
  if (typeof callbackBody !== 'string' || !callbackBody) throw invalidArgument('The callbackBody of the callback is empty.');
  const bodyType = callbackBodyType ?? FORM;
  if (bodyType !== FORM && bodyType !== JSON_TYPE) throw invalidArgument('The callbackBodyType of the callback is not supported.');
  if (callbackHost !== undefined && typeof callbackHost !== 'string') throw invalidArgument('The callbackHost of the callback is invalid.');
  // A JSON boolean only: OSS refuses "true" as a string (https://help.aliyun.com/zh/oss/the-callback-sni-is-invalid).
  if (callbackSNI !== undefined && typeof callbackSNI !== 'boolean') throw invalidArgument('The callback sni is invalid.');
  const list = callbackUrl.split(';').map((u) => u.trim()).filter(Boolean);
  if (list.length > MAX_URLS) throw invalidArgument(`The callback has more than ${MAX_URLS} urls.`);
  const urls = list.map((u) => {
    try {
      const url = new URL(/^https?:\/\//i.test(u) ? u : `http://${u}`);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error();
      return url;
    } catch {
      throw invalidArgument('The callbackUrl of the callback is invalid.');
    }
  });
  for (const m of callbackBody.matchAll(/\$\{([^}]*)\}/g)) {
    const name = m[1];
    if (!SYSTEM_VARIABLES.has(name) && !/^x:[a-z0-9_.-]+$/.test(name)) throw invalidArgument(`The callbackBody uses an unknown variable \${${name}}.`);
  }
  for (const k of Object.keys(vars)) if (!/^x:[a-z0-9_.-]+$/.test(k)) throw invalidArgument(`The callback variable ${k} must start with x: and be lower case.`);
  return { urls, host: callbackHost as string | undefined, body: callbackBody, bodyType: bodyType as CallbackSpec['bodyType'], sni: callbackSNI === true, vars };
}

/** `callback-var` / `x-oss-callback-var`: Base64 JSON of the x: variables. */
export function parseCallbackVars(b64: string | undefined): Record<string, string> {
  if (!b64) return {};
  return Object.fromEntries(Object.entries(decodeJson(b64, 'callback-var')).map(([k, v]) => [k, String(v)]));
}

function systemValue(name: string, f: CallbackFacts): string {
  switch (name) {
    case 'bucket':
      return f.bucket;
    case 'object':
      return f.object;
    case 'etag':
      return f.etag;
    case 'size':
      return String(f.size);
    case 'mimeType':
      return f.mimeType;
    case 'contentMd5':
      return f.contentMd5 ?? '';
    case 'crc64':
      return f.crc64 ?? '';
    case 'clientIp':
      return f.clientIp;
    case 'reqId':
      return f.reqId;
    case 'operation':
      return f.operation;
    default:
      // imageInfo.* and vpcId: not computed locally, empty as OSS leaves them for non-images.
      return '';
  }
}

/** The template with variables substituted: URL-encoded for forms, as JSON values for JSON. */
export function buildCallbackBody(spec: CallbackSpec, facts: CallbackFacts): string {
  return spec.body.replace(/\$\{([^}]*)\}/g, (_, name: string) => {
    const value = name.startsWith('x:') ? (spec.vars[name] ?? '') : systemValue(name, facts);
    if (spec.bodyType === FORM) return encodeURIComponent(value);
    return NUMERIC_VARIABLES.has(name) ? value : JSON.stringify(value);
  });
}

/** Base64 RSA-MD5 over the decoded path, `?` + raw query when there is one, a newline, and the body. */
export function signCallback(privateKeyPem: string, url: URL, body: string): string {
  const signed = decodeURIComponent(url.pathname) + url.search + '\n' + body;
  return sign('RSA-MD5', Buffer.from(signed, 'utf8'), privateKeyPem).toString('base64');
}

export type CallbackOutcome =
  | { ok: true; body: Buffer; contentType: string }
  | { ok: false; message: string };

function post(url: URL, headers: Record<string, string>, body: Buffer, sni = false): Promise<CallbackOutcome> {
  return new Promise((resolve) => {
    const tls = url.protocol === 'https:';
    const send = tls ? httpsRequest : httpRequest;
    const timer = setTimeout(() => {
      req.destroy();
      resolve({ ok: false, message: 'Cost too long time.' });
    }, CALLBACK_TIMEOUT_MS);
    const finish = (o: CallbackOutcome) => {
      clearTimeout(timer);
      resolve(o);
    };
    // Node names the host in SNI unless servername is '': OSS does only when callbackSNI asks (oss-protocol.md §4.1).
    const req = send(url, { method: 'POST', headers, ...(tls && !sni ? { servername: '' } : {}) }, (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > ANSWER_MAX_BYTES) {
          res.destroy();
          return finish({ ok: false, message: 'Error status : 400.User server return too long content-length value.' });
        }
        chunks.push(c);
      });
      res.on('error', () => finish({ ok: false, message: 'Error status : 502.' }));
      res.on('end', () => {
        const answer = Buffer.concat(chunks);
        if (res.statusCode !== 200) return finish({ ok: false, message: `Error status : ${res.statusCode}.` });
        const type = String(res.headers['content-type'] ?? 'application/json');
        if (!/xml/i.test(type)) {
          try {
            JSON.parse(answer.toString('utf8'));
          } catch {
            return finish({ ok: false, message: 'Response body is not valid json format.' });
          }
        }
        finish({ ok: true, body: answer, contentType: /xml/i.test(type) ? 'application/xml' : 'application/json' });
      });
    });
    req.on('error', (e) => finish({ ok: false, message: `Error status : -1. ${e.message}` }));
    req.end(body);
  });
}

/** Make the callback: each URL in turn until one answers 200 with JSON. */
export async function runCallback(spec: CallbackSpec, facts: CallbackFacts, privateKeyPem: string): Promise<CallbackOutcome> {
  const body = buildCallbackBody(spec, facts);
  const bytes = Buffer.from(body, 'utf8');
  let outcome: CallbackOutcome = { ok: false, message: 'No callback url.' };
  for (const url of spec.urls) {
    const headers: Record<string, string> = {
      Host: spec.host || url.host,
      Authorization: signCallback(privateKeyPem, url, body),
      'x-oss-pub-key-url': Buffer.from(PUB_KEY_URL).toString('base64'),
      'Content-Type': spec.bodyType,
      'Content-Length': String(bytes.length),
      'Content-MD5': createHash('md5').update(bytes).digest('base64'),
      Date: httpDate(new Date()),
      'User-Agent': 'aliyun-oss-callback',
      'x-oss-bucket': facts.bucket,
      'x-oss-request-id': facts.reqId,
      'x-oss-requester': facts.requester,
      'x-oss-signature-version': '1.0',
      'x-oss-tag': 'CALLBACK',
    };
    outcome = await post(url, headers, bytes, spec.sni);
    if (outcome.ok) return outcome;
  }
  return outcome;
}
