// Where a V4 PostObject policy puts the credential conditions it adds (x-oss-signature-version,
// x-oss-credential, x-oss-date, x-oss-security-token): after a leading {"bucket": …} condition, as
// the official samples do (so the known-answer policies reproduce byte for byte), and first when
// the rules do not start with the bucket alone.

import type { Condition } from '../../shared/signer/signature-version';
import { signPostV4 } from '../../shared/signer/v4';

const NOW = new Date('2024-05-01T10:00:00Z');
const STS = { accessKeyId: 'STS.order', accessKeySecret: 'order-secret', securityToken: 'CAIS-order' };
const CREDENTIAL_CONDITIONS = ['x-oss-signature-version', 'x-oss-credential', 'x-oss-date', 'x-oss-security-token'];

/** Each condition of the signed policy as its operator and field, or its one field name. */
function conditionNames(rules: Condition[]): string[] {
  const { policy } = signPostV4(rules, {}, STS, 'cn-hangzhou', NOW, 60);
  const conditions = (JSON.parse(Buffer.from(policy, 'base64').toString('utf8')) as { conditions: Condition[] }).conditions;
  return conditions.map((c) => (Array.isArray(c) ? `${c[0]} ${String(c[1])}` : Object.keys(c).join('+')));
}

test('a leading {"bucket": …} stays first, the credential conditions follow it', () => {
  expect(conditionNames([{ bucket: 'examplebucket' }, ['eq', '$key', 'users/alice/a.txt']])).toEqual(['bucket', ...CREDENTIAL_CONDITIONS, 'eq $key']);
});

test('rules that start with another condition get the credential conditions first', () => {
  expect(conditionNames([['eq', '$key', 'users/alice/a.txt'], { bucket: 'examplebucket' }])).toEqual([...CREDENTIAL_CONDITIONS, 'eq $key', 'bucket']);
  expect(conditionNames([{ 'success_action_status': '204' }])).toEqual([...CREDENTIAL_CONDITIONS, 'success_action_status']);
});

test('a leading condition that names the bucket and another field is not the bucket condition: the credential conditions come first', () => {
  expect(conditionNames([{ bucket: 'examplebucket', key: 'users/alice/a.txt' }])).toEqual([...CREDENTIAL_CONDITIONS, 'bucket+key']);
});
