/**
 * Fixtures of the stack tests (compose, loki, sentry wiring, kubernetes): the example model from
 * obs.config.ts with a `stack` resolved from the given sections, and a writer that puts generated
 * files on disk the way the bundle has them (YAML, JSON, or text as is).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import type { GeneratedFile } from '../src/generate/types.js';
import { resolveModel } from '../src/model/resolve.js';
import { resolveStack, type StackSections } from '../src/model/stack.js';
import type { Stack } from '../src/model/stack-types.js';
import type { Model } from '../src/model/types.js';
import { loadConfig } from '../src/spec/load.js';
import { kubernetesSpec, logsSpec, sentrySpec, stackSpec } from '../src/spec/stack-schema.js';
import { ROOT } from './helpers.js';

export type StackModel = Model & { readonly stack: Stack };

let example: Model | undefined;

/** The model of obs.config.ts (the example AI chat API), loaded once. */
export async function exampleModel(): Promise<Model> {
  if (!example) {
    const loaded = await loadConfig(join(ROOT, 'obs.config.ts'), ROOT);
    example = resolveModel(loaded.source, loaded.documents);
  }
  return example;
}

export interface SectionsInput {
  readonly stack?: unknown;
  readonly logs?: unknown;
  readonly sentry?: unknown;
  readonly kubernetes?: unknown;
}

/** The model with a stack resolved from config sections (validated by the real schemas). */
export function withStack(model: Model, sections: SectionsInput = {}): StackModel {
  const config: StackSections = {
    service: { name: model.services[0]!.name },
    ...(sections.stack !== undefined && { stack: stackSpec.parse(sections.stack) }),
    ...(sections.logs !== undefined && { logs: logsSpec.parse(sections.logs) }),
    ...(sections.sentry !== undefined && { sentry: sentrySpec.parse(sections.sentry) }),
    ...(sections.kubernetes !== undefined && { kubernetes: kubernetesSpec.parse(sections.kubernetes) }),
  };
  const { stack, issues } = resolveStack([{ config, native: true }], model.slos);
  if (issues.length > 0 || !stack) throw new Error(`stack fixture invalid: ${JSON.stringify(issues)}`);
  return { ...model, stack };
}

/** Text of a generated file as the bundle holds it. */
export function fileText(file: GeneratedFile): string {
  if (typeof file.content === 'string') return file.content;
  if (file.path.endsWith('.json')) return `${JSON.stringify(file.content, null, 2)}\n`;
  return stringify(file.content, { lineWidth: 0, aliasDuplicateObjects: false });
}

/** Writes files under `dir` at their bundle paths. */
export function writeFiles(dir: string, files: readonly GeneratedFile[]): void {
  for (const file of files) {
    const path = join(dir, file.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, fileText(file), { mode: file.path.endsWith('.sh') ? 0o755 : 0o644 });
  }
}
