// verify-deploy as a function: every check over the three functions, the event path and the bucket.

import Client from '@alicloud/fc20230330';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import type { Credentials } from '../../shared/signer/credentials';
import type { ExpectedDeployment } from './expected';
import { type Finding, verifyEventPath, verifyFunction } from './fc';
import { type OssAccess, ossEndpoint, verifyBucket } from './oss';

export interface Endpoints {
  /** FC 3.0 management API, `fcv3.<region>.aliyuncs.com` (as the fc3 component uses). */
  fc: string;
  /** FC 3.0 invocation API, `<account id>.<region>.fc.aliyuncs.com`. */
  fcInvoke: string;
  /** `https` in the cloud. */
  protocol: 'https' | 'http';
  oss: Omit<OssAccess, 'credentials'>;
}

/** The public endpoints of a region. */
export function cloudEndpoints(region: string, accountId: string): Endpoints {
  return {
    fc: `fcv3.${region}.aliyuncs.com`,
    fcInvoke: `${accountId}.${region}.fc.aliyuncs.com`,
    protocol: 'https',
    oss: { endpoint: ossEndpoint(region), pathStyle: false },
  };
}

function fcClient(endpoint: string, protocol: string, region: string, c: Credentials): Client {
  return new Client(
    new $OpenApiUtil.Config({
      accessKeyId: c.accessKeyId,
      accessKeySecret: c.accessKeySecret,
      securityToken: c.securityToken,
      endpoint,
      protocol,
      regionId: region,
      readTimeout: 20_000,
      connectTimeout: 10_000,
    }),
  );
}

/**
 * Reads the deployment back and returns one finding per check, passed or not. Throws when FC or OSS
 * cannot be asked at all (bad credentials, no network), which is not a finding about the deployment.
 */
export async function verifyDeployment(expected: ExpectedDeployment, credentials: Credentials, endpoints: Endpoints): Promise<Finding[]> {
  const manage = fcClient(endpoints.fc, endpoints.protocol, expected.region, credentials);
  const invoke = fcClient(endpoints.fcInvoke, endpoints.protocol, expected.region, credentials);
  const findings: Finding[] = [];
  for (const f of expected.functions) findings.push(...(await verifyFunction(manage, f)));
  findings.push(await verifyEventPath(invoke, expected));
  findings.push(...(await verifyBucket({ ...endpoints.oss, credentials }, expected.bucket)));
  return findings;
}
