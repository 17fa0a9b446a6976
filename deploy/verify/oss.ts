// Reads the upload bucket's settings back from OSS with plain V4-signed requests (shared/signer, the
// signer the functions use) and checks what the functions and clients rely on: the bucket is in the
// functions' region (the OSS trigger requires it), its CORS rule lets the app's origins upload and read
// the headers the clients need, a lifecycle rule aborts multipart uploads that were never completed, and
// its storage class is the one the callback is told (OSS_STORAGE_CLASS).

import { parseXml, textOf, type XmlElement } from '../../local/oss/xml';
import type { Credentials } from '../../shared/signer/credentials';
import { bucketBase } from '../../shared/signer/url';
import { authorizeV4 } from '../../shared/signer/v4';
import type { ExpectedBucket } from './expected';
import type { Finding } from './fc';

export interface OssAccess {
  /** e.g. `https://oss-cn-hangzhou.aliyuncs.com`; the bucket goes in the host unless pathStyle. */
  endpoint: string;
  pathStyle: boolean;
  credentials: Credentials;
  timeoutMs?: number;
}

/** OSS's standard endpoint for a region. */
export function ossEndpoint(region: string): string {
  return `https://oss-${region}.aliyuncs.com`;
}

interface Answer {
  status: number;
  root?: XmlElement;
}

/** GET `/?<subresource>` on the bucket, signed for `region`. */
async function getBucket(access: OssAccess, bucket: string, region: string, subresource: string): Promise<Answer> {
  const auth = authorizeV4({ method: 'GET', bucket, query: [[subresource, '']], headers: {} }, access.credentials, region, new Date());
  const res = await fetch(`${bucketBase(access, bucket)}/?${subresource}`, {
    headers: auth.headers,
    redirect: 'error',
    signal: AbortSignal.timeout(access.timeoutMs ?? 10_000),
  });
  const text = await res.text();
  let root: XmlElement | undefined;
  try {
    root = text ? parseXml(text) : undefined;
  } catch {
    root = undefined;
  }
  return { status: res.status, root };
}

const children = (el: XmlElement | undefined, name: string) => el?.children.filter((c) => c.name === name) ?? [];
const child = (el: XmlElement | undefined, name: string) => children(el, name)[0];
const texts = (el: XmlElement | undefined, name: string) => children(el, name).map(textOf);
const lower = (xs: string[]) => xs.map((x) => x.toLowerCase());

function errorOf(a: Answer): string {
  return `${a.status} ${a.root ? textOf(child(a.root, 'Code') ?? a.root) : ''}`.trim();
}

/** A CORS rule covers what is needed when it allows an origin (exactly or by `*` pattern) and every method. */
function ruleAllows(rule: XmlElement, origin: string, methods: string[]): boolean {
  const origins = texts(rule, 'AllowedOrigin');
  const originOk = origins.some((o) => o === '*' || o === origin || new RegExp(`^${o.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`).test(origin));
  const allowed = texts(rule, 'AllowedMethod');
  return originOk && methods.every((m) => allowed.includes(m));
}

function checkCors(expected: ExpectedBucket, a: Answer, add: (check: string, ok: boolean, detail: string) => void): void {
  if (a.status === 404) {
    add('CORS', false, 'the bucket has no CORS rules: browsers cannot upload to it');
    return;
  }
  if (a.status !== 200 || !a.root) {
    add('CORS', false, `GetBucketCors failed: ${errorOf(a)}`);
    return;
  }
  const rules = children(a.root, 'CORSRule');
  const { AllowedOrigin, AllowedMethod, ExposeHeader } = expected.cors;
  for (const origin of AllowedOrigin) {
    const covering = rules.filter((r) => ruleAllows(r, origin, AllowedMethod));
    if (covering.length === 0) {
      add(`CORS for ${origin}`, false, `no rule allows ${AllowedMethod.join(', ')} from this origin`);
      continue;
    }
    // OSS answers a preflight with the first matching rule, so that rule must expose and allow all of it.
    const [rule] = covering;
    const exposed = lower(texts(rule, 'ExposeHeader'));
    const missing = ExposeHeader.filter((h) => !exposed.includes(h.toLowerCase()));
    add(`CORS for ${origin}: exposed headers`, missing.length === 0, missing.length ? `not exposed: ${missing.join(', ')}` : ExposeHeader.join(', '));
    const headers = lower(texts(rule, 'AllowedHeader'));
    add(`CORS for ${origin}: request headers`, headers.includes('*'), headers.includes('*') ? '*' : `AllowedHeader is ${headers.join(', ') || '(none)'}; uploads send Content-Type, x-oss-* and signed headers, so allow *`);
  }
}

/** A rule's prefix, whether given as Prefix or Filter/Prefix (the newer form). */
function rulePrefix(rule: XmlElement): string {
  return textOf(child(rule, 'Prefix') ?? child(child(rule, 'Filter'), 'Prefix') ?? { name: '', namespace: null, children: [], text: '' });
}

function checkLifecycle(expected: ExpectedBucket, a: Answer, add: (check: string, ok: boolean, detail: string) => void): void {
  const check = 'lifecycle aborts incomplete multipart uploads';
  if (a.status === 404) {
    add(check, false, `the bucket has no lifecycle rules: parts of abandoned multipart uploads under ${expected.prefixRoot} are kept (and billed) forever`);
    return;
  }
  if (a.status !== 200 || !a.root) {
    add(check, false, `GetBucketLifecycle failed: ${errorOf(a)}`);
    return;
  }
  const covering = children(a.root, 'Rule').filter((r) => {
    const abort = child(r, 'AbortMultipartUpload');
    const enabled = textOf(child(r, 'Status') ?? r) === 'Enabled';
    const when = abort && (child(abort, 'Days') ?? child(abort, 'CreatedBeforeDate'));
    return enabled && when !== undefined && expected.prefixRoot.startsWith(rulePrefix(r)) && children(child(r, 'Filter'), 'Not').length === 0;
  });
  const days = covering.map((r) => textOf(child(child(r, 'AbortMultipartUpload'), 'Days') ?? r)).filter(Boolean);
  add(check, covering.length > 0, covering.length ? `rule ${texts(covering[0], 'ID')[0] ?? '(no id)'}${days.length ? `, after ${days[0]} day(s)` : ''}` : `no enabled rule with AbortMultipartUpload covers ${expected.prefixRoot}`);
}

/**
 * GetBucketInfo (`GET /?bucketInfo`, permission oss:GetBucketInfo) answers
 * `<BucketInfo><Bucket>…<StorageClass>` with the class objects get when their write names none
 * (OSS API reference, GetBucketInfo; the SDKs read `BucketInfo.Bucket.StorageClass`). The callback
 * compares every stored object's class with OSS_STORAGE_CLASS, so a mismatch refuses every upload.
 */
function checkStorageClass(expected: ExpectedBucket, a: Answer, add: (check: string, ok: boolean, detail: string) => void): void {
  const check = 'storage class is OSS_STORAGE_CLASS';
  if (a.status !== 200 || !a.root) {
    add(check, false, `GetBucketInfo failed: ${errorOf(a)}`);
    return;
  }
  const actual = textOf(child(child(a.root, 'Bucket'), 'StorageClass') ?? { name: '', namespace: null, children: [], text: '' });
  add(
    check,
    actual === expected.storageClass,
    actual === expected.storageClass
      ? actual
      : `the bucket's class is ${actual || '(not given)'}, the callback's OSS_STORAGE_CLASS is ${expected.storageClass}: the callback would refuse every upload as ObjectSettingNotAllowed`,
  );
}

/** Region, CORS, lifecycle and storage class of the upload bucket. Throws only when OSS cannot be reached at all. */
export async function verifyBucket(access: OssAccess, expected: ExpectedBucket): Promise<Finding[]> {
  const findings: Finding[] = [];
  const add = (check: string, ok: boolean, detail: string) => findings.push({ subject: `bucket ${expected.name}`, check, ok, detail });
  const location = await getBucket(access, expected.name, expected.region, 'location');
  if (location.status !== 200 || !location.root) {
    // Asked at another region's endpoint, OSS refuses and names the bucket's own endpoint.
    const endpoint = location.root ? texts(location.root, 'Endpoint')[0] : undefined;
    add('region', false, `GetBucketLocation at the ${expected.region} endpoint failed: ${errorOf(location)}${endpoint ? ` (OSS says the bucket is at ${endpoint})` : ''}`);
    return findings;
  }
  const region = textOf(location.root);
  add('region', region === `oss-${expected.region}`, `${region} (expected oss-${expected.region}: the OSS trigger needs the bucket in the functions' region)`);
  checkCors(expected, await getBucket(access, expected.name, expected.region, 'cors'), add);
  checkLifecycle(expected, await getBucket(access, expected.name, expected.region, 'lifecycle'), add);
  checkStorageClass(expected, await getBucket(access, expected.name, expected.region, 'bucketInfo'), add);
  return findings;
}
