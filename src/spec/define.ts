import type { ObsConfig } from './schema.js';

/** Types your obs.config.ts. It returns its argument unchanged; validation happens when obs loads it. */
export function defineConfig(config: ObsConfig): ObsConfig {
  return config;
}
