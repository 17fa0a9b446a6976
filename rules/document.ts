// The storage rules file (storage.rules.yaml, or .json) as it is written: its shape, and the JSON
// schema it is checked against before anything else reads it. The README's "Storage rules" section
// documents every field.

import { RULE_ACTIONS, type RuleAction } from '../shared/api/types';
import { UPLOAD_PATHS } from '../shared/policy/rules';
import type { WriteRules } from '../shared/policy/storage-rules';

/** One entry of the rules file: a path, who may do what under it, and limits for writes there. */
export interface RuleEntry {
  path: string;
  allow: {
    guest?: RuleAction[];
    authenticated?: RuleAction[];
    owner?: RuleAction[];
    groups?: Record<string, RuleAction[]>;
  };
  write?: WriteRules;
}

/** The rules file. */
export interface RulesDocument {
  version: 1;
  /** The JWT claim holding the caller's groups (a string or an array of strings). */
  groupsClaim?: string;
  /** How many values of one claim a placeholder takes (default DEFAULT_MAX_CLAIM_VALUES). */
  maxClaimValues?: number;
  /** Write limits every rule starts from, over the environment's (UPLOAD_CONTENT_TYPES…). */
  defaults?: WriteRules;
  rules: RuleEntry[];
}

export const DEFAULT_MAX_CLAIM_VALUES = 4;
/** OSS's largest single upload, and so the largest size a limit may name, in bytes (5 GiB). */
const MAX_OBJECT = 5 * 1024 ** 3;

const actions = { type: 'array', items: { enum: [...RULE_ACTIONS] }, uniqueItems: true, minItems: 1 };

const write = {
  type: 'object',
  additionalProperties: false,
  properties: {
    contentTypes: { type: 'array', items: { type: 'string', minLength: 3, maxLength: 255 }, minItems: 1, uniqueItems: true },
    minSize: { type: 'integer', minimum: 0, maximum: MAX_OBJECT },
    maxSize: { type: 'integer', minimum: 1, maximum: MAX_OBJECT },
    overwrite: { type: 'boolean' },
    uploadPaths: { type: 'array', items: { enum: [...UPLOAD_PATHS] }, minItems: 1, uniqueItems: true },
    // STS's longest session (43200 s) halves to this.
    maxExpiresSeconds: { type: 'integer', minimum: 1, maximum: 21600 },
    requireFilename: { type: 'boolean' },
  },
};

/** The JSON schema of a rules file (draft-07, as Ajv checks it by default). */
export const RULES_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['version', 'rules'],
  properties: {
    version: { const: 1 },
    groupsClaim: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_:.-]{0,63}$' },
    maxClaimValues: { type: 'integer', minimum: 1, maximum: 16 },
    defaults: write,
    rules: {
      type: 'array',
      minItems: 1,
      maxItems: 100,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['path', 'allow'],
        properties: {
          path: { type: 'string', minLength: 3, maxLength: 512 },
          allow: {
            type: 'object',
            additionalProperties: false,
            minProperties: 1,
            properties: {
              guest: actions,
              authenticated: actions,
              owner: actions,
              groups: { type: 'object', minProperties: 1, propertyNames: { pattern: '^[A-Za-z0-9_.@:-]{1,64}$' }, additionalProperties: actions },
            },
          },
          write,
        },
      },
    },
  },
} as const;
