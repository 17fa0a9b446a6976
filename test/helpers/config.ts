// Configurations for tests: an environment map in, the handlers' configuration out. Nothing is
// written to process.env; the secrets a test configures are told to the log audit, which then
// recognises them in a log line as it does secrets in the environment.

import { type Config, configFrom, type ConfigSource, type Env } from '../../shared/config';
import type { Rules } from '../../shared/policy/rules';
import { noteConfiguredEnv } from '../setup/leaks';

/** A callback MAC key for configurations that pin a callback (CALLBACK_URL needs one). */
export const TEST_MAC_KEY = Buffer.alloc(32, 0x5a).toString('base64');

/** What a handler is configured from: `env`, read on its first request (a ConfigError then answers 500 Misconfigured). */
export function configOf(env: Env): ConfigSource {
  noteConfiguredEnv(env);
  return configFrom(env);
}

/** A configuration's upload rules (what the fuzz and property tests compile grants under). */
export function rulesFromConfig(config: Config): Rules {
  return config.rules;
}

/**
 * A configuration a test switches between cases: hand `source` to the handler, call `configure` to
 * give it another environment (a new configuration, as a fresh instance would read: empty caches).
 */
export function switchableConfig(env: Env = {}): { source: ConfigSource; configure(env: Env): void } {
  let current = configOf(env);
  return {
    source: () => current(),
    configure(next) {
      current = configOf(next);
    },
  };
}
