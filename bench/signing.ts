// V4 presigned URL and PostObject form, the two operations the sign function performs per request,
// against ali-oss on the same inputs. Before timing, each pair is checked to produce the same
// signature, so both sides do the same job.

import { postPlan } from '../shared/policy/post-conditions';
import { putPlan } from '../shared/policy/url-constraints';
import { type BucketTarget, presignObjectUrl, signObjectForm } from '../shared/signer/presign';
import { scope, V4_ALGORITHM, v4Timestamp } from '../shared/signer/v4';
import { BUCKET, benchConfig, benchGrant, FUNCTION_CREDENTIALS as creds, REGION, UPLOAD_REQUEST } from './fixtures';
import { judge, type Row } from './report';
import { type Profile, throughputSideBySide } from './timing';

interface AliOssClient {
  signatureUrlV4(method: string, expires: number, request: { headers?: Record<string, string>; queries?: Record<string, string> }, key: string, additionalHeaders?: string[]): Promise<string>;
  signPostObjectPolicyV4(policy: object, date: Date): string;
}
type AliOssCtor = new (options: Record<string, unknown>) => AliOssClient;

function aliOssClient(): AliOssClient {
  const OSS = require('ali-oss') as AliOssCtor;
  // Its constructor advises refreshSTSToken on the console; signing needs no refresh.
  const warn = console.warn;
  console.warn = () => {};
  try {
    return new OSS({
      region: `oss-${REGION}`,
      bucket: BUCKET,
      accessKeyId: creds.accessKeyId,
      accessKeySecret: creds.accessKeySecret,
      stsToken: creds.securityToken,
      authorizationV4: true,
    });
  } finally {
    console.warn = warn;
  }
}

/** Retry a pair of calls until both land in the same second (their timestamps are signed). */
async function sameSecond<T>(pair: () => Promise<[T, T]>): Promise<[T, T]> {
  for (;;) {
    const before = Math.floor(Date.now() / 1000);
    const out = await pair();
    if (Math.floor(Date.now() / 1000) === before) return out;
  }
}

export async function signingBench(profile: Profile): Promise<Row[]> {
  const config = benchConfig();
  const grant = benchGrant(config);
  const client = aliOssClient();
  const target: BucketTarget = { bucket: BUCKET, region: REGION, endpoint: config.endpoint, pathStyle: config.pathStyle, version: 'v4' };

  const pin = { keys: config.callback.macKeys, now: new Date() };
  const put = putPlan(grant, UPLOAD_REQUEST, pin);
  const request = { method: put.method, key: put.key, headers: put.headers, query: Object.entries(put.query), additionalHeaders: put.additionalHeaders };
  const ourUrl = () => presignObjectUrl(target, request, creds, new Date(), put.expiresSeconds);
  const theirUrl = () => client.signatureUrlV4(put.method, put.expiresSeconds, { headers: put.headers, queries: put.query }, put.key, put.additionalHeaders);
  const [a, b] = await sameSecond(async () => [ourUrl(), await theirUrl()]);
  const signatureOf = (url: string) => new URL(url).searchParams.get('x-oss-signature');
  if (signatureOf(a) !== signatureOf(b)) throw new Error('presigned URL: ali-oss signs something else from the same inputs; the comparison would be unfair');

  const post = postPlan(grant, UPLOAD_REQUEST, pin);
  const ourForm = (now = new Date()) => signObjectForm(target, post.conditions, post.fields, creds, now, post.expiresSeconds);
  // What an ali-oss user writes for a V4 form: the document with the credential fields, the
  // signature from ali-oss, and the Base64 policy field the form carries.
  const theirForm = (now = new Date()) => {
    const timestamp = v4Timestamp(now);
    const policy = {
      expiration: new Date(now.getTime() + post.expiresSeconds * 1000).toISOString(),
      conditions: [
        { 'x-oss-signature-version': V4_ALGORITHM },
        { 'x-oss-credential': `${creds.accessKeyId}/${scope(timestamp.slice(0, 8), REGION)}` },
        { 'x-oss-date': timestamp },
        { 'x-oss-security-token': creds.securityToken },
        ...post.conditions,
      ],
    };
    const signature = client.signPostObjectPolicyV4(policy, now);
    return { ...post.fields, policy: Buffer.from(JSON.stringify(policy)).toString('base64'), 'x-oss-signature': signature };
  };
  // The document layout is the signer's business; what must agree is the signature of one document.
  const at = new Date();
  const form = ourForm(at).fields;
  const document = JSON.parse(Buffer.from(form.policy, 'base64').toString('utf8')) as object;
  if (client.signPostObjectPolicyV4(document, at) !== form['x-oss-signature']) {
    throw new Error('PostObject form: ali-oss signs the same policy differently; the comparison would be unfair');
  }

  // The signer reuses the encoded query of the last URL while its parameters stay the same, which
  // within one second they do; an instance serving under one request a second never gets that. A
  // new second on every call (within one day, so the signing key stays cached) is that instance.
  const dayStart = Math.floor(Date.now() / 86_400_000) * 86_400_000;
  let tick = 0;
  const ourUrlColdQuery = () => presignObjectUrl(target, request, creds, new Date(dayStart + (tick++ % 86_000) * 1000), put.expiresSeconds);
  const [urlOurs, urlTheirs, urlCold] = await throughputSideBySide([ourUrl, theirUrl, ourUrlColdQuery], profile);
  const [formOurs, formTheirs] = await throughputSideBySide([() => ourForm(), () => theirForm()], profile);
  return [
    judge({
      group: 'signing',
      name: 'V4 presigned PUT URL (key cached), query cache warm: same second',
      value: urlOurs.usPerOp,
      unit: 'µs/op',
      comparison: { name: 'ali-oss signatureUrlV4', value: urlTheirs.usPerOp },
      budget: { max: 5, minRatio: 8, text: '≤ 5 µs/op, ≥ 8×' },
    }),
    judge({
      group: 'signing',
      name: 'V4 presigned PUT URL (key cached), query cache cold: a new second each call',
      value: urlCold.usPerOp,
      unit: 'µs/op',
      comparison: { name: 'ali-oss signatureUrlV4', value: urlTheirs.usPerOp },
      budget: { max: 5, minRatio: 8, text: '≤ 5 µs/op, ≥ 8×' },
    }),
    judge({
      group: 'signing',
      name: 'V4 PostObject form',
      value: formOurs.usPerOp,
      unit: 'µs/op',
      comparison: { name: 'ali-oss signPostObjectPolicyV4', value: formTheirs.usPerOp },
      budget: { max: 8, minRatio: 4, text: '≤ 8 µs/op, ≥ 4×' },
    }),
  ];
}
