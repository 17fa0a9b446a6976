// PostObject: an HTML form upload to `POST /<bucket>`. OSS ignores header and URL signatures here;
// only the form counts. The fields before the file are read, the signature, policy and permissions
// checked, and only then is the file streamed to disk, its size held to content-length-range.

import Busboy, { type BusboyHeaders, type BusboyInstance } from '@fastify/busboy';
import type { Readable } from 'node:stream';
import type { Principal } from '../iam/store';
import { encodePath } from '../../shared/signer';
import { V4_ALGORITHM, v1PolicySignature, v4PolicySignature } from '../verify';
import { checkSkew, resolvePrincipal, sameSignature, signatureDoesNotMatch, type VerifyOptions } from './auth-common';
import { parseCredential, parseV4Timestamp, MAX_PRESIGN_SECONDS } from './auth-v4';
import { parseCallback, type CallbackSpec } from './callback';
import type { Ctx } from './context';
import { accessDenied, invalidArgument, OssError } from './errors';
import { answerUpload, commitUpload, writtenHeaders } from './finish-upload';
import { checkConditions, checkSize, constrains, parsePolicy, type PostPolicy } from './post-policy';
import { checkObjectName } from './request';
import { sendEmpty, sendXml } from './respond';
import type { Staged } from './storage';
import { authorizeWrite, forbidsOverwrite, overwriteAdmission, refuseExisting, storedHeaders, userMeta, writeSettingsOf, type WriteSettings } from './write-settings';

const FIELD_VALUE_MAX = 2 * 1024 * 1024;
const V4_BOUND_FIELDS = ['x-oss-signature-version', 'x-oss-credential', 'x-oss-date'];

export function isPostObject(ctx: Ctx): boolean {
  return ctx.oss.method === 'POST' && !ctx.oss.key && /^multipart\/form-data/i.test(ctx.oss.headers['content-type'] ?? '');
}

/** Check the form's signature; returns the principal and the policy it signed. */
export function verifyForm(fields: Map<string, string>, opts: VerifyOptions): { principal: Principal; policy: PostPolicy } {
  const policyB64 = fields.get('policy');
  const token = fields.get('x-oss-security-token');
  if (fields.has('x-oss-signature') || fields.has('x-oss-signature-version') || fields.has('x-oss-credential')) {
    const version = fields.get('x-oss-signature-version');
    const credential = fields.get('x-oss-credential');
    const timestamp = fields.get('x-oss-date');
    const signature = fields.get('x-oss-signature');
    if (version !== V4_ALGORITHM) throw invalidArgument(`x-oss-signature-version must be ${V4_ALGORITHM}.`);
    if (!policyB64 || !credential || !timestamp || !signature) {
      throw invalidArgument('A V4 form needs policy, x-oss-credential, x-oss-date and x-oss-signature.');
    }
    const time = parseV4Timestamp(timestamp);
    if (!time) throw invalidArgument('x-oss-date must be in the form yyyymmddTHHMMSSZ.');
    if (time.getTime() > opts.now.getTime()) checkSkew(time, opts.now);
    if (opts.now.getTime() - time.getTime() > MAX_PRESIGN_SECONDS * 1000) throw accessDenied('Request has expired.');
    const cred = parseCredential(credential, timestamp, opts.region);
    const principal = resolvePrincipal(opts.iam, cred.accessKeyId, token, opts.now);
    if (!sameSignature(signature, v4PolicySignature(principal.accessKeySecret, cred.day, opts.region, policyB64))) {
      throw signatureDoesNotMatch({ StringToSign: policyB64, OSSAccessKeyId: cred.accessKeyId });
    }
    const policy = parsePolicy(policyB64);
    for (const f of token ? [...V4_BOUND_FIELDS, 'x-oss-security-token'] : V4_BOUND_FIELDS) {
      if (!constrains(policy, f)) throw accessDenied(`Invalid according to Policy: the policy must bind ${f}.`);
    }
    return { principal, policy };
  }
  const accessKeyId = fields.get('ossaccesskeyid');
  const signature = fields.get('signature');
  if (!accessKeyId && !signature && !policyB64) throw accessDenied('You have no right to access this object because of bucket acl.');
  if (!accessKeyId || !signature || !policyB64) throw invalidArgument('OSSAccessKeyId, policy and Signature must all be given.');
  const principal = resolvePrincipal(opts.iam, accessKeyId, token, opts.now);
  if (!sameSignature(signature, v1PolicySignature(principal.accessKeySecret, policyB64))) {
    throw signatureDoesNotMatch({ StringToSign: policyB64, OSSAccessKeyId: accessKeyId });
  }
  return { principal, policy: parsePolicy(policyB64) };
}

interface Accepted {
  key: string;
  policy: PostPolicy;
  callback?: CallbackSpec;
  fields: Map<string, string>;
  settings: WriteSettings;
}

/**
 * `${filename}` in the key stands for the file's name. A file part without one (or with an empty
 * one) cannot fill it: OSS's PostObject page defines the variable only as the uploaded file's
 * name, so the stricter reading refuses rather than store a key ending in `/`.
 */
function keyOf(rawKey: string, filename: string | undefined): string {
  if (!rawKey.includes('${filename}')) return rawKey;
  if (!filename) throw invalidArgument('The key uses ${filename} but the file part has no filename.', { ArgumentName: 'key' });
  return rawKey.replace(/\$\{filename\}/g, () => filename);
}

function accept(ctx: Ctx, fields: Map<string, string>, filename: string | undefined): Accepted {
  const bucket = ctx.oss.bucket as string;
  const opts = { iam: ctx.server.options.iam, region: ctx.server.options.region, now: ctx.server.now() };
  const { principal, policy } = verifyForm(fields, opts);
  ctx.auth = { kind: fields.has('x-oss-signature') ? 'v4-form' : 'v1-form', principal };
  const rawKey = fields.get('key');
  if (rawKey === undefined) throw new OssError(400, 'IncorrectNumberOfFilesInPOSTRequest', 'The key field is required.');
  checkConditions(policy, new Map([['bucket', bucket], ...fields]), opts.now);
  const key = checkObjectName(keyOf(rawKey, filename));
  // x-oss-object-acl, x-oss-storage-class and x-oss-tagging as form fields, checked as the headers.
  const settings = writeSettingsOf(Object.fromEntries(fields));
  authorizeWrite(principal, 'PostObject', bucket, key, settings);
  const b64 = fields.get('callback');
  const vars = Object.fromEntries([...fields].filter(([k]) => k.startsWith('x:')));
  const callback = b64 ? parseCallback(b64, vars) : undefined;
  refuseExisting(ctx, bucket, key, forbidsOverwrite(fields.get('x-oss-forbid-overwrite')));
  return { key, policy, callback, fields, settings };
}

/** OSS names the file part `file` (PostObject): it is the file whether or not it carries a filename. */
const isFilePart = (name: string | undefined, _type: string | undefined, filename: string | undefined) => name?.toLowerCase() === 'file' || filename !== undefined;

/**
 * Parse the form as browsers and the SDK samples send it: fields (names lower-cased, values and
 * filenames UTF-8), then the file streamed through `onFile`. The part named `file` is the file
 * even without a filename (the Go and Python v2 PostObject samples send none). On a refusal the
 * rest of the body is read and dropped before answering, as browsers expect.
 */
function parseForm(ctx: Ctx, onFile: (accepted: Accepted, file: Readable) => Promise<Staged>): Promise<{ accepted: Accepted; staged: Staged }> {
  return new Promise((resolve, reject) => {
    const fields = new Map<string, string>();
    let bb: BusboyInstance;
    try {
      bb = Busboy({
        headers: ctx.req.headers as BusboyHeaders,
        isPartAFile: isFilePart,
        limits: { fieldSize: FIELD_VALUE_MAX, fieldNameSize: 8192, files: 1, parts: 1000 },
      });
    } catch {
      return reject(invalidArgument('The body is not a valid multipart/form-data form.'));
    }
    let failure: OssError | undefined;
    let upload: Promise<Staged> | undefined;
    let accepted: Accepted | undefined;
    let settled = false;
    const fail = (e: unknown) => {
      failure ??= e instanceof OssError ? e : invalidArgument('The body is not a valid multipart/form-data form.');
    };
    const settle = async () => {
      if (settled) return;
      settled = true;
      const staged = upload ? await upload.catch(() => undefined) : undefined;
      if (!failure && (!upload || !accepted)) fail(new OssError(400, 'IncorrectNumberOfFilesInPOSTRequest', 'POST requires exactly one file upload per request.'));
      if (failure) {
        if (staged) ctx.server.store.discard(staged);
        return reject(failure);
      }
      resolve({ accepted: accepted as Accepted, staged: staged as Staged });
    };
    /** Stop parsing: drop what is left of the body, then answer. */
    const abandon = (e: unknown) => {
      fail(e);
      ctx.req.unpipe(bb);
      if (ctx.req.readableEnded) return void settle();
      ctx.req.on('end', () => void settle());
      ctx.req.resume();
    };
    bb.on('field', (name, value, _nameTruncated, valueTruncated) => {
      if (upload) return fail(invalidArgument('The file must be the last field of the form.'));
      if (valueTruncated) return fail(new OssError(400, 'FieldItemTooLong', `The form field ${name} is longer than ${FIELD_VALUE_MAX} bytes.`));
      fields.set(name.toLowerCase(), value);
    });
    bb.on('file', (name, stream, filename) => {
      if (name.toLowerCase() !== 'file' || upload || failure) {
        stream.resume();
        if (name.toLowerCase() !== 'file') fail(invalidArgument(`Unexpected file field ${name}; the file goes in the field named file.`));
        return;
      }
      try {
        accepted = accept(ctx, fields, filename as string | undefined);
      } catch (e) {
        fail(e);
        stream.resume();
        return;
      }
      upload = onFile(accepted, stream);
      upload.catch(abandon);
    });
    bb.on('filesLimit', () => fail(new OssError(400, 'IncorrectNumberOfFilesInPOSTRequest', 'POST requires exactly one file upload per request.')));
    bb.on('error', abandon);
    bb.on('finish', () => void settle());
    ctx.req.on('aborted', () => {
      fail(new OssError(400, 'IncompleteBody', 'The request body was not received completely.'));
      void settle();
    });
    ctx.req.pipe(bb);
  });
}

export async function postObject(ctx: Ctx): Promise<void> {
  const bucket = ctx.oss.bucket as string;
  const { accepted, staged } = await parseForm(ctx, (a, file) => ctx.server.store.receive(bucket, file, { maxSize: a.policy.maxSize }));
  const { key, policy, callback, fields, settings } = accepted;
  try {
    checkSize(policy, staged.size);
  } catch (e) {
    ctx.server.store.discard(staged);
    throw e;
  }
  // Fields are text; the headers they become carry bytes. Keep the UTF-8 bytes, as the headers of a
  // PutObject arrive (one byte a character), so both answer the same bytes on GET and HEAD.
  const asHeader = new Map([...fields].map(([k, v]) => [k, Buffer.from(v, 'utf8').toString('latin1')]));
  const finished = commitUpload(
    ctx,
    'PostObject',
    bucket,
    key,
    staged,
    {
      // PostObject page: x-oss-content-type > the Content-Type field > the default.
      contentType: asHeader.get('x-oss-content-type') || asHeader.get('content-type') || 'application/octet-stream',
      headers: storedHeaders(Object.fromEntries(asHeader)),
      userMeta: userMeta(Object.fromEntries(asHeader)),
      ...settings,
      type: 'Normal',
    },
    overwriteAdmission(key, forbidsOverwrite(fields.get('x-oss-forbid-overwrite'))),
  );
  await answerUpload(ctx, 'PostObject', finished, callback, () => {
    const written = writtenHeaders(finished.meta);
    const redirect = fields.get('success_action_redirect');
    if (redirect && /^https?:\/\//i.test(redirect)) {
      const to = new URL(redirect);
      to.searchParams.set('bucket', bucket);
      to.searchParams.set('key', key);
      to.searchParams.set('etag', `"${finished.etag}"`);
      return sendEmpty(ctx.res, 303, { ...written, Location: to.toString() });
    }
    const status = fields.get('success_action_status');
    if (status === '201') {
      return sendXml(ctx.res, 201, 'PostResponse', { Bucket: bucket, Location: `${ctx.server.url}/${bucket}/${encodePath(key)}`, ETag: `"${finished.etag}"`, Key: key }, written);
    }
    sendEmpty(ctx.res, status === '200' ? 200 : 204, written);
  });
}
