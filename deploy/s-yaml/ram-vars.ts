// The RAM files' placeholders, read from the rendered manifest, so the roles and policies created from
// deploy/ram name exactly the bucket, prefix, roles and function that s.yaml deploys.

import type { RamVars } from '../ram/render';
import type { StorageRules } from '../../shared/policy/storage-rules';
import { functionConfig, mnsQueueParts, prefixRootOf, roleParts } from './check';
import type { Manifest } from './render';

function deadLetter(props: Record<string, unknown>): unknown {
  const cfg = props.asyncInvokeConfig as { destinationConfig?: { onFailure?: { destination?: unknown } } } | undefined;
  return cfg?.destinationConfig?.onFailure?.destination;
}

/** The RAM files' placeholders for `m`, its functions configured with `storage` (the rules the build bundles). Throws when the manifest lacks a resource or a role. */
export function ramVarsFromManifest(m: Manifest, storage: StorageRules): RamVars {
  const props = (name: string) => {
    const r = m.resources[name];
    if (!r) throw new Error(`the manifest has no ${name} resource`);
    return r.props;
  };
  const role = (arn: unknown, what: string) => {
    const parts = roleParts(arn);
    if (!parts) throw new Error(`${what} is not a role ARN: ${String(arn)}`);
    return parts;
  };
  const config = functionConfig(props('token'), storage);
  if ('message' in config) throw new Error(`token function: ${config.path}: ${config.message}`);
  const token = role(props('token').role, 'the token function\'s role');
  const ossTrigger = (Array.isArray(props('callback').triggers) ? (props('callback').triggers as Record<string, unknown>[]) : []).find(
    (t) => t.triggerType === 'oss',
  );
  return {
    ACCOUNT_ID: token.account,
    BUCKET: config.rules.bucket,
    PREFIX_ROOT: prefixRootOf(config),
    TOKEN_ROLE_NAME: token.name,
    UPLOAD_ROLE_NAME: role(config.sts.roleArn, 'STS_ROLE_ARN').name,
    REGION: String(props('callback').region),
    CALLBACK_FUNCTION_NAME: String(props('callback').functionName),
    TOKEN_FUNCTION_NAME: String(props('token').functionName),
    SIGN_FUNCTION_NAME: String(props('sign').functionName),
    SIGN_ROLE_NAME: role(props('sign').role, 'the sign function\'s role').name,
    CALLBACK_ROLE_NAME: role(props('callback').role, 'the callback function\'s role').name,
    OSS_TRIGGER_ROLE_NAME: ossTrigger ? role(ossTrigger.invocationRole, 'the OSS trigger\'s invocation role').name : undefined,
    DEAD_LETTER_QUEUE: mnsQueueParts(deadLetter(props('callback')))?.queue,
  };
}
