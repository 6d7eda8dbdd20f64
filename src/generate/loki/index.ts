/**
 * Logs: Loki's config, the collectors (Alloy by default, Promtail for setups still on it) and the LogQL
 * alerting rules of every service written for obs (imported specs have no logs of the SDK).
 */
import type { WithStack } from '../../model/stack-types.js';
import type { Model } from '../../model/types.js';
import { COMPOSE_PATHS } from '../compose/services.js';
import type { RunbookEntry } from '../runbooks/index.js';
import type { GeneratedFile } from '../types.js';
import { alloyConfig } from './alloy.js';
import { lokiConfig } from './loki-config.js';
import { promtailConfig } from './promtail.js';
import { lokiAlerts, lokiRuleFile } from './rules.js';

export { lokiAlerts, lokiRuleFile } from './rules.js';
export { LABEL_FIELDS, METADATA_FIELDS, EXTRACTED_FIELDS } from './pipeline.js';

export const LOKI_RULES_PATH = (service: string) => `${COMPOSE_PATHS.lokiRules}/${service}.rules.yml`;

export function generateLoki(model: Model & WithStack): GeneratedFile[] {
  const stack = model.stack;
  if (!stack) return [];
  const links = model.alerting?.links ?? {};
  return [
    { path: COMPOSE_PATHS.loki, content: lokiConfig(stack.logs) },
    { path: COMPOSE_PATHS.alloy, content: alloyConfig() },
    { path: COMPOSE_PATHS.promtail, content: promtailConfig() },
    ...model.services.filter((s) => s.ops).map((s) => ({ path: LOKI_RULES_PATH(s.name), content: lokiRuleFile(s, stack.logs, links) })),
  ];
}

/** The LogQL alerts as runbooks/<AlertName>.md entries (generateRunbooks adds them to its own). */
export function lokiRunbookEntries(model: Model & WithStack): RunbookEntry[] {
  const stack = model.stack;
  if (!stack) return [];
  return model.services
    .filter((s) => s.ops)
    .flatMap((service) =>
      lokiAlerts(service, stack.logs).map((alert) => ({
        name: alert.name,
        summary: alert.summary,
        runbook: alert.runbook,
        rules: [{ who: `${service.name} (Loki ruler, ${LOKI_RULES_PATH(service.name)})`, severity: alert.severity, expr: alert.expr, for: alert.for }],
      })),
    );
}
