// After `s deploy`: reads each function, trigger and async config back through the FC 3.0 API, invokes
// the callback's event path with an object-created event for a key that does not exist (it must answer
// ObjectNotFound), and checks the bucket's region, CORS and lifecycle. Expectations come from s.yaml as it
// renders in this environment and the storage rules the build bundled (STORAGE_RULES), so run it with the
// settings and credentials you deployed with:
//
//   AccountID=... AccessKeyID=... AccessKeySecret=... OSS_BUCKET=... npm run verify-deploy [-- -t s.domain.yaml]
//
// Credentials: AccountID/AccessKeyID/AccessKeySecret (what Serverless Devs reads), or the
// ALIBABA_CLOUD_ACCESS_KEY_ID/_SECRET/_SECURITY_TOKEN variables with ALIBABA_CLOUD_ACCOUNT_ID. The identity
// needs fc:GetFunction, fc:ListTriggers, fc:GetAsyncInvokeConfig, fc:InvokeFunction on the three functions,
// and oss:GetBucketLocation, oss:GetBucketCors, oss:GetBucketLifecycle on the bucket. It prints no secret.
// --fc-endpoint/--fc-invoke-endpoint/--oss-endpoint/--http/--path-style point it elsewhere (the tests).

import { parseArgs } from 'node:util';
import { expectedDeployment } from '../deploy/verify/expected';
import { cloudEndpoints, type Endpoints, verifyDeployment } from '../deploy/verify/run';
import { loadManifest } from '../deploy/s-yaml/render';
import { storageRulesOf } from '../rules/load';

const { values } = parseArgs({
  options: {
    template: { type: 'string', short: 't', default: 's.yaml' },
    'fc-endpoint': { type: 'string' },
    'fc-invoke-endpoint': { type: 'string' },
    'oss-endpoint': { type: 'string' },
    http: { type: 'boolean', default: false },
    'path-style': { type: 'boolean', default: false },
  },
});

const env = process.env;
const accountId = env.AccountID ?? env.ALIBABA_CLOUD_ACCOUNT_ID ?? '';
const credentials = {
  accessKeyId: env.AccessKeyID ?? env.ALIBABA_CLOUD_ACCESS_KEY_ID ?? '',
  accessKeySecret: env.AccessKeySecret ?? env.ALIBABA_CLOUD_ACCESS_KEY_SECRET ?? '',
  securityToken: env.ALIBABA_CLOUD_SECURITY_TOKEN || undefined,
};

async function main(): Promise<number> {
  if (!accountId || !credentials.accessKeyId || !credentials.accessKeySecret) {
    console.error('verify-deploy needs AccountID, AccessKeyID and AccessKeySecret (or the ALIBABA_CLOUD_* equivalents) in the environment');
    return 2;
  }
  const expected = expectedDeployment(loadManifest(values.template, { env, config: { AccountID: accountId } }), accountId, storageRulesOf(env));
  const cloud = cloudEndpoints(expected.region, accountId);
  const endpoints: Endpoints = {
    fc: values['fc-endpoint'] ?? cloud.fc,
    fcInvoke: values['fc-invoke-endpoint'] ?? values['fc-endpoint'] ?? cloud.fcInvoke,
    protocol: values.http ? 'http' : 'https',
    oss: { endpoint: values['oss-endpoint'] ?? cloud.oss.endpoint, pathStyle: values['path-style'] },
  };
  const findings = await verifyDeployment(expected, credentials, endpoints);
  for (const f of findings) console.log(`${f.ok ? 'ok  ' : 'FAIL'} ${f.subject}: ${f.check}: ${f.detail}`);
  const failed = findings.filter((f) => !f.ok).length;
  console.log(`verify-deploy: ${findings.length - failed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    // SDK errors carry the request; print the code and message only.
    const e = err as { code?: string; message?: string };
    console.error(`verify-deploy could not read the deployment: ${e.code ?? ''} ${e.message ?? String(err)}`.trim());
    process.exit(2);
  },
);
