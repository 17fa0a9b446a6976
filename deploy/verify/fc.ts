// Reads each deployed function back through the Function Compute 3.0 API (@alicloud/fc20230330, the SDK
// the fc3 component itself uses) and compares it with what s.yaml asked for; then invokes the callback
// with an OSS object-created event for a key that does not exist.

import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import Client, * as fc from '@alicloud/fc20230330';
import type { ExpectedDeployment, ExpectedFunction, ExpectedTrigger } from './expected';

/** One check's outcome, e.g. `{ subject: 'oss-upload-token', check: 'runtime', ok: true, detail: 'nodejs20' }`. */
export interface Finding {
  subject: string;
  check: string;
  ok: boolean;
  detail: string;
}

const sameSet = (a: string[], b: string[]) => a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n');
const list = (a: string[]) => (a.length ? a.join(', ') : '(none)');

function errorCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'string' ? (err as { code: string }).code : undefined;
}

function compareFunction(e: ExpectedFunction, f: fc.Function, add: (check: string, ok: boolean, detail: string) => void): void {
  add('runtime', f.runtime === e.runtime, `${f.runtime} (expected ${e.runtime})`);
  add('handler', f.handler === e.handler, `${f.handler} (expected ${e.handler})`);
  add('role', f.role === e.role, `${f.role ?? '(none)'} (expected ${e.role})`);
  add('timeout', f.timeout === e.timeout, `${f.timeout} s (expected ${e.timeout} s)`);
  const keys = Object.keys(f.environmentVariables ?? {});
  const missing = e.environmentKeys.filter((k) => !keys.includes(k));
  const extra = keys.filter((k) => !e.environmentKeys.includes(k));
  add('environment keys', missing.length === 0 && extra.length === 0, `missing ${list(missing)}; not in s.yaml ${list(extra)}`);
  const log = f.logConfig;
  if (!log?.project || !log.logstore) {
    add('log config', false, 'logging is off: no SLS project and logstore');
  } else if (e.logConfig === 'auto') {
    add('log config', true, `${log.project}/${log.logstore} (logConfig: auto)`);
  } else {
    const ok = log.project === e.logConfig.project && log.logstore === e.logConfig.logstore;
    add('log config', ok, `${log.project}/${log.logstore} (expected ${e.logConfig.project}/${e.logConfig.logstore})`);
  }
}

/** The trigger config as FC returns it: a JSON string in the 2023-03-30 API. */
function triggerConfig(t: fc.Trigger): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(t.triggerConfig ?? '{}');
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function compareTrigger(e: ExpectedTrigger, t: fc.Trigger | undefined, add: (check: string, ok: boolean, detail: string) => void): void {
  const name = `trigger ${e.triggerName}`;
  if (!t) {
    add(name, false, 'not deployed');
    return;
  }
  add(`${name} type`, t.triggerType === e.triggerType, `${t.triggerType} (expected ${e.triggerType})`);
  add(`${name} qualifier`, (t.qualifier ?? 'LATEST') === e.qualifier, `${t.qualifier ?? 'LATEST'} (expected ${e.qualifier})`);
  const cfg = triggerConfig(t);
  if (e.triggerType === 'http') {
    add(`${name} auth type`, cfg.authType === e.config.authType, `${String(cfg.authType)} (expected ${e.config.authType})`);
    const methods = Array.isArray(cfg.methods) ? cfg.methods.map(String) : [];
    add(`${name} methods`, sameSet(methods, e.config.methods ?? []), `${list(methods)} (expected ${list(e.config.methods ?? [])})`);
    return;
  }
  const events = Array.isArray(cfg.events) ? cfg.events.map(String) : [];
  add(`${name} events`, sameSet(events, e.config.events ?? []), `${list(events)} (expected ${list(e.config.events ?? [])})`);
  const key = (cfg.filter as { key?: { prefix?: unknown; suffix?: unknown } } | undefined)?.key ?? {};
  const filterOk = (key.prefix ?? '') === e.config.prefix && (key.suffix ?? '') === e.config.suffix;
  add(`${name} filter`, filterOk, `prefix "${String(key.prefix ?? '')}" suffix "${String(key.suffix ?? '')}" (expected "${e.config.prefix}", "${e.config.suffix}")`);
  add(`${name} source`, t.sourceArn === e.sourceArn, `${t.sourceArn ?? '(none)'} (expected ${e.sourceArn})`);
  add(`${name} invocation role`, t.invocationRole === e.invocationRole, `${t.invocationRole ?? '(none)'} (expected ${e.invocationRole})`);
}

async function allTriggers(client: Client, functionName: string): Promise<fc.Trigger[]> {
  const out: fc.Trigger[] = [];
  let nextToken: string | undefined;
  do {
    const res = await client.listTriggers(functionName, new fc.ListTriggersRequest({ limit: 100, nextToken }));
    out.push(...(res.body?.triggers ?? []));
    nextToken = res.body?.nextToken || undefined;
  } while (nextToken);
  return out;
}

async function compareAsync(client: Client, e: ExpectedFunction, add: (check: string, ok: boolean, detail: string) => void): Promise<void> {
  if (!e.async) return;
  let cfg: fc.AsyncConfig | undefined;
  try {
    cfg = (await client.getAsyncInvokeConfig(e.functionName, new fc.GetAsyncInvokeConfigRequest({ qualifier: e.async.qualifier }))).body;
  } catch (err) {
    if (errorCode(err) !== 'AsyncConfigNotExists') throw err;
  }
  if (!cfg) {
    add('async invocation', false, 'no async invocation config: a failed event is retried with FC defaults and then dropped');
    return;
  }
  const retries = cfg.maxAsyncRetryAttempts;
  add('async retries', retries === e.async.maxAsyncRetryAttempts, `${retries ?? '(default)'} (expected ${e.async.maxAsyncRetryAttempts})`);
  const onFailure = cfg.destinationConfig?.onFailure?.destination;
  add('async on-failure destination', onFailure === e.async.onFailure, `${onFailure ?? '(none: failed events are dropped)'} (expected ${e.async.onFailure})`);
}

/** Everything about one function, its triggers and its async config. Throws only when FC cannot be asked. */
export async function verifyFunction(client: Client, e: ExpectedFunction): Promise<Finding[]> {
  const findings: Finding[] = [];
  const add = (check: string, ok: boolean, detail: string) => findings.push({ subject: e.functionName, check, ok, detail });
  let f: fc.Function | undefined;
  try {
    f = (await client.getFunction(e.functionName, new fc.GetFunctionRequest({}))).body;
  } catch (err) {
    if (errorCode(err) !== 'FunctionNotFound') throw err;
  }
  if (!f) {
    add('deployed', false, 'FunctionNotFound');
    return findings;
  }
  compareFunction(e, f, add);
  const triggers = await allTriggers(client, e.functionName);
  for (const t of e.triggers) compareTrigger(t, triggers.find((x) => x.triggerName === t.triggerName), add);
  const unexpected = triggers.filter((t) => !e.triggers.some((x) => x.triggerName === t.triggerName)).map((t) => String(t.triggerName));
  add('no other triggers', unexpected.length === 0, list(unexpected));
  await compareAsync(client, e, add);
  return findings;
}

async function readAll(body: Readable | undefined): Promise<string> {
  if (!body) return '';
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * An OSS object-created event as the OSS trigger delivers it, for an object that does not exist (a random
 * key in the home rule's folder). Shape: FC's OSS trigger event (fc3 trigger-template event-template/oss.json).
 */
export function missingObjectEvent(d: ExpectedDeployment, now = new Date()): { events: Record<string, unknown>[] } {
  const key = `${d.bucket.probeFolder}${randomBytes(12).toString('hex')}.txt`;
  return {
    events: [
      {
        eventName: 'ObjectCreated:PutObject',
        eventSource: 'acs:oss',
        eventTime: now.toISOString(),
        eventVersion: '1.0',
        region: d.region,
        userIdentity: { principalId: d.accountId },
        oss: {
          bucket: { name: d.bucket.name, arn: `acs:oss:${d.region}:${d.accountId}:${d.bucket.name}`, ownerIdentity: d.accountId },
          object: { key, eTag: '00000000000000000000000000000000', size: 1, deltaSize: 1 },
          ossSchemaVersion: '1.0',
          ruleId: 'verify-deploy',
        },
      },
    ],
  };
}

/**
 * Invokes the callback function's event path synchronously with an object-created event for a key that
 * does not exist. It must answer 200 with the record unconfirmed as ObjectNotFound: that takes the event
 * parser, the callback role's STS credentials and its oss:GetObject on the bucket (a HeadObject that OSS
 * answers 404 rather than 403). An error (FC's X-Fc-Error-Type) means the function threw.
 */
export async function verifyEventPath(invoker: Client, d: ExpectedDeployment): Promise<Finding> {
  const callback = d.functions.find((f) => f.resource === 'callback');
  if (!callback) throw new Error('no callback function in the expected deployment');
  const event = JSON.stringify(missingObjectEvent(d));
  // Without x-fc-invocation-type the invocation is synchronous: the answer is the handler's.
  const res = await invoker.invokeFunction(callback.functionName, new fc.InvokeFunctionRequest({ body: Readable.from([Buffer.from(event)]) }));
  const text = await readAll(res.body);
  const headers = Object.fromEntries(Object.entries(res.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  const errorType = headers['x-fc-error-type'];
  let answer: unknown;
  try {
    answer = JSON.parse(text);
  } catch {
    answer = undefined;
  }
  const result = (answer as { statusCode?: unknown; body?: unknown; results?: unknown } | undefined) ?? {};
  // The handler returns an HTTP-shaped answer; FC gives an event invocation that object as JSON.
  const inner = typeof result.body === 'string' ? (JSON.parse(result.body) as { results?: unknown }) : result;
  const records = Array.isArray(inner.results) ? (inner.results as { outcome?: unknown; code?: unknown }[]) : [];
  const ok = !errorType && records.length === 1 && records[0].outcome === 'unconfirmed' && records[0].code === 'ObjectNotFound';
  const detail = errorType ? `the function failed (${errorType})` : ok ? 'ObjectNotFound, as expected for a key that does not exist' : `unexpected answer: ${text.slice(0, 300)}`;
  return { subject: callback.functionName, check: 'event path answers not found', ok, detail };
}
