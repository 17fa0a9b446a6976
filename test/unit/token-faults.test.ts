// The token function when STS misbehaves: a loopback endpoint answers as STS does when it is slow,
// failing, throttling or broken, or when it refuses. Whatever happens, no secret and no upstream
// text reaches the caller or the log.

import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT } from 'jose';
import { tokenHandler } from '../../functions/token';
import type { FcCredentials } from '../../shared/http/event';
import type { HttpResponse } from '../../shared/http/response';
import { setLogSink } from '../../shared/log';
import { switchableConfig } from '../helpers/config';
import { fcContext, httpEvent } from '../helpers/events';

const HS256 = randomBytes(32).toString('base64url');
/** Text only an upstream answer carries; it must never come out the other side. */
const UPSTREAM_MARKER = 'upstream-text-7f3a';
const FUNCTION_CREDS: FcCredentials = {
  accessKeyId: 'STS.FunctionRoleKeyId0001',
  accessKeySecret: 'FunctionRoleSecret-do-not-leak-0123456789',
  securityToken: 'CAISFunctionRole+Security/Token9do0not1leak2Wp7xTb3Vn9Rc5Yd1Ja4Es==',
};
const ISSUED = { AccessKeyId: 'STS.IssuedKeyId0001', AccessKeySecret: 'IssuedSecret-for-the-client-only', SecurityToken: 'CAISIssuedTokenForTheClientOnly' };

/** `refuse:<status>:<Code>` answers with that STS error. */
type Behaviour = 'hang' | 'reset' | 'internal' | 'throttle' | 'html' | 'incomplete' | 'noPermission' | 'signatureEcho' | 'ok' | `refuse:${number}:${string}`;

let server: Server;
let script: Behaviour[];
let seen: number;
let logs: string[];
let restoreSink: (line: string) => void;
const config = switchableConfig();
const handler = tokenHandler(config.source);

function answer(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

function behave(b: Behaviour, req: IncomingMessage, res: ServerResponse, body: string) {
  const err = (status: number, Code: string) => answer(res, status, { RequestId: 'REQ-1', HostId: 'sts.aliyuncs.com', Code, Message: `${Code}: ${UPSTREAM_MARKER}` });
  if (b.startsWith('refuse:')) {
    const [, status, code] = b.split(':');
    return err(Number(status), code);
  }
  switch (b) {
    case 'hang':
      return;
    case 'reset':
      return req.socket.destroy();
    case 'internal':
      return err(500, 'InternalError');
    case 'throttle':
      return err(400, 'Throttling.User');
    case 'html':
      return answer(res, 502, `<html><body>Bad gateway ${UPSTREAM_MARKER}</body></html>`);
    case 'incomplete':
      return answer(res, 200, { RequestId: 'REQ-1', Credentials: { AccessKeyId: ISSUED.AccessKeyId, Note: UPSTREAM_MARKER } });
    case 'noPermission':
      return err(403, 'NoPermission');
    case 'signatureEcho':
      // Real STS quotes its string to sign, security token included.
      return answer(res, 400, { RequestId: 'REQ-1', Code: 'SignatureDoesNotMatch', Message: `server string to sign is:POST&%2F&${encodeURIComponent(body)}` });
    case 'ok':
      return answer(res, 200, {
        RequestId: 'REQ-1',
        AssumedRoleUser: { Arn: 'acs:ram::1:role/oss-upload/alice', AssumedRoleId: '1:alice' },
        Credentials: { ...ISSUED, Expiration: new Date(Date.now() + 900_000).toISOString().replace(/\.\d{3}Z$/, 'Z') },
      });
  }
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      seen++;
      behave(script.length > 1 ? (script.shift() as Behaviour) : script[0], req, res, body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

beforeEach(() => {
  seen = 0;
  logs = [];
  restoreSink = setLogSink((line) => logs.push(line));
  config.configure({
    OSS_BUCKET: 'photos',
    OSS_REGION: 'cn-hangzhou',
    STS_ENDPOINT: `http://localhost:${(server.address() as AddressInfo).port}`,
    STS_ROLE_ARN: 'acs:ram::1234567890123456:role/oss-upload',
    STS_TIMEOUT_MS: '200',
    AUTH_HS256_SECRET: HS256,
  });
});
afterEach(() => {
  setLogSink(restoreSink);
});

let jwt: string;
beforeAll(async () => {
  jwt = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('alice').setExpirationTime('1h').sign(new TextEncoder().encode(HS256));
});

async function tokenWith(...behaviours: Behaviour[]): Promise<{ r: HttpResponse; body: { error: { code: string; message: string } }; line: Record<string, unknown> }> {
  script = behaviours;
  const r = await handler(
    httpEvent({ method: 'POST', path: '/token', headers: { Authorization: `Bearer ${jwt}` }, body: { access: 'upload' } }),
    fcContext({ credentials: FUNCTION_CREDS }),
  );
  const line = JSON.parse(logs[logs.length - 1]) as Record<string, unknown>;
  return { r, body: JSON.parse(r.body), line };
}

/** Nothing secret, and nothing STS wrote, in the answer or the log. */
function expectNothingLeaked(r: HttpResponse, opts: { issuedInBody?: boolean } = {}) {
  const outside = [r.body, JSON.stringify(r.headers)].join('\n');
  const logText = logs.join('\n');
  for (const secret of [FUNCTION_CREDS.accessKeySecret, FUNCTION_CREDS.securityToken as string, UPSTREAM_MARKER, jwt]) {
    expect(outside).not.toContain(secret);
    expect(logText).not.toContain(secret);
  }
  for (const issued of [ISSUED.AccessKeySecret, ISSUED.SecurityToken]) {
    expect(logText).not.toContain(issued);
    if (!opts.issuedInBody) expect(outside).not.toContain(issued);
  }
  expect(outside).not.toMatch(/at .*\.ts:\d+/);
}

describe('a transient STS failure is retried three times in all, then answered 503 StsUnavailable with Retry-After', () => {
  it.each([
    ['a timeout', 'hang', 'timeout', '2'],
    ['a 500 InternalError', 'internal', 'api', '2'],
    ['throttling', 'throttle', 'api', '5'],
    ['a connection reset', 'reset', 'network', '2'],
    ['a body that is not JSON (a gateway page)', 'html', 'malformed', '2'],
    ['a 200 without complete Credentials', 'incomplete', 'malformed', '2'],
  ] as const)('%s', async (_what, behaviour, failure, retryAfter) => {
    const { r, body, line } = await tokenWith(behaviour);
    expect([r.statusCode, body.error.code, r.headers['Retry-After']]).toEqual([503, 'StsUnavailable', retryAfter]);
    expect(seen).toBe(3);
    expect(line).toMatchObject({ status: 503, stsFailure: failure, stsAttempts: 3 });
    expectNothingLeaked(r);
  });
});

it('recovers within the retries: a 500 and a throttle, then credentials', async () => {
  const { r, line } = await tokenWith('internal', 'throttle', 'ok');
  expect(r.statusCode).toBe(200);
  expect(JSON.parse(r.body)).toMatchObject({ StatusCode: 200, ...ISSUED });
  expect(seen).toBe(3);
  expect(line).toMatchObject({ status: 200, cache: 'miss', stsCalls: 3 });
  expectNothingLeaked(r, { issuedInBody: true });
});

it('does not retry a refusal the operator must fix, and names the fix: NoPermission → 500 StsNoPermission', async () => {
  const { r, body, line } = await tokenWith('noPermission');
  expect([r.statusCode, body.error.code]).toEqual([500, 'StsNoPermission']);
  expect(body.error.message).toMatch(/sts:AssumeRole/);
  expect(seen).toBe(1);
  expect(line).toMatchObject({ stsCode: 'NoPermission', stsRequestId: 'REQ-1', stsStatus: 403, stsAttempts: 1 });
  expectNothingLeaked(r);
});

describe('each refusal STS can give becomes a 500 with a code naming what to fix, after one call', () => {
  it.each([
    [403, 'NoPermission', 'StsNoPermission'],
    [404, 'EntityNotExist.Role', 'StsRoleNotFound'],
    [400, 'InvalidParameter.RoleArn', 'StsRoleArnInvalid'],
    [400, 'InvalidParameter.PolicyGrammar', 'StsPolicyRejected'],
    [400, 'InvalidParameter.PolicySize', 'StsPolicyRejected'],
    [400, 'InvalidParameter.DurationSeconds', 'StsDurationRejected'],
    [400, 'InvalidParameter.ExternalId', 'StsExternalIdRejected'],
    [400, 'InvalidParameter.RoleSessionName', 'StsParameterRejected'],
    [400, 'MissingSecurityToken', 'StsCredentialsRejected'],
    [404, 'InvalidAccessKeyId.NotFound', 'StsCredentialsRejected'],
    [400, 'InvalidSecurityToken.Expired', 'StsCredentialsRejected'],
    [400, 'InvalidTimeStamp.Expired', 'StsCredentialsRejected'],
    [400, 'SomethingNew', 'StsRejected'],
  ])('%i %s → %s', async (status, stsCode, code) => {
    const { r, body, line } = await tokenWith(`refuse:${status}:${stsCode}`);
    expect([r.statusCode, body.error.code, seen]).toEqual([500, code, 1]);
    expect(line).toMatchObject({ stsCode, stsStatus: status });
    expectNothingLeaked(r);
  });

  it('an unknown code with a 5xx status is treated as an outage: retried, then 503', async () => {
    const { r, body } = await tokenWith('refuse:502:SomethingNew');
    expect([r.statusCode, body.error.code, seen]).toEqual([503, 'StsUnavailable', 3]);
  });
});

it('keeps STS\'s echo of the signed string (with the function\'s security token) out of the answer and the log', async () => {
  const { r, body, line } = await tokenWith('signatureEcho');
  expect([r.statusCode, body.error.code]).toEqual([500, 'StsCredentialsRejected']);
  expect(line).toMatchObject({ stsCode: 'SignatureDoesNotMatch' });
  expectNothingLeaked(r);
});

it('gives up on a hung STS within the configured timeout per attempt', async () => {
  const started = Date.now();
  await tokenWith('hang');
  // Three attempts of 200 ms plus at most 100 + 200 ms of backoff, with room for a slow machine.
  expect(Date.now() - started).toBeLessThan(3000);
});
