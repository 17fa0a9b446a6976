// Output 2: the rule conditions of a PostObject policy, and the form fields that satisfy them.
// The signer adds the credential fields (x-oss-credential, x-oss-date, …) and signs.

import { CALLBACK_GRACE_SECONDS, type CallbackTarget, pinnedCallback, type Pinning } from './callback';
import { allowedContentType } from './content-type';
import { ApiError } from '../api/errors';
import { encodeFilename, exactFilename, FILENAME_META } from './filename';
import { keyInGrant, uploadTarget } from './keys';
import { expiresWithinRules, sizeWithinRules } from './limits';
import type { Grant } from './rules';

export type PostCondition = Record<string, string> | [string, ...unknown[]];

export interface PostRequest {
  key?: unknown;
  filename?: unknown;
  contentType?: unknown;
  size?: unknown;
  expiresIn?: unknown;
}

export interface PostPlan {
  key: string;
  /** Form fields the client sends as they are, before the file. */
  fields: Record<string, string>;
  conditions: PostCondition[];
  minSize: number;
  maxSize: number;
  expiresSeconds: number;
}

/** OSS replaces this in a form's key with the uploaded file's name. */
export const FILENAME_PLACEHOLDER = '${filename}';

/**
 * Form fields that change how an object is stored or served, each pinned to the empty value: the
 * client may not send them (OSS compares a condition on an absent field with "", as S3 does and the
 * local OSS does, local/oss/post-policy.ts). `x-oss-content-type` would override the pinned
 * Content-Type; Cache-Control, Content-Disposition, Content-Encoding and Expires would be served back
 * with every download; storage class, tagging and server-side encryption change how OSS keeps it;
 * `success_action_redirect` would send the uploader's browser wherever the client chose.
 */
export const PINNED_EMPTY = [
  'x-oss-content-type',
  'x-oss-storage-class',
  'x-oss-tagging',
  'x-oss-server-side-encryption',
  'x-oss-server-side-encryption-key-id',
  'Cache-Control',
  'Content-Disposition',
  'Content-Encoding',
  'Expires',
  'success_action_redirect',
] as const;

/** The only object ACL a form may set: OSS refuses a form with any other once this is pinned. */
export const FORM_OBJECT_ACL = 'private';

/**
 * The key field, its condition, and what its callback is pinned to: the exact key and file name, or,
 * for a key whose last whole segment is `${filename}` (the client names the file as it uploads),
 * `starts-with` what comes before it, itself under the caller's prefix. `${` anywhere else is refused:
 * OSS would substitute it in the middle of a key, or after a partial segment (`…/a${filename}`).
 * A `${filename}` key binds no x-oss-meta-filename: the name is not known when the form is signed,
 * and OSS writes the uploaded file's own name into the key, which then carries the exact name.
 */
function keyCondition(grant: Grant, req: PostRequest): { key: string; condition: PostCondition; target: CallbackTarget } {
  if (typeof req.key === 'string' && req.key.includes('${')) {
    // Checked like any file name, though OSS names the object after the uploaded file instead.
    exactFilename(req.filename);
    const start = req.key.endsWith(FILENAME_PLACEHOLDER) ? req.key.slice(0, -FILENAME_PLACEHOLDER.length) : req.key;
    // Checked with a stand-in name: the start must be under the prefix and a valid key start.
    keyInGrant(grant, `${start}f`);
    if (start === req.key || !start.endsWith('/') || start.includes('${')) {
      throw new ApiError('InvalidKey', `${FILENAME_PLACEHOLDER} is allowed only once, as the key's whole last segment (e.g. ${grant.prefix}inbox/${FILENAME_PLACEHOLDER})`);
    }
    return { key: req.key, condition: ['starts-with', '$key', start], target: { keyPrefix: start } };
  }
  const target = uploadTarget(grant, req);
  return { key: target.key, condition: ['eq', '$key', target.key], target };
}

/**
 * The form plan of one upload: its key, the fields the client posts, and every condition of the
 * policy (bucket, key, size range, type, ACL, every field of PINNED_EMPTY, the file name, no
 * overwrite, the pinned callback). The file name (x-oss-meta-filename) is pinned `eq` its encoded
 * value, or `eq ""` when none is signed, so a client can neither change it nor add one. Throws
 * ApiError for a request outside the rules.
 */
export function postPlan(grant: Grant, req: PostRequest, pin: Pinning): PostPlan {
  const { rules } = grant;
  const { key, condition, target } = keyCondition(grant, req);
  const fields: Record<string, string> = { key, success_action_status: '200', 'x-oss-object-acl': FORM_OBJECT_ACL };
  const conditions: PostCondition[] = [{ bucket: rules.bucket }, condition, ['eq', '$success_action_status', '200'], ['eq', '$x-oss-object-acl', FORM_OBJECT_ACL]];

  let [minSize, maxSize] = [rules.minSize, rules.maxSize];
  if (req.size !== undefined) minSize = maxSize = sizeWithinRules(rules, req.size);
  conditions.push(['content-length-range', minSize, maxSize]);

  if (req.contentType !== undefined) {
    const type = allowedContentType(req.contentType, rules.allowedContentTypes);
    fields['Content-Type'] = type;
    conditions.push(['eq', '$Content-Type', type]);
  } else if (rules.allowedContentTypes.some((t) => t.endsWith('/*'))) {
    throw new ApiError('ContentTypeRequired', 'give contentType: the allowed types include a wildcard a form policy cannot list');
  } else {
    conditions.push(['in', '$Content-Type', [...rules.allowedContentTypes]]);
  }
  for (const field of PINNED_EMPTY) conditions.push(['eq', `$${field}`, '']);
  const filename = 'key' in target && target.filename !== undefined ? encodeFilename(target.filename) : '';
  if (filename !== '') fields[FILENAME_META] = filename;
  conditions.push(['eq', `$${FILENAME_META}`, filename]);

  if (rules.forbidOverwrite) {
    fields['x-oss-forbid-overwrite'] = 'true';
    conditions.push({ 'x-oss-forbid-overwrite': 'true' });
  }
  const expiresSeconds = expiresWithinRules(rules, req.expiresIn, rules.postExpiresSeconds);
  const callback = pinnedCallback(grant, target, expiresSeconds + CALLBACK_GRACE_SECONDS, pin);
  if (callback) {
    // Pinned: without this condition OSS lets the client change or drop the callback field.
    fields.callback = callback.base64;
    conditions.push(['eq', '$callback', callback.base64]);
  }
  return { key, fields, conditions, minSize, maxSize, expiresSeconds };
}
