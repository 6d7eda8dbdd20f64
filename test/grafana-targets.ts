/** Shared by the dashboard tests: the example model, every panel target, and Grafana's variables substituted. */
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { buildDashboards } from '../src/generate/grafana/index.js';
import { resolveModel } from '../src/model/resolve.js';
import type { Model } from '../src/model/types.js';
import type { ObsConfig } from '../src/spec/schema.js';
import { validateConfig } from '../src/spec/validate.js';
import { join } from 'node:path';
import { loadConfig } from '../src/spec/load.js';
import { ROOT } from './helpers.js';

// Moved to src/ for `obs verify`, which queries every dashboard target of a live Prometheus.
export { substitute, type Target, targetsOf } from '../src/verify/dashboard-targets.js';

/** A config written for obs (`native`: it has ops) or as an import would give it (no ops). */
export function modelOf(config: ObsConfig, native = true): Model {
  return resolveModel('obs.config.ts', [{ config: validateConfig(config, 'obs.config.ts'), native }]);
}

/** The example obs.config.ts, loaded as `obs generate` loads it. */
export async function exampleModel(): Promise<Model> {
  const loaded = await loadConfig(join(ROOT, 'obs.config.ts'), ROOT);
  return resolveModel(loaded.source, loaded.documents);
}

export interface PanelJson {
  readonly id?: number;
  readonly type: string;
  readonly title?: string;
  readonly description?: string;
  readonly datasource?: { type?: string; uid?: string };
  readonly targets?: { expr?: string; refId?: string; datasource?: { type?: string; uid?: string }; exemplar?: boolean }[];
  readonly fieldConfig?: { defaults?: { unit?: string; min?: number; max?: number } };
  readonly panels?: PanelJson[];
}

/** Every panel, rows' nested panels included. */
export function panelsOf(dashboard: Dashboard): PanelJson[] {
  const out: PanelJson[] = [];
  const walk = (panels: readonly PanelJson[]) => {
    for (const panel of panels) {
      out.push(panel);
      if (panel.panels) walk(panel.panels);
    }
  };
  walk((dashboard.panels ?? []) as PanelJson[]);
  return out;
}

export const exampleDashboards = async (): Promise<Dashboard[]> => buildDashboards(await exampleModel());
