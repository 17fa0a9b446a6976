// Our own strict JSON Schema for the fc3 props s.yaml uses. The fc3 component's published schema is
// loose (no additionalProperties: false, trigger configs as an anyOf, so a wrong authType or a stray
// key passes) and fc3 only logs validation failures at debug level, so this is the gate.

const ROLE_ARN = '^acs:ram::\\d+:role/[A-Za-z0-9.@_-]{1,64}$';
const NAME = '^[A-Za-z_][A-Za-z0-9_-]{0,63}$';
const BUCKET = '[a-z0-9][a-z0-9-]{1,61}[a-z0-9]';

const httpTrigger = {
  type: 'object',
  additionalProperties: false,
  required: ['triggerName', 'triggerType', 'triggerConfig'],
  properties: {
    triggerName: { type: 'string', pattern: NAME },
    triggerType: { const: 'http' },
    description: { type: 'string' },
    qualifier: { type: 'string' },
    triggerConfig: {
      type: 'object',
      additionalProperties: false,
      required: ['authType', 'methods'],
      properties: {
        authType: { enum: ['anonymous', 'function', 'jwt'] },
        methods: {
          type: 'array',
          minItems: 1,
          uniqueItems: true,
          items: { enum: ['GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'PATCH', 'OPTIONS'] },
        },
        disableURLInternet: { type: 'boolean' },
        authConfig: {
          type: 'object',
          additionalProperties: false,
          required: ['jwks', 'tokenLookup'],
          properties: {
            jwks: {
              type: 'object',
              additionalProperties: false,
              required: ['keys'],
              properties: { keys: { type: 'array', minItems: 1, items: { type: 'object', required: ['kty'], properties: { kty: { type: 'string' } } } } },
            },
            tokenLookup: { type: 'array', minItems: 1, items: { type: 'object' } },
            claimPassBy: { type: 'array', items: { type: 'object' } },
            whitelist: { type: 'array', items: { type: 'string' } },
            blacklist: { type: 'array', items: { type: 'string' } },
          },
        },
      },
    },
  },
} as const;

const ossTrigger = {
  type: 'object',
  additionalProperties: false,
  required: ['triggerName', 'triggerType', 'sourceArn', 'invocationRole', 'triggerConfig'],
  properties: {
    triggerName: { type: 'string', pattern: NAME },
    triggerType: { const: 'oss' },
    description: { type: 'string' },
    qualifier: { type: 'string' },
    sourceArn: { type: 'string', pattern: `^acs:oss:[a-z0-9-]+:\\d+:${BUCKET}$` },
    invocationRole: { type: 'string', pattern: ROLE_ARN },
    triggerConfig: {
      type: 'object',
      additionalProperties: false,
      required: ['events', 'filter'],
      properties: {
        events: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', pattern: '^oss:Object[A-Za-z]+:[A-Za-z*]+$' } },
        filter: {
          type: 'object',
          additionalProperties: false,
          required: ['key'],
          properties: {
            key: {
              type: 'object',
              additionalProperties: false,
              required: ['prefix', 'suffix'],
              properties: { prefix: { type: 'string' }, suffix: { type: 'string' } },
            },
          },
        },
      },
    },
  },
} as const;

// fc3's IAsyncInvokeConfig, with the bounds of its schema (retries 0–8, event age 1 s to 30 days).
const destination = {
  type: 'object',
  additionalProperties: false,
  required: ['destination'],
  properties: { destination: { type: 'string', pattern: '^acs:(mns|fc|eventbridge|mq):' } },
} as const;

const asyncInvokeConfig = {
  type: 'object',
  additionalProperties: false,
  properties: {
    qualifier: { type: 'string' },
    maxAsyncRetryAttempts: { type: 'integer', minimum: 0, maximum: 8 },
    maxAsyncEventAgeInSeconds: { type: 'integer', minimum: 1, maximum: 2592000 },
    asyncTask: { type: 'boolean' },
    destinationConfig: {
      type: 'object',
      additionalProperties: false,
      properties: { onFailure: destination, onSuccess: destination },
    },
  },
} as const;

const customDomain = {
  type: 'object',
  additionalProperties: false,
  required: ['domainName', 'protocol', 'route'],
  properties: {
    domainName: { type: 'string', pattern: '^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$' },
    protocol: { enum: ['HTTP', 'HTTPS', 'HTTP,HTTPS'] },
    certConfig: {
      type: 'object',
      additionalProperties: false,
      required: ['certName', 'certificate', 'privateKey'],
      properties: {
        certName: { type: 'string', minLength: 1 },
        certificate: { type: 'string', pattern: '-----BEGIN CERTIFICATE-----' },
        privateKey: { type: 'string', pattern: '-----BEGIN [A-Z ]*PRIVATE KEY-----' },
      },
    },
    route: {
      type: 'object',
      additionalProperties: false,
      required: ['path'],
      properties: {
        path: { type: 'string', pattern: '^/' },
        methods: { type: 'array', items: { type: 'string' } },
        qualifier: { type: 'string' },
      },
    },
  },
} as const;

export const fc3PropsSchema = {
  $id: 'oss-direct-upload/fc3-props',
  type: 'object',
  additionalProperties: false,
  required: ['region', 'functionName', 'runtime', 'code', 'handler', 'memorySize', 'cpu', 'diskSize', 'timeout', 'role', 'logConfig', 'environmentVariables', 'triggers'],
  properties: {
    region: { type: 'string', pattern: '^[a-z]{2}-[a-z]+(-\\d+)?$' },
    functionName: { type: 'string', pattern: NAME },
    description: { type: 'string', maxLength: 256 },
    runtime: { type: 'string' },
    code: { type: 'string' },
    handler: { type: 'string', pattern: '^[\\w-]+\\.[A-Za-z_$][\\w$]*$' },
    memorySize: { type: 'integer', minimum: 128, maximum: 32768, multipleOf: 64 },
    cpu: { type: 'number', minimum: 0.05, maximum: 16 },
    diskSize: { enum: [512, 10240] },
    timeout: { type: 'integer', minimum: 1, maximum: 86400 },
    internetAccess: { type: 'boolean' },
    // For the shared credential cache on Tair (commented in s.yaml): IVpcConfig in devsapp/fc3's
    // src/interface/function.ts, `auto` or {vpcId, vSwitchIds, securityGroupId}.
    vpcConfig: {
      oneOf: [
        { const: 'auto' },
        {
          type: 'object',
          additionalProperties: false,
          required: ['vpcId', 'vSwitchIds', 'securityGroupId'],
          properties: {
            vpcId: { type: 'string', pattern: '^vpc-[a-z0-9]+$' },
            vSwitchIds: { type: 'array', minItems: 1, items: { type: 'string', pattern: '^vsw-[a-z0-9]+$' } },
            securityGroupId: { type: 'string', pattern: '^sg-[a-z0-9]+$' },
          },
        },
      ],
    },
    role: { type: 'string', pattern: ROLE_ARN },
    environmentVariables: {
      type: 'object',
      // FC reserves FC_* for its own variables.
      propertyNames: { pattern: '^(?!FC_)[A-Za-z_][A-Za-z0-9_]*$' },
      additionalProperties: { type: 'string' },
    },
    logConfig: {
      oneOf: [
        { const: 'auto' },
        {
          type: 'object',
          additionalProperties: false,
          required: ['project', 'logstore'],
          properties: {
            project: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$' },
            logstore: { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]{1,61}[a-z0-9]$' },
            enableRequestMetrics: { type: 'boolean' },
            enableInstanceMetrics: { type: 'boolean' },
            logBeginRule: { enum: ['DefaultRegex', 'None'] },
          },
        },
      ],
    },
    asyncInvokeConfig,
    triggers: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['triggerType'],
        properties: { triggerType: { enum: ['http', 'oss'] } },
        discriminator: { propertyName: 'triggerType' },
        oneOf: [httpTrigger, ossTrigger],
      },
    },
    customDomain,
  },
} as const;
