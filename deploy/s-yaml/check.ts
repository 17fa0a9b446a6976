// Checks a rendered manifest against our schema and against what the three functions need, so a bad
// s.yaml fails `npm test` and the deploy workflow before `s deploy` sends it anywhere.

import Ajv, { type ErrorObject } from 'ajv';
import { ConfigError, loadConfig, type Config } from '../../shared/config';
import { commonRoot } from '../../rules/generate';
import type { StorageRules } from '../../shared/policy/storage-rules';
import { fc3PropsSchema } from './fc3-props-schema';
import { FC3_RELEASES_SEEN, fc3Pin } from './fc3-releases';
import { isDeployOutput, isPlainObject, type Manifest } from './render';

export const FUNCTION_NAMES = ['token', 'sign', 'callback'] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

export interface Problem {
  /** The resource (function) the problem is in, when it is in one. */
  resource?: string;
  /** Dotted path inside the resource (or the manifest), e.g. `props.timeout`. */
  path: string;
  message: string;
}

/** Node.js runtimes Function Compute 3.0 offers; there is no nodejs22. */
export const FC_NODE_RUNTIMES = ['nodejs12', 'nodejs14', 'nodejs16', 'nodejs18', 'nodejs20'];
export const RUNTIME = 'nodejs20';

// Why a required prop matters, for the message when it is missing.
const REQUIRED_BECAUSE: Record<string, string> = {
  timeout: 'set it explicitly: fc3 defaults the timeout to 3 s',
  memorySize: 'set it explicitly, with cpu: fc3 defaults to 512 MB',
  cpu: 'set it explicitly, with memorySize, within FC\'s 1:1 to 1:4 vCPU:GB ratio',
  role: 'each function runs with its own RAM role (deploy/ram)',
  logConfig: 'without it fc3 switches the function\'s logging off on every deploy (use auto, or a project and logstore)',
};

const ajv = new Ajv({ allErrors: true, strict: true, discriminator: true });
const validateProps = ajv.compile(fc3PropsSchema);

function schemaProblem(resource: string, e: ErrorObject): Problem {
  const at = ['props', ...e.instancePath.split('/').filter(Boolean)];
  if (e.keyword === 'required') {
    const missing = (e.params as { missingProperty: string }).missingProperty;
    const because = at.length === 1 ? REQUIRED_BECAUSE[missing] : undefined;
    return { resource, path: [...at, missing].join('.'), message: `is missing${because ? `: ${because}` : ''}` };
  }
  if (e.keyword === 'additionalProperties') {
    const extra = (e.params as { additionalProperty: string }).additionalProperty;
    return { resource, path: [...at, extra].join('.'), message: 'is not a prop our schema allows' };
  }
  const message = e.keyword === 'enum' ? `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}` : e.message;
  return { resource, path: at.join('.'), message: message ?? 'is invalid' };
}

const AK_NAME = /ACCESS_?KEY|SECRET_?KEY|SECURITY_?TOKEN/i;
const AK_VALUE = /^(LTAI[0-9A-Za-z]{12,}|STS\.[0-9A-Za-z]{16,})$/;
// Stands in for values only known after deploy (another function's URL) when validating config.
const DEPLOY_TIME_URL = 'https://deploy-time-output.invalid';

type Props = Record<string, unknown>;
type Trigger = Record<string, unknown> & { triggerType?: unknown; triggerConfig?: Record<string, unknown> };

function envOf(props: Props): Record<string, string> {
  return isPlainObject(props.environmentVariables) ? (props.environmentVariables as Record<string, string>) : {};
}

function triggersOf(props: Props, type: string): Trigger[] {
  return Array.isArray(props.triggers) ? props.triggers.filter((t): t is Trigger => isPlainObject(t) && t.triggerType === type) : [];
}

export function roleParts(arn: unknown): { account: string; name: string } | undefined {
  const m = typeof arn === 'string' ? /^acs:ram::(\d+):role\/(.+)$/.exec(arn) : null;
  return m ? { account: m[1], name: m[2] } : undefined;
}

/**
 * The function's configuration as the function will load it, with the storage rules the build bundles
 * into it (`storageRulesOf` of the build's environment, rules/load.ts), or the problem that stops it loading.
 */
export function functionConfig(props: Props, storage: StorageRules): Config | Problem {
  const env = Object.fromEntries(Object.entries(envOf(props)).map(([k, v]) => [k, isDeployOutput(v) ? DEPLOY_TIME_URL : v]));
  try {
    return loadConfig(env, storage);
  } catch (err) {
    if (err instanceof ConfigError) return { path: `props.environmentVariables.${err.variable}`, message: err.message };
    throw err;
  }
}

type Add = (path: string, message: string) => void;

function checkEnvironment(env: Record<string, string>, add: Add): void {
  for (const [k, v] of Object.entries(env)) {
    if (AK_NAME.test(k) || AK_VALUE.test(String(v))) {
      add(`props.environmentVariables.${k}`, 'looks like an AccessKey: functions get their role\'s credentials from FC (context.credentials), never from environment variables');
    }
  }
  const envBytes = Object.entries(env).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(String(v)), 0);
  if (envBytes > 4096) add('props.environmentVariables', `total ${envBytes} bytes; FC allows 4 KB`);
}

function checkHttpTrigger(name: FunctionName, props: Props, add: Add): void {
  const http = triggersOf(props, 'http');
  if (http.length !== 1) add('props.triggers', `needs exactly one HTTP trigger, has ${http.length}`);
  for (const t of http) {
    const cfg = t.triggerConfig ?? {};
    const methods = Array.isArray(cfg.methods) ? cfg.methods : [];
    if (name === 'callback') {
      if (cfg.authType !== 'anonymous') {
        add('props.triggers.http.authType', 'must be anonymous: OSS sends its RSA signature in the Authorization header, which FC would check as a request signature and reject; the function verifies OSS\'s signature itself');
      }
      if (!methods.includes('POST')) add('props.triggers.http.methods', 'must include POST, the method OSS calls back with');
      continue;
    }
    if (cfg.authType === 'function') {
      add('props.triggers.http.authType', 'function auth needs ACS3-HMAC-SHA256-signed requests, which browsers and mobile apps cannot make; use anonymous (the function checks the JWT) or jwt');
    }
    if (cfg.authType === 'jwt' && !isPlainObject(cfg.authConfig)) add('props.triggers.http.authConfig', 'jwt auth needs authConfig with jwks and tokenLookup');
    const needed: Record<string, string> = { POST: '', OPTIONS: ' for CORS preflight' };
    for (const [m, why] of Object.entries(needed)) if (!methods.includes(m)) add('props.triggers.http.methods', `must include ${m}${why}`);
    if (name === 'token' && methods.includes('GET')) {
      add('props.triggers.http.methods', 'must not include GET: the SDKs\' URL credential providers GET without a bearer token and cannot authenticate; apps use POST /token (docs/mobile.md)');
    }
  }
  if (name !== 'callback' && triggersOf(props, 'oss').length > 0) add('props.triggers', 'only the callback function takes OSS events');
}

function checkFunction(name: FunctionName, props: Props, storage: StorageRules, add: Add): Config | undefined {
  if (props.code !== `./dist/${name}`) add('props.code', `must be ./dist/${name}, the bundle npm run build writes`);
  if (props.handler !== 'index.handler') add('props.handler', 'must be index.handler: each bundle exports handler from index.js');
  if (typeof props.runtime === 'string' && !FC_NODE_RUNTIMES.includes(props.runtime)) {
    add('props.runtime', `"${props.runtime}" is not a runtime Function Compute offers (Node.js: ${FC_NODE_RUNTIMES.join(', ')})`);
  } else if (props.runtime !== RUNTIME) {
    add('props.runtime', `must be ${RUNTIME}: the bundles target node20`);
  }
  const { cpu, memorySize } = props;
  if (typeof cpu === 'number' && typeof memorySize === 'number' && cpu > 0) {
    const gbPerCpu = memorySize / 1024 / cpu;
    if (gbPerCpu < 1 || gbPerCpu > 4) add('props.cpu', `${cpu} vCPU with ${memorySize} MB is 1:${+gbPerCpu.toFixed(2)}; FC requires vCPU:GB between 1:1 and 1:4`);
    if (Math.abs(cpu * 20 - Math.round(cpu * 20)) > 1e-9) add('props.cpu', `${cpu} is not a multiple of 0.05 vCPU`);
  }
  checkEnvironment(envOf(props), add);
  checkHttpTrigger(name, props, add);

  const config = functionConfig(props, storage);
  if ('message' in config) {
    add(config.path, config.message);
    return undefined;
  }
  if (name !== 'callback' && !config.auth.jwksUrl && !config.auth.hs256Secret) {
    add('props.environmentVariables', 'the function must authenticate callers: set AUTH_JWKS_URL (or AUTH_HS256_SECRET)');
  }
  if (config.auth.anonymous) add('props.environmentVariables.AUTH_ANONYMOUS', 'must not be true in a deployment');
  return config;
}

/**
 * The OSS events that create or replace an object, and no per-part event: `oss:ObjectCreated:*` also
 * fires on InitiateMultipartUpload, UploadPart and UploadPartCopy, one invocation per part. Names as OSS
 * publishes them (EventBridge "OSS events"; fc3 schema IOssTriggerConfig).
 */
export const OSS_TRIGGER_EVENTS = [
  'oss:ObjectCreated:PutObject',
  'oss:ObjectCreated:PostObject',
  'oss:ObjectCreated:CompleteMultipartUpload',
  'oss:ObjectCreated:AppendObject',
  'oss:ObjectCreated:CopyObject',
  'oss:ObjectCreated:PutSymlink',
] as const;

const PER_PART_EVENTS = ['oss:ObjectCreated:InitiateMultipartUpload', 'oss:ObjectCreated:UploadPart', 'oss:ObjectCreated:UploadPartCopy'];

/** `acs:mns:<region>:<account>:/queues/<name>/messages`, the form FC takes for a queue destination. */
export function mnsQueueParts(arn: unknown): { region: string; account: string; queue: string } | undefined {
  const m = typeof arn === 'string' ? /^acs:mns:([a-z0-9-]+):(\d+):\/queues\/([A-Za-z0-9-]{1,120})\/messages$/.exec(arn) : null;
  return m ? { region: m[1], account: m[2], queue: m[3] } : undefined;
}

function checkOssEvents(events: unknown[], add: Add): void {
  if (events.some((e) => typeof e === 'string' && e.endsWith(':*'))) {
    add('props.triggers.oss.events', 'must list the events one by one: a wildcard includes the per-part multipart events, one invocation per part');
  }
  const partEvents = events.filter((e) => PER_PART_EVENTS.includes(String(e)));
  if (partEvents.length > 0) add('props.triggers.oss.events', `must not include ${partEvents.join(', ')}: they fire once per part, before any object exists`);
  const missing = OSS_TRIGGER_EVENTS.filter((e) => !events.includes(e));
  if (missing.length > 0) add('props.triggers.oss.events', `must include ${missing.join(', ')}: each creates or replaces an object the callback must check`);
  const other = events.filter((e) => !OSS_TRIGGER_EVENTS.includes(e as (typeof OSS_TRIGGER_EVENTS)[number]) && !PER_PART_EVENTS.includes(String(e)) && !String(e).endsWith(':*'));
  if (other.length > 0) add('props.triggers.oss.events', `must be object-created events only, not ${other.join(', ')}`);
}

function checkAsyncInvoke(props: Props, trigger: Trigger, add: Add): void {
  const cfg = props.asyncInvokeConfig;
  if (!isPlainObject(cfg)) {
    add('props.asyncInvokeConfig', 'is missing: OSS invokes the trigger asynchronously, and without retries and an on-failure destination an event that fails is dropped');
    return;
  }
  if ((cfg.qualifier ?? 'LATEST') !== (trigger.qualifier ?? 'LATEST')) add('props.asyncInvokeConfig.qualifier', `must be the OSS trigger's qualifier (${String(trigger.qualifier ?? 'LATEST')})`);
  if (typeof cfg.maxAsyncRetryAttempts !== 'number' || cfg.maxAsyncRetryAttempts < 1) add('props.asyncInvokeConfig.maxAsyncRetryAttempts', 'must be at least 1: a webhook that is briefly down must get the event again');
  const onFailure = isPlainObject(cfg.destinationConfig) && isPlainObject(cfg.destinationConfig.onFailure) ? cfg.destinationConfig.onFailure.destination : undefined;
  const queue = mnsQueueParts(onFailure);
  const account = roleParts(props.role)?.account;
  if (!queue) add('props.asyncInvokeConfig.destinationConfig.onFailure.destination', 'must be an MNS queue (acs:mns:<region>:<account>:/queues/<name>/messages) that keeps an event which failed every retry');
  else if (queue.region !== props.region || queue.account !== account) add('props.asyncInvokeConfig.destinationConfig.onFailure.destination', `must be a queue in the function's region (${String(props.region)}) and account`);
}

function checkOssTrigger(props: Props, config: Config, add: Add): void {
  const oss = triggersOf(props, 'oss');
  if (oss.length !== 1) {
    add('props.triggers', 'the callback function needs one OSS trigger for object-created events, the path OSS retries');
    return;
  }
  const cfg = oss[0].triggerConfig ?? {};
  checkOssEvents(Array.isArray(cfg.events) ? (cfg.events as unknown[]) : [], add);
  checkAsyncInvoke(props, oss[0], add);
  const key = isPlainObject(cfg.filter) && isPlainObject(cfg.filter.key) ? cfg.filter.key : {};
  const root = prefixRootOf(config);
  if (key.prefix !== root) add('props.triggers.oss.filter.key.prefix', `must be "${root}", the folder every storage rule lies under, is "${String(key.prefix)}"`);
  const account = roleParts(props.role)?.account;
  const expected = `acs:oss:${String(props.region)}:${account}:${config.rules.bucket}`;
  if (oss[0].sourceArn !== expected) add('props.triggers.oss.sourceArn', `must be ${expected}: the upload bucket, in the function's region and account`);
  if (roleParts(oss[0].invocationRole)?.account !== account) add('props.triggers.oss.invocationRole', 'must be a role in the functions\' account');
}

function checkDomains(m: Manifest, add: (resource: string | undefined, path: string, message: string) => void): void {
  const domains = FUNCTION_NAMES.map((n) => m.resources[n]?.props.customDomain).filter(isPlainObject);
  if (domains.length === 0) {
    const url = envOf(m.resources.sign?.props ?? {}).CALLBACK_URL;
    if (url !== '${resources.callback.output.url.system_url}' && !(typeof url === 'string' && url.startsWith('https://'))) {
      add('sign', 'props.environmentVariables.CALLBACK_URL', 'must be the callback function\'s URL: ${resources.callback.output.url.system_url}');
    }
    return;
  }
  if (domains.length !== FUNCTION_NAMES.length) add(undefined, 'resources', 'a custom domain must route all three functions, or none');
  for (const name of FUNCTION_NAMES) {
    const d = m.resources[name]?.props.customDomain;
    if (!isPlainObject(d)) continue;
    if (d.domainName !== domains[0].domainName) add(name, 'props.customDomain.domainName', 'must be the same domain for all three functions');
    if (d.protocol !== 'HTTPS') add(name, 'props.customDomain.protocol', 'must be HTTPS: responses carry credentials and signed URLs');
    if (!isPlainObject(d.certConfig)) add(name, 'props.customDomain.certConfig', 'HTTPS needs the domain\'s certificate and private key');
    const route = isPlainObject(d.route) ? d.route : {};
    if (route.path !== `/api/${name}`) add(name, 'props.customDomain.route.path', `must be /api/${name}, a path the handler answers on`);
  }
  const expected = `https://${String(domains[0].domainName)}/api/callback`;
  if (envOf(m.resources.sign?.props ?? {}).CALLBACK_URL !== expected) {
    add('sign', 'props.environmentVariables.CALLBACK_URL', `must be ${expected}, the callback function on the custom domain`);
  }
}

/**
 * The folder every path rule the functions load lies under (rules/generate.ts commonRoot: `users/` for
 * the default rules, '' for rules that span the bucket): the OSS trigger's key prefix, the RAM files'
 * ${PREFIX_ROOT}, what the bucket's lifecycle rule must cover.
 */
export function prefixRootOf(config: Config): string {
  return commonRoot(config.rules.paths);
}

/**
 * Everything wrong with a rendered manifest, its functions configured with `storage` (the rules the
 * build bundles: `storageRulesOf(env)`); empty when it is fit to deploy.
 */
export function checkManifest(m: Manifest, storage: StorageRules): Problem[] {
  const problems: Problem[] = [];
  const add = (resource: string | undefined, path: string, message: string) => problems.push({ ...(resource ? { resource } : {}), path, message });

  if (String(m.edition) !== '3.0.0') add(undefined, 'edition', 'must be 3.0.0 (Serverless Devs 3)');
  const names = Object.keys(m.resources).sort();
  if (names.join() !== [...FUNCTION_NAMES].sort().join()) add(undefined, 'resources', `must be exactly ${FUNCTION_NAMES.join(', ')}; found ${names.join(', ')}`);
  if (m.access !== undefined && (typeof m.access !== 'string' || m.access.includes('${'))) {
    add(undefined, 'access', 'must be a plain alias name or left out: Serverless Devs 3.1.10 reads access before rendering, so ${...} there names an alias literally; choose credentials with AccountID/AccessKeyID/AccessKeySecret or -a <alias>');
  }
  const preDeploy = m.actions['pre-deploy'];
  if (!Array.isArray(preDeploy) || !preDeploy.some((a) => isPlainObject(a) && typeof a.run === 'string' && /\bnpm run build\b/.test(a.run))) {
    add(undefined, 'actions.pre-deploy', 'must run npm run build, so s deploy never uploads stale bundles');
  }

  const configs = new Map<FunctionName, Config>();
  for (const name of FUNCTION_NAMES) {
    const r = m.resources[name];
    if (!r) continue;
    const pin = fc3Pin(r.component);
    const newest = FC3_RELEASES_SEEN[FC3_RELEASES_SEEN.length - 1];
    if (!pin) add(name, 'component', `must pin the fc3 component to a released version, e.g. fc3@${newest}`);
    else if (!(FC3_RELEASES_SEEN as readonly string[]).includes(pin)) {
      add(name, 'component', `fc3@${pin} is not a release anyone has seen (newest seen: ${newest}; deploy/s-yaml/fc3-releases.ts): s deploy stops at once on a missing release`);
    }
    if (!validateProps(r.props)) for (const e of validateProps.errors ?? []) problems.push(schemaProblem(name, e));
    const config = checkFunction(name, r.props, storage, (path, message) => add(name, path, message));
    if (config) configs.set(name, config);
  }

  const callback = configs.get('callback');
  if (callback && m.resources.callback) checkOssTrigger(m.resources.callback.props, callback, (path, message) => add('callback', path, message));
  checkDomains(m, add);

  const callbackUrl = configs.get('sign')?.rules.callbackUrl;
  if (callbackUrl?.includes('?')) add('sign', 'props.environmentVariables.CALLBACK_URL', 'must have no query string: FC 3.0 events do not carry the raw query the OSS signature covers');

  // One set of upload rules: the token's session policy, the signed URLs and the callback's checks must agree.
  const ruleSets = [...configs].map(([name, c]) => [name, JSON.stringify({ ...c.rules, callbackUrl: undefined })] as const);
  for (const [name, rules] of ruleSets.slice(1)) {
    if (rules !== ruleSets[0][1]) add(name, 'props.environmentVariables', `upload rules differ from ${ruleSets[0][0]}'s; all three functions must share them`);
  }

  const components = new Set(FUNCTION_NAMES.map((n) => m.resources[n]?.component).filter(Boolean));
  if (components.size > 1) add(undefined, 'resources', `every function must use the same fc3 release; found ${[...components].join(', ')}`);

  const roles = FUNCTION_NAMES.map((n) => m.resources[n]?.props.role).filter((r) => typeof r === 'string');
  if (new Set(roles).size !== roles.length) add(undefined, 'resources', 'each function needs its own role (least privilege)');
  const uploadRole = configs.get('token')?.sts.roleArn;
  if (!uploadRole) add('token', 'props.environmentVariables.STS_ROLE_ARN', 'is required: the role whose credentials the token function vends');
  else if (roles.includes(uploadRole)) add('token', 'props.environmentVariables.STS_ROLE_ARN', 'must be the upload role, not a function\'s own role');
  // Sign and callback sign with the upload role's credentials narrowed to the caller's scope, and share the callback MAC key.
  for (const name of ['sign', 'callback'] as const) {
    const config = configs.get(name);
    if (!config || !uploadRole) continue;
    if (config.sts.roleArn !== uploadRole) add(name, 'props.environmentVariables.STS_ROLE_ARN', `must be the upload role the token function assumes (${uploadRole}): ${name} signs with its credentials narrowed to the caller's scope`);
  }
  const signKey = configs.get('sign')?.callback.macKeys?.current;
  const callbackKeys = configs.get('callback')?.callback.macKeys;
  if (signKey && !callbackKeys?.accepted.some((k) => k.equals(signKey))) {
    add('callback', 'props.environmentVariables.CALLBACK_MAC_KEY', "must accept the sign function's current CALLBACK_MAC_KEY, or every pinned callback fails its MAC");
  }
  return problems;
}

export function formatProblems(problems: Problem[]): string {
  return problems.map((p) => `${p.resource ? `resources.${p.resource}.` : ''}${p.path}: ${p.message}`).join('\n');
}
