// Every API the deployer's identity calls on the pinned fc3 path (`npm run deploy`, `s info`, `s remove`,
// `npm run verify-deploy`), with where the call is made: the list deployer-policy.json is checked against
// (test/unit/deploy-ram.test.ts), both ways. Sources are devsapp/fc3 at 4ca1c1b unless named otherwise.
// Read from the sources, not verified against a live account (README, RAM roles).

import type { RamVars } from './render';

/** One API call: the RAM action, the resource it acts on, and the source that makes it. */
export interface DeployerApi {
  action: string;
  resource: string;
  source: string;
}

const FC_CLIENT = 'src/resources/fc/impl/client.ts';

/** The calls, for a deployment whose RAM values (s.yaml's, through ram-vars.ts) are `v`. */
export function deployerApis(v: Required<RamVars>): DeployerApi[] {
  const fn = (name: string) => `acs:fc:${v.REGION}:${v.ACCOUNT_ID}:functions/${name}`;
  const functions = [v.TOKEN_FUNCTION_NAME, v.SIGN_FUNCTION_NAME, v.CALLBACK_FUNCTION_NAME];
  const perFunction = (action: string, source: string, sub = '') => functions.map((name) => ({ action, resource: fn(name) + sub, source }));
  const logProject = `acs:log:${v.REGION}:${v.ACCOUNT_ID}:project/serverless-${v.REGION}-${v.ACCOUNT_ID}`;
  const bucket = `acs:oss:*:*:${v.BUCKET}`;
  return [
    // Each function runs as its own role, and the OSS trigger invokes as its own.
    ...[v.TOKEN_ROLE_NAME, v.SIGN_ROLE_NAME, v.CALLBACK_ROLE_NAME, v.OSS_TRIGGER_ROLE_NAME].map((role) => ({
      action: 'ram:PassRole',
      resource: `acs:ram::${v.ACCOUNT_ID}:role/${role}`,
      source: 's.yaml role and invocationRole, passed by CreateFunction, UpdateFunction and CreateTrigger',
    })),
    // deploy: the code package goes to FC's temporary bucket with a token FC hands out.
    { action: 'fc:GetTempBucketToken', resource: `acs:fc:${v.REGION}:${v.ACCOUNT_ID}:*`, source: 'src/resources/fc/index.ts uploadCodeToTmpOss (fc2 client getTempBucketToken)' },
    ...perFunction('fc:GetFunction', 'src/resources/fc/index.ts getFunction (deploy compares the remote function; info)'),
    ...perFunction('fc:CreateFunction', `${FC_CLIENT} createFunction`),
    ...perFunction('fc:UpdateFunction', `${FC_CLIENT} updateFunction`),
    ...perFunction('fc:ListTriggers', 'src/resources/fc/index.ts listTriggers (remove)'),
    ...perFunction('fc:GetTrigger', 'src/resources/fc/index.ts deployTrigger (exists?), info getTriggers', '/triggers/http'),
    ...perFunction('fc:CreateTrigger', `${FC_CLIENT} createTrigger`, '/triggers/http'),
    ...perFunction('fc:UpdateTrigger', `${FC_CLIENT} updateTrigger`, '/triggers/http'),
    ...perFunction('fc:DeleteTrigger', 'src/subCommands/remove/index.ts (remove)', '/triggers/http'),
    { action: 'fc:GetTrigger', resource: `${fn(v.CALLBACK_FUNCTION_NAME)}/triggers/object-created`, source: 'src/resources/fc/index.ts deployTrigger' },
    { action: 'fc:CreateTrigger', resource: `${fn(v.CALLBACK_FUNCTION_NAME)}/triggers/object-created`, source: `${FC_CLIENT} createTrigger` },
    { action: 'fc:UpdateTrigger', resource: `${fn(v.CALLBACK_FUNCTION_NAME)}/triggers/object-created`, source: `${FC_CLIENT} updateTrigger` },
    { action: 'fc:DeleteTrigger', resource: `${fn(v.CALLBACK_FUNCTION_NAME)}/triggers/object-created`, source: 'src/subCommands/remove/index.ts (remove)' },
    // The OSS trigger: Function Compute writes the bucket's event notification as the caller.
    ...['oss:GetBucketEventNotification', 'oss:PutBucketEventNotification', 'oss:DeleteBucketEventNotification'].map((action) => ({
      action,
      resource: bucket,
      source: 'CreateTrigger, UpdateTrigger, DeleteTrigger of triggerType oss (FC configures the bucket as the caller)',
    })),
    // The callback's retries and dead letter: asyncInvokeConfig (the MNS queue is written by the callback's role, not the deployer).
    { action: 'fc:GetAsyncInvokeConfig', resource: fn(v.CALLBACK_FUNCTION_NAME), source: 'src/subCommands/info/index.ts getAsyncInvokeConfig' },
    { action: 'fc:PutAsyncInvokeConfig', resource: fn(v.CALLBACK_FUNCTION_NAME), source: `${FC_CLIENT} putAsyncInvokeConfig` },
    { action: 'fc:DeleteAsyncInvokeConfig', resource: fn(v.CALLBACK_FUNCTION_NAME), source: `${FC_CLIENT} deleteAsyncInvokeConfig (remove)` },
    // remove: versions and aliases are listed before the function goes; invocation is disabled first.
    ...perFunction('fc:ListFunctionVersions', 'src/subCommands/remove/index.ts listFunctionVersions'),
    ...perFunction('fc:ListAliases', 'src/subCommands/remove/index.ts listAliases'),
    ...perFunction('fc:DisableFunctionInvocation', 'src/subCommands/remove/index.ts disableFunctionInvocation'),
    ...perFunction('fc:DeleteFunction', 'src/subCommands/remove/index.ts deleteFunction'),
    // logConfig: auto: fc3 has SLS create (or find) serverless-<region>-<id> with a logstore and index (InitSls).
    ...['log:GetProject', 'log:CreateProject'].map((action) => ({ action, resource: logProject, source: 'src/resources/sls/index.ts InitSls (logConfig: auto)' })),
    ...['log:GetLogStore', 'log:CreateLogStore', 'log:GetIndex', 'log:CreateIndex'].map((action) => ({
      action,
      resource: `${logProject}/logstore/default-logs`,
      source: 'src/resources/sls/index.ts InitSls (logConfig: auto)',
    })),
    // s.domain.yaml: the fc3-domain component (src/subCommands/deploy/impl/custom_domain.ts delegates to it).
    ...['fc:GetCustomDomain', 'fc:CreateCustomDomain', 'fc:UpdateCustomDomain', 'fc:DeleteCustomDomain'].map((action) => ({
      action,
      resource: `acs:fc:${v.REGION}:${v.ACCOUNT_ID}:customdomains/uploads.example.com`,
      source: 'fc3-domain component, through customDomain in s.domain.yaml',
    })),
    // vpcConfig (the shared credential cache on Tair, commented in s.yaml): CreateFunction checks the network as the caller.
    ...['vpc:DescribeVpcAttribute', 'vpc:DescribeVSwitchAttributes', 'ecs:DescribeSecurityGroups'].map((action) => ({
      action,
      resource: '*',
      source: 'CreateFunction/UpdateFunction with vpcConfig (s.yaml, commented)',
    })),
    // npm run verify-deploy: reads back each function and trigger, invokes the callback, reads the bucket.
    ...perFunction('fc:GetFunction', 'deploy/verify/fc.ts verifyFunction'),
    ...perFunction('fc:ListTriggers', 'deploy/verify/fc.ts verifyFunction'),
    { action: 'fc:GetAsyncInvokeConfig', resource: fn(v.CALLBACK_FUNCTION_NAME), source: 'deploy/verify/fc.ts verifyEventPath' },
    { action: 'fc:InvokeFunction', resource: fn(v.CALLBACK_FUNCTION_NAME), source: 'deploy/verify/fc.ts verifyEventPath' },
    ...['oss:GetBucketLocation', 'oss:GetBucketCors', 'oss:GetBucketLifecycle', 'oss:GetBucketInfo'].map((action) => ({ action, resource: bucket, source: 'deploy/verify/oss.ts verifyBucket' })),
  ];
}
