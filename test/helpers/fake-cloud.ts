// A loopback stand-in for the parts of Function Compute 3.0 and OSS that verify-deploy reads. Its answers
// are built from @alicloud/fc20230330's own model classes (serialised with their toMap(), as the API's JSON
// is), every FC request's ACS3-HMAC-SHA256 signature is checked (./acs3, written from the spec) and every
// OSS request's V4 signature by the local OSS's verifier. Invoking the callback runs the real callback
// handler, whose HeadObject comes back here signed with the callback role's credentials.

import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as fc from '@alicloud/fc20230330';
import { expectedDeployment, type ExpectedDeployment } from '../../deploy/verify/expected';
import type { Manifest } from '../../deploy/s-yaml/render';
import { callbackHandler } from '../../functions/callback';
import { IamStore } from '../../local/iam/store';
import { verifyV4Header } from '../../local/oss/auth-v4';
import { fromIncoming } from '../../local/oss/request';
import { configFrom } from '../../shared/config';
import type { StorageRules } from '../../shared/policy/storage-rules';
import { type Acs3Key, type Acs3Request, verifyAcs3 } from './acs3';
import { fcContext } from './events';

export interface FakeBucket {
  location: string;
  /** The GetBucketCors document, or undefined for "no CORS rules" (404 NoSuchCORSConfiguration). */
  corsXml?: string;
  /** The GetBucketLifecycle document, or undefined for 404 NoSuchLifecycle. */
  lifecycleXml?: string;
  /** The class GetBucketInfo reports. */
  storageClass: string;
}

export interface FakeState {
  functions: Map<string, fc.Function>;
  triggers: Map<string, fc.Trigger[]>;
  asyncConfigs: Map<string, fc.AsyncConfig>;
  bucket: FakeBucket;
  /** Whether the callback role's policy lets it read objects (HeadObject of a missing key: 404, else 403). */
  callbackCanRead: boolean;
}

export interface RecordedRequest {
  service: 'fc' | 'oss';
  method: string;
  path: string;
  /** The signature check's refusal code, or 'verified'. */
  signature: string;
  /** FC requests as they arrived, for re-checking the signature of a tampered copy. */
  raw?: Acs3Request;
}

const xml = (body: string) => `<?xml version="1.0" encoding="UTF-8"?>\n${body}`;

/** The bucket as a correct deployment leaves it: in the region, the CORS rule of bucket-cors.json, a lifecycle rule, the class the callback is told. */
export function faithfulBucket(d: ExpectedDeployment): FakeBucket {
  const { cors } = d.bucket;
  const rule = [
    ...cors.AllowedOrigin.map((o) => `<AllowedOrigin>${o}</AllowedOrigin>`),
    ...cors.AllowedMethod.map((m) => `<AllowedMethod>${m}</AllowedMethod>`),
    `<AllowedHeader>${cors.AllowedHeader}</AllowedHeader>`,
    ...cors.ExposeHeader.map((h) => `<ExposeHeader>${h}</ExposeHeader>`),
    `<MaxAgeSeconds>${cors.MaxAgeSeconds}</MaxAgeSeconds>`,
  ].join('');
  return {
    location: `oss-${d.region}`,
    corsXml: xml(`<CORSConfiguration><CORSRule>${rule}</CORSRule><ResponseVary>false</ResponseVary></CORSConfiguration>`),
    lifecycleXml: xml(
      '<LifecycleConfiguration><Rule><ID>abort-incomplete-uploads</ID><Prefix></Prefix><Status>Enabled</Status>' +
        '<AbortMultipartUpload><Days>7</Days></AbortMultipartUpload></Rule></LifecycleConfiguration>',
    ),
    storageClass: d.bucket.storageClass,
  };
}

/** What FC holds after `s deploy` of this manifest with logConfig: auto, as its API models describe it. */
export function faithfulState(d: ExpectedDeployment): FakeState {
  const functions = new Map<string, fc.Function>();
  const triggers = new Map<string, fc.Trigger[]>();
  const asyncConfigs = new Map<string, fc.AsyncConfig>();
  for (const f of d.functions) {
    const arn = `acs:fc:${d.region}:${d.accountId}:functions/${f.functionName}`;
    functions.set(
      f.functionName,
      new fc.Function({
        functionName: f.functionName,
        functionArn: arn,
        runtime: f.runtime,
        handler: f.handler,
        role: f.role,
        timeout: f.timeout,
        memorySize: 512,
        cpu: 0.5,
        environmentVariables: Object.fromEntries(f.environmentKeys.map((k) => [k, `value-of-${k}`])),
        logConfig: new fc.LogConfig({ project: `serverless-${d.region}-0a1b2c3d`, logstore: 'default-logs', enableRequestMetrics: true, enableInstanceMetrics: true, logBeginRule: 'DefaultRegex' }),
        state: 'Active',
      }),
    );
    triggers.set(
      f.functionName,
      f.triggers.map(
        (t) =>
          new fc.Trigger({
            triggerName: t.triggerName,
            triggerType: t.triggerType,
            qualifier: t.qualifier,
            triggerId: randomUUID(),
            sourceArn: t.sourceArn,
            invocationRole: t.invocationRole,
            targetArn: arn,
            status: 'Success',
            triggerConfig: JSON.stringify(
              t.triggerType === 'http'
                ? { authType: t.config.authType, methods: t.config.methods, disableURLInternet: false }
                : { events: t.config.events, filter: { key: { prefix: t.config.prefix, suffix: t.config.suffix } } },
            ),
            ...(t.triggerType === 'http' ? { httpTrigger: new fc.HTTPTrigger({ urlInternet: `https://${f.functionName}-abcdef.${d.region}.fcapp.run` }) } : {}),
          }),
      ),
    );
    if (f.async) {
      asyncConfigs.set(
        f.functionName,
        new fc.AsyncConfig({
          functionArn: arn,
          maxAsyncRetryAttempts: f.async.maxAsyncRetryAttempts,
          maxAsyncEventAgeInSeconds: f.async.maxAsyncEventAgeInSeconds,
          destinationConfig: new fc.DestinationConfig({ onFailure: new fc.Destination({ destination: f.async.onFailure }) }),
        }),
      );
    }
  }
  return { functions, triggers, asyncConfigs, bucket: faithfulBucket(d), callbackCanRead: true };
}

async function body(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

export interface FakeCloud {
  /** host:port, for the SDK's endpoint setting. */
  fcEndpoint: string;
  /** http://127.0.0.1:port, path-style. */
  ossEndpoint: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/**
 * Starts the fake FC and OSS. `deployer` is the identity verify-deploy signs with; the callback handler
 * runs with the manifest's callback environment and `storage` (the rules the build would bundle), its
 * OSS endpoint pointed here.
 */
export async function startFakeCloud(manifest: Manifest, accountId: string, deployer: Acs3Key, state: () => FakeState, storage: StorageRules): Promise<FakeCloud> {
  const requests: RecordedRequest[] = [];
  const nonces = new Set<string>();
  const iam = new IamStore(accountId);
  iam.addKey({ ...deployer, name: 'user/deployer', policies: [] });
  const callbackRole = iam.addKey({ accessKeyId: 'STS.callbackrole0001', accessKeySecret: 'callback-role-secret-0001', securityToken: 'callback-role-token-0001', name: 'role/oss-upload-callback-fn', policies: [] });
  const region = String(manifest.resources.callback.props.region);
  const expected = expectedDeployment(manifest, accountId, storage);

  const ossServer = createServer((req, res) => {
    void (async () => {
      await body(req);
      const oss = fromIncoming(req);
      let principal: string;
      try {
        principal = verifyV4Header(oss, oss.headers.authorization ?? '', { iam, region, now: new Date() }).accessKeyId;
        requests.push({ service: 'oss', method: oss.method, path: req.url ?? '', signature: 'verified' });
      } catch (err) {
        const code = (err as { code?: string }).code ?? 'AccessDenied';
        requests.push({ service: 'oss', method: oss.method, path: req.url ?? '', signature: code });
        res.writeHead(403, { 'content-type': 'application/xml' }).end(xml(`<Error><Code>${code}</Code></Error>`));
        return;
      }
      const s = state();
      const sub = oss.query.map(([k]) => k);
      if (oss.bucket !== expected.bucket.name) return void res.writeHead(404).end(xml('<Error><Code>NoSuchBucket</Code></Error>'));
      if (oss.method === 'HEAD' && oss.key) {
        const allowed = principal === callbackRole.accessKeyId && s.callbackCanRead;
        return void res.writeHead(allowed ? 404 : 403).end();
      }
      if (principal !== deployer.accessKeyId) return void res.writeHead(403).end(xml('<Error><Code>AccessDenied</Code></Error>'));
      if (sub.includes('location')) {
        if (s.bucket.location !== `oss-${region}`) {
          const endpoint = `${s.bucket.location}.aliyuncs.com`;
          return void res.writeHead(403).end(xml(`<Error><Code>AccessDenied</Code><Message>The bucket you are attempting to access must be addressed using the specified endpoint.</Message><Endpoint>${endpoint}</Endpoint></Error>`));
        }
        return void res.writeHead(200).end(xml(`<LocationConstraint>${s.bucket.location}</LocationConstraint>`));
      }
      if (sub.includes('cors')) return void (s.bucket.corsXml ? res.writeHead(200).end(s.bucket.corsXml) : res.writeHead(404).end(xml('<Error><Code>NoSuchCORSConfiguration</Code></Error>')));
      if (sub.includes('bucketInfo')) {
        return void res.writeHead(200).end(xml(`<BucketInfo><Bucket><Location>${s.bucket.location}</Location><Name>${expected.bucket.name}</Name><StorageClass>${s.bucket.storageClass}</StorageClass></Bucket></BucketInfo>`));
      }
      if (sub.includes('lifecycle')) return void (s.bucket.lifecycleXml ? res.writeHead(200).end(s.bucket.lifecycleXml) : res.writeHead(404).end(xml('<Error><Code>NoSuchLifecycle</Code></Error>')));
      res.writeHead(400).end(xml('<Error><Code>NotImplemented</Code></Error>'));
    })();
  });
  const ossPort = await listen(ossServer);
  const ossEndpoint = `http://127.0.0.1:${ossPort}`;

  const callbackEnv = {
    ...Object.fromEntries(Object.entries(manifest.resources.callback.props.environmentVariables as Record<string, string>)),
    OSS_INTERNAL_ENDPOINT: ossEndpoint,
    OSS_ENDPOINT: ossEndpoint,
    OSS_PATH_STYLE: 'true',
  };
  const callback = callbackHandler(configFrom(callbackEnv, storage));

  const json = (res: ServerResponse, status: number, value: unknown) => res.writeHead(status, { 'content-type': 'application/json', 'x-acs-request-id': randomUUID() }).end(JSON.stringify(value));
  const notFound = (res: ServerResponse, code: string) => json(res, 404, { Code: code, Message: `${code}`, RequestId: randomUUID() });

  const fcServer = createServer((req, res) => {
    void (async () => {
      const raw = await body(req);
      const headers = Object.fromEntries(Object.entries(req.headersDistinct).map(([k, v]) => [k, (v ?? []).join(',')]));
      const arrived: Acs3Request = { method: req.method ?? 'GET', url: req.url ?? '/', headers, body: raw };
      const refusal = verifyAcs3(arrived, [deployer], new Date(), nonces);
      const path = arrived.url.split('?')[0];
      requests.push({ service: 'fc', method: arrived.method, path, signature: refusal?.code ?? 'verified', raw: arrived });
      if (refusal) return void json(res, refusal.status, { Code: refusal.code, Message: refusal.message, RequestId: randomUUID() });
      const m = /^\/2023-03-30\/functions\/([^/]+)(\/(triggers|async-invoke-config|invocations))?$/.exec(path);
      const s = state();
      const name = m ? decodeURIComponent(m[1]) : '';
      const f = s.functions.get(name);
      if (!m || !f) return void notFound(res, 'FunctionNotFound');
      switch (m[3]) {
        case undefined:
          return void json(res, 200, f.toMap());
        case 'triggers':
          return void json(res, 200, new fc.ListTriggersOutput({ triggers: s.triggers.get(name) ?? [] }).toMap());
        case 'async-invoke-config': {
          const a = s.asyncConfigs.get(name);
          return void (a ? json(res, 200, a.toMap()) : notFound(res, 'AsyncConfigNotExists'));
        }
        default: {
          if (name !== expected.functions.find((x) => x.resource === 'callback')?.functionName) return void json(res, 200, {});
          try {
            const answer = await callback(raw, fcContext({ requestId: randomUUID(), credentials: callbackRole }));
            return void json(res, 200, answer);
          } catch (err) {
            res.writeHead(200, { 'content-type': 'application/json', 'x-fc-error-type': 'UnhandledInvocationError' });
            return void res.end(JSON.stringify({ errorMessage: (err as Error).message, errorType: (err as Error).name }));
          }
        }
      }
    })();
  });
  const fcPort = await listen(fcServer);

  return {
    fcEndpoint: `127.0.0.1:${fcPort}`,
    ossEndpoint,
    requests,
    close: () => Promise.all([ossServer, fcServer].map((s) => new Promise<void>((r) => s.close(() => r())))).then(() => undefined),
  };
}
