// Output 2: the rule conditions of a PostObject policy, and the form fields that satisfy them.
// The signer adds the credential fields (x-oss-credential, x-oss-date, …) and signs.

import { callbackParam } from './callback';
import { allowedContentType } from './content-type';
import { ApiError } from '../api/errors';
import { generateKey, keyInGrant } from './keys';
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
 * The key field and its condition: the exact key, or, for a key ending in `${filename}` (the client
 * names the file as it uploads), `starts-with` what comes before it, itself under the caller's prefix.
 */
function keyCondition(grant: Grant, req: PostRequest): { key: string; condition: PostCondition } {
  if (typeof req.key === 'string' && req.key.endsWith(FILENAME_PLACEHOLDER)) {
    const start = req.key.slice(0, -FILENAME_PLACEHOLDER.length);
    if (start.includes('${')) throw new ApiError('InvalidKey', `only one ${FILENAME_PLACEHOLDER} is allowed, at the end of the key`);
    // Checked with a stand-in name: the start must be under the prefix and a valid key start.
    keyInGrant(grant, `${start}f`);
    return { key: req.key, condition: ['starts-with', '$key', start] };
  }
  const key = req.key === undefined ? generateKey(grant, req.filename) : keyInGrant(grant, req.key);
  return { key, condition: ['eq', '$key', key] };
}

export function postPlan(grant: Grant, req: PostRequest): PostPlan {
  const { rules } = grant;
  const { key, condition } = keyCondition(grant, req);
  const fields: Record<string, string> = { key, success_action_status: '200' };
  const conditions: PostCondition[] = [{ bucket: rules.bucket }, condition, ['eq', '$success_action_status', '200']];

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

  if (rules.forbidOverwrite) {
    fields['x-oss-forbid-overwrite'] = 'true';
    conditions.push({ 'x-oss-forbid-overwrite': 'true' });
  }
  const callback = callbackParam(rules.callbackUrl);
  if (callback) {
    // Pinned: without this condition OSS lets the client change or drop the callback field.
    fields.callback = callback;
    conditions.push(['eq', '$callback', callback]);
  }
  return { key, fields, conditions, minSize, maxSize, expiresSeconds: expiresWithinRules(rules, req.expiresIn, rules.postExpiresSeconds) };
}
