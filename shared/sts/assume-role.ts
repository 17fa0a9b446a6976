// One AssumeRole call (STS 2015-04-01) through @alicloud/pop-core, always POSTed: with GET,
// pop-core's errors carry the signed URL, key id and security token included.

// lib/rpc alone: the package index also loads the ROA client and its XML libraries (~100 KB).
import RPCClient from '@alicloud/pop-core/lib/rpc';
import { agentFor } from '../outbound';
import type { Credentials } from '../signer/credentials';
import { classifyStsError, StsCallFailed } from './errors';
import { STS_API_VERSION } from './api-version';

export interface AssumeRoleRequest {
  /** The caller's own credentials: the function role's STS keys, security token included. */
  credentials: Credentials;
  endpoint: string;
  roleArn: string;
  sessionName: string;
  durationSeconds: number;
  /** Minified session policy JSON. */
  policy: string;
  externalId?: string;
  timeoutMs: number;
}

export interface StsCredentials {
  AccessKeyId: string;
  AccessKeySecret: string;
  SecurityToken: string;
  /** As STS wrote it: UTC ISO 8601 without milliseconds. */
  Expiration: string;
}

// FC may rotate context.credentials; a client is tied to one key, and only the newest few matter.
const MAX_CLIENTS = 4;
const clients = new Map<string, RPCClient>();

function clientFor(endpoint: string, c: Credentials): RPCClient {
  const id = `${endpoint}\n${c.accessKeyId}`;
  let client = clients.get(id);
  if (!client) {
    client = new RPCClient({ endpoint, apiVersion: STS_API_VERSION, accessKeyId: c.accessKeyId, accessKeySecret: c.accessKeySecret, securityToken: c.securityToken });
    if (clients.size >= MAX_CLIENTS) clients.delete(clients.keys().next().value as string);
    clients.set(id, client);
  }
  return client;
}

let calls = 0;

/** STS calls made by this instance (every attempt counts); benchmarks read it. */
export function stsCallCount(): number {
  return calls;
}

function credentialsOf(answer: unknown): StsCredentials {
  const c = (answer as { Credentials?: Record<string, unknown> } | null)?.Credentials;
  const fields = ['AccessKeyId', 'AccessKeySecret', 'SecurityToken', 'Expiration'] as const;
  if (!c || !fields.every((f) => typeof c[f] === 'string' && c[f] !== '') || Number.isNaN(Date.parse(c.Expiration as string))) {
    throw new StsCallFailed(true, { stsFailure: 'malformed' });
  }
  return { AccessKeyId: c.AccessKeyId, AccessKeySecret: c.AccessKeySecret, SecurityToken: c.SecurityToken, Expiration: c.Expiration } as StsCredentials;
}

/** One attempt; throws StsCallFailed and nothing else. */
export async function assumeRole(r: AssumeRoleRequest): Promise<StsCredentials> {
  const params: Record<string, string | number> = {
    RoleArn: r.roleArn,
    RoleSessionName: r.sessionName,
    DurationSeconds: r.durationSeconds,
    Policy: r.policy,
  };
  if (r.externalId !== undefined) params.ExternalId = r.externalId;
  calls++;
  let answer: unknown;
  try {
    // The instance's keep-alive pool, shared with every other outbound call: clients come and go as
    // credentials rotate, the connection to STS stays.
    answer = await clientFor(r.endpoint, r.credentials).request('AssumeRole', params, { method: 'POST', timeout: r.timeoutMs, agent: agentFor(r.endpoint) });
  } catch (err) {
    throw classifyStsError(err);
  }
  return credentialsOf(answer);
}
