import type { Model } from '../model/types.js';
import { generatePrometheusSlo } from './prometheus/index.js';
import type { GeneratedFile } from './types.js';

export type { GeneratedFile } from './types.js';

/** Every artefact of the bundle, in a stable order. Pure: model in, objects out. */
export function generateBundle(model: Model): GeneratedFile[] {
  return [...generatePrometheusSlo(model)].sort((a, b) => a.path.localeCompare(b.path));
}
