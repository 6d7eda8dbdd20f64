/**
 * The runnable stack: compose/docker-compose.yml, compose/prometheus/prometheus.yml, the trace backend's
 * config and exporters/<name>/. Loki, Alloy and Promtail configs come from ../loki; Alertmanager's and
 * Grafana's from their own generators (the compose file mounts them).
 */
import type { WithStack } from '../../model/stack-types.js';
import type { Model } from '../../model/types.js';
import { CONTAINER_PATHS } from '../stack-ids.js';
import type { GeneratedFile } from '../types.js';
import { exporterConfigFiles } from './exporters.js';
import { prometheusConfig } from './prometheus.js';
import { COMPOSE_PATHS, composeFile, receiverSecretFiles } from './services.js';
import { TEMPO_CONFIG } from './tempo.js';

export { COMPOSE_PATHS } from './services.js';
export { prometheusConfig, RULE_FILES_GLOB } from './prometheus.js';
export type { ComposeFile, PrometheusConfig } from './types.js';

export function generateCompose(model: Model & WithStack): GeneratedFile[] {
  const stack = model.stack;
  if (!stack) return [];
  const warnings = secretWarnings(model);
  return [
    { path: COMPOSE_PATHS.compose, content: composeFile(model, stack), ...(warnings.length > 0 && { warnings }) },
    { path: COMPOSE_PATHS.prometheus, content: prometheusConfig(model, stack) },
    { path: COMPOSE_PATHS.tempo, content: TEMPO_CONFIG },
    ...exporterConfigFiles(model),
  ];
}

/** Receiver secret files must be inside the directory compose mounts into Alertmanager. */
function secretWarnings(model: Model): string[] {
  return receiverSecretFiles(model)
    .filter(({ file }) => !file.startsWith(`${CONTAINER_PATHS.alertmanagerSecrets}/`))
    .map(({ field, file }) => `${field}: ${file} is outside ${CONTAINER_PATHS.alertmanagerSecrets}/, the directory compose mounts into Alertmanager (from $ALERTMANAGER_SECRETS_DIR)`);
}
