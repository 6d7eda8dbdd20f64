import type { Model } from '../model/types.js';
import { generatePrometheusSlo } from './prometheus/index.js';
import { generateOpsAlerts } from './prometheus/ops/index.js';
import { generateRunbooks } from './runbooks/index.js';
import { generateAlertmanager } from './alertmanager/index.js';
import { generateCompose } from './compose/index.js';
import { generateGrafana } from './grafana/index.js';
import { generateKubernetes } from './kubernetes/index.js';
import { generateLoki } from './loki/index.js';
import { generateSentry } from './sentry/index.js';
import type { GeneratedFile } from './types.js';

export type { GeneratedFile } from './types.js';

/** Every artefact of the bundle, in a stable order. Pure: model in, objects out. */
export function generateBundle(model: Model): GeneratedFile[] {
  const grafana = generateGrafana(model);
  return [
    ...generatePrometheusSlo(model),
    ...generateOpsAlerts(model),
    ...generateRunbooks(model),
    ...generateAlertmanager(model),
    ...grafana,
    ...generateCompose(model),
    ...generateLoki(model),
    ...generateSentry(model),
    // the same dashboards again as ConfigMaps: built once
    ...generateKubernetes(model, grafana),
  ].sort((a, b) => a.path.localeCompare(b.path));
}
