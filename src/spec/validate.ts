import { ConfigError, fromZodIssues } from './errors.js';
import { configSpec, type ObsConfig, type ValidConfig } from './schema.js';

/** Validates a config object as `obs generate` does; throws ConfigError listing every problem. */
export function validateConfig(config: ObsConfig, source = 'obs.config.ts'): ValidConfig {
  const parsed = configSpec.safeParse(config);
  if (!parsed.success) throw new ConfigError(source, fromZodIssues(configSpec, parsed.error, config));
  return parsed.data as ValidConfig;
}
