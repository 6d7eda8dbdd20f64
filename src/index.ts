/** obs: one typed SLO definition in; Prometheus rules, promtool tests and more out. */
import { generateBundle } from './generate/index.js';
import { resolveModel } from './model/resolve.js';
import type { ObsConfig } from './spec/schema.js';
import { validateConfig } from './spec/validate.js';
import { type RenderedFile, renderBundle } from './write/render.js';

export { defineConfig } from './spec/define.js';
export type { ObsConfig, SloSpec, SliSpec, AlertingSpec } from './spec/schema.js';
export { ConfigError } from './spec/errors.js';
export { validateConfig } from './spec/validate.js';
export { loadConfig, findConfigFile } from './spec/load.js';
export { resolveModel } from './model/resolve.js';
export { generateBundle } from './generate/index.js';
export { renderBundle, type RenderedFile } from './write/render.js';
export { writeBundle, checkBundle } from './write/write.js';
export type { Model, Slo, Sli, Service } from './model/types.js';

export interface GenerateResult {
  readonly files: readonly RenderedFile[];
  readonly warnings: readonly string[];
}

/**
 * Generates the bundle for a config object, in memory: validated, resolved, rendered with headers.
 * Throws ConfigError (its message lists every problem) on invalid input. Write it with writeBundle().
 */
export function generate(config: ObsConfig, options: { source?: string } = {}): GenerateResult {
  const source = options.source ?? 'obs.config.ts';
  const model = resolveModel(source, [{ config: validateConfig(config, source), native: true }]);
  const files = generateBundle(model);
  return { files: renderBundle(files, source), warnings: files.flatMap((f) => f.warnings ?? []) };
}
