/**
 * Alertmanager: compose/alertmanager/alertmanager.yml and its notification template file, from
 * `alerting` (receivers, severity routes, maintenance windows) and the SLOs (page/ticket severities).
 */
import type { Model } from '../../model/types.js';
import type { GeneratedFile } from '../types.js';
import { buildInhibitRules } from './inhibit.js';
import { buildTimeIntervals } from './maintenance.js';
import { buildReceivers } from './receivers.js';
import { buildRoute, DEFAULT_TIMINGS, type Timings } from './routes.js';
import { TEMPLATE_FILE, TEMPLATE_TEXT } from './templates.js';
import type { AlertmanagerConfig } from './types.js';

export { TARGET_DOWN_ALERT } from './inhibit.js';
export { NO_RECEIVER } from './receivers.js';
export { DEFAULT_TIMINGS, type Timings } from './routes.js';
export type { AlertmanagerConfig } from './types.js';

export const ALERTMANAGER_DIR = 'compose/alertmanager';

export interface AlertmanagerOptions {
  /** Notification pacing; tests shorten it to see deliveries within seconds. */
  readonly timings?: Partial<Timings>;
}

export function generateAlertmanager(model: Model, options: AlertmanagerOptions = {}): GeneratedFile[] {
  const config = alertmanagerConfig(model, options);
  if (!config) return [];
  return [
    { path: `${ALERTMANAGER_DIR}/alertmanager.yml`, content: config },
    { path: `${ALERTMANAGER_DIR}/${TEMPLATE_FILE}`, content: TEMPLATE_TEXT },
  ];
}

/** The configuration as a typed object; undefined when the model has no `alerting`. */
export function alertmanagerConfig(model: Model, options: AlertmanagerOptions = {}): AlertmanagerConfig | undefined {
  const alerting = model.alerting;
  if (!alerting) return undefined;
  const timeIntervals = buildTimeIntervals(alerting.maintenance);
  return {
    // Relative to alertmanager.yml's directory (Alertmanager resolves it so).
    templates: [TEMPLATE_FILE],
    route: buildRoute(alerting, { ...DEFAULT_TIMINGS, ...options.timings }),
    inhibit_rules: buildInhibitRules(model.slos),
    ...(timeIntervals.length > 0 && { time_intervals: timeIntervals }),
    receivers: buildReceivers(alerting.receivers),
  };
}
