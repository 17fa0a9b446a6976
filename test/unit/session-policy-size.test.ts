// STS's limit on AssumeRole's Policy parameter (2048 characters) at its edge: a session policy of
// exactly 2048 characters is sent, one of 2049 is the deployment's fault and names both lengths.

import { ApiError } from '../../shared/api/errors';
import { loadConfig } from '../../shared/config';
import { grantFor, type Grant } from '../../shared/policy/rules';
import { sessionPolicyJson } from '../../shared/policy/session-policy';

const rules = loadConfig({ OSS_BUCKET: 'photos-prod', OSS_REGION: 'cn-hangzhou' }).rules;
const download = grantFor('alice', 'download', rules);

/** A download grant whose one object pattern makes the minified session policy exactly `length` characters. */
function grantOfPolicyLength(length: number): Grant {
  const base = sessionPolicyJson({ ...download, scope: { read: ['*'] } }).length;
  return { ...download, scope: { read: [`${'a'.repeat(length - base)}*`] } };
}

test('a session policy of exactly 2048 characters is sent as it is', () => {
  const json = sessionPolicyJson(grantOfPolicyLength(2048));
  expect(json.length).toBe(2048);
  expect(JSON.parse(json).Statement[0].Resource[0]).toMatch(/^acs:oss:\*:\*:photos-prod\/a+\*$/);
});

test('a session policy of 2049 characters is refused with SessionPolicyTooLarge, a 500 that names both lengths and what to shorten', () => {
  let refusal: unknown;
  try {
    sessionPolicyJson(grantOfPolicyLength(2049));
  } catch (err) {
    refusal = err;
  }
  expect(refusal).toBeInstanceOf(ApiError);
  expect(refusal).toMatchObject({
    code: 'SessionPolicyTooLarge',
    status: 500,
    message: "the function is misconfigured: the session policy is 2049 characters; STS accepts 2048; shorten UPLOAD_PREFIX or the storage rules' paths",
  });
});
