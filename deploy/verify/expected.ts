// What a deployment of s.yaml must look like when read back from Function Compute and OSS: taken from the
// rendered manifest (the same one `s deploy` hands fc3), so verify-deploy and the manifest check cannot
// disagree about what was meant.

import { bucketCors, type CorsRule } from '../ram/bucket-cors';
import type { StorageRules } from '../../shared/policy/storage-rules';
import { FUNCTION_NAMES, functionConfig, type FunctionName, prefixRootOf } from '../s-yaml/check';
import { isPlainObject, type Manifest } from '../s-yaml/render';

export interface ExpectedTrigger {
  triggerName: string;
  triggerType: 'http' | 'oss';
  qualifier: string;
  /** HTTP: authType and methods. OSS: events and the key filter. */
  config: { authType?: string; methods?: string[]; events?: string[]; prefix?: string; suffix?: string };
  sourceArn?: string;
  invocationRole?: string;
}

export interface ExpectedFunction {
  resource: FunctionName;
  functionName: string;
  runtime: string;
  handler: string;
  role: string;
  /** Seconds. */
  timeout: number;
  /** The names of the environment variables; values are not compared (CALLBACK_URL is a deploy output). */
  environmentKeys: string[];
  /** `auto` (fc3 names the project and logstore) or the project and logstore s.yaml names. */
  logConfig: 'auto' | { project: string; logstore: string };
  triggers: ExpectedTrigger[];
  async?: { qualifier: string; maxAsyncRetryAttempts: number; maxAsyncEventAgeInSeconds?: number; onFailure: string };
}

export interface ExpectedBucket {
  name: string;
  region: string;
  /** The CORS rule browser uploads need (deploy/ram/bucket-cors.json) for the app's origins. */
  cors: CorsRule;
  /** Every upload lives under this; a lifecycle rule that aborts stale multipart uploads must cover it. */
  prefixRoot: string;
  /**
   * The folder the event path's probe key goes in: the home rule's, for a user named `verify-deploy`
   * (`users/verify-deploy/` by default), so the callback judges the key by a rule that could store it.
   */
  probeFolder: string;
  /**
   * The bucket's storage class as the callback function is told it (OSS_STORAGE_CLASS): the callback
   * refuses every object stored in another class, so a bucket of another class refuses every upload.
   */
  storageClass: string;
}

export interface ExpectedDeployment {
  region: string;
  accountId: string;
  functions: ExpectedFunction[];
  bucket: ExpectedBucket;
}

type Props = Record<string, unknown>;

function expectedTrigger(t: Props): ExpectedTrigger {
  const cfg = isPlainObject(t.triggerConfig) ? t.triggerConfig : {};
  const key = isPlainObject(cfg.filter) && isPlainObject(cfg.filter.key) ? cfg.filter.key : {};
  const type = t.triggerType === 'oss' ? 'oss' : 'http';
  return {
    triggerName: String(t.triggerName),
    triggerType: type,
    qualifier: typeof t.qualifier === 'string' ? t.qualifier : 'LATEST',
    config:
      type === 'http'
        ? { authType: String(cfg.authType), methods: (cfg.methods as string[]).map(String) }
        : { events: (cfg.events as string[]).map(String), prefix: String(key.prefix ?? ''), suffix: String(key.suffix ?? '') },
    ...(type === 'oss' ? { sourceArn: String(t.sourceArn), invocationRole: String(t.invocationRole) } : {}),
  };
}

function expectedAsync(props: Props): ExpectedFunction['async'] {
  const cfg = props.asyncInvokeConfig;
  if (!isPlainObject(cfg)) return undefined;
  const onFailure = isPlainObject(cfg.destinationConfig) && isPlainObject(cfg.destinationConfig.onFailure) ? cfg.destinationConfig.onFailure.destination : undefined;
  return {
    qualifier: typeof cfg.qualifier === 'string' ? cfg.qualifier : 'LATEST',
    maxAsyncRetryAttempts: Number(cfg.maxAsyncRetryAttempts ?? 3),
    ...(typeof cfg.maxAsyncEventAgeInSeconds === 'number' ? { maxAsyncEventAgeInSeconds: cfg.maxAsyncEventAgeInSeconds } : {}),
    onFailure: String(onFailure),
  };
}

/**
 * The deployment a rendered, checked manifest describes, its functions configured with `storage` (the
 * rules the build bundles: `storageRulesOf(env)`). Throws when the manifest lacks what it takes to say
 * (run the manifest check first: scripts/render-s-yaml.ts --check).
 */
export function expectedDeployment(m: Manifest, accountId: string, storage: StorageRules): ExpectedDeployment {
  const functions = FUNCTION_NAMES.map((resource): ExpectedFunction => {
    const r = m.resources[resource];
    if (!r) throw new Error(`the manifest has no ${resource} resource`);
    const p = r.props;
    const log = p.logConfig;
    return {
      resource,
      functionName: String(p.functionName),
      runtime: String(p.runtime),
      handler: String(p.handler),
      role: String(p.role),
      timeout: Number(p.timeout),
      environmentKeys: Object.keys(isPlainObject(p.environmentVariables) ? p.environmentVariables : {}).sort(),
      logConfig: isPlainObject(log) ? { project: String(log.project), logstore: String(log.logstore) } : 'auto',
      triggers: (Array.isArray(p.triggers) ? p.triggers : []).filter(isPlainObject).map(expectedTrigger),
      async: expectedAsync(p),
    };
  });
  const config = functionConfig(m.resources.sign.props, storage);
  if ('message' in config) throw new Error(`sign function: ${config.path}: ${config.message}`);
  const callback = functionConfig(m.resources.callback.props, storage);
  if ('message' in callback) throw new Error(`callback function: ${callback.path}: ${callback.message}`);
  const region = String(m.resources.callback.props.region);
  const [cors] = bucketCors(config.corsOrigins).CORSRule;
  const bucket: ExpectedBucket = {
    name: config.rules.bucket,
    region,
    cors,
    prefixRoot: prefixRootOf(config),
    probeFolder: config.rules.prefixTemplate.replace('${uid}', 'verify-deploy'),
    storageClass: callback.callback.bucketStorageClass,
  };
  return { region, accountId, functions, bucket };
}
