/**
 * Inhibition: the worse alert mutes the lesser one about the same thing. Alertmanager compares the
 * `equal` labels' values, and a label absent from both alerts counts as equal, so one rule covers
 * alerts with and without `slo`/`instance`.
 */
import type { Slo } from '../../model/types.js';
import { eq, ne, oneOf, present } from './matchers.js';
import type { InhibitRule } from './types.js';

/**
 * The alert the service rules raise when a scrape target of the service is down (`up == 0`); it
 * carries `service`, `job` and `instance`. src/generate/prometheus/ops/service.ts must use this name.
 */
export const TARGET_DOWN_ALERT = 'ServiceTargetDown';

/**
 * The operational alerts about a service going quiet (src/generate/prometheus/ops/): service-wide, so
 * they carry no `job`/`instance` and the per-target rule below cannot reach them.
 */
const QUIET_SERVICE_ALERTS: readonly string[] = ['HttpTrafficStopped', 'AuditLogSilent'];

/** Same alert, same thing: the labels that tell two severities of one alert apart from other series. */
const SAME_ALERT: readonly string[] = ['alertname', 'service', 'slo', 'job', 'instance'];

export function buildInhibitRules(slos: readonly Slo[]): InhibitRule[] {
  return [
    // A critical alert mutes the warning of the same alert on the same service (and SLO, target).
    { source_matchers: [eq('severity', 'critical')], target_matchers: [eq('severity', 'warning')], equal: SAME_ALERT },
    ...sloPageMutesTicket(slos),
    // A target that is down explains every other alert about that target.
    {
      source_matchers: [eq('alertname', TARGET_DOWN_ALERT)],
      target_matchers: [ne('alertname', TARGET_DOWN_ALERT)],
      equal: ['service', 'job', 'instance'],
    },
    // …and the service's missing-data and gone-quiet alerts: a dead target is why its data stopped.
    {
      source_matchers: [eq('alertname', TARGET_DOWN_ALERT)],
      target_matchers: [oneOf('alertname', [...new Set([...slos.filter((s) => s.alerting.missingDataFor !== undefined).map((s) => s.alerting.missingDataName), ...QUIET_SERVICE_ALERTS])])],
      equal: ['service'],
    },
  ];
}

/**
 * An SLO's page (fast burn) mutes that SLO's ticket (slow burn, missing data): they share `service`
 * and `slo` and differ by severity, which each SLO may configure, so one rule per severity pair used.
 */
function sloPageMutesTicket(slos: readonly Slo[]): InhibitRule[] {
  const pairs = new Map<string, InhibitRule>();
  for (const slo of slos) {
    const { page, ticket } = slo.alerting;
    if (!page || !ticket || page.severity === ticket.severity) continue;
    pairs.set(`${page.severity}>${ticket.severity}`, {
      source_matchers: [eq('severity', page.severity), present('slo')],
      target_matchers: [eq('severity', ticket.severity), present('slo')],
      equal: ['service', 'slo'],
    });
  }
  return [...pairs.values()];
}
