/**
 * The routing tree: alerts grouped by alertname, service and SLO; one route per (severity, receiver)
 * so amtool's `--verify.receivers` names the real receivers; `continue: true` between the receivers of
 * one severity. Severities routed to no receiver go to `none` explicitly, and an alert without a known
 * severity is routed like a warning (to the critical receivers when warnings go nowhere) rather than
 * vanishing: a mislabelled alert must still reach a human.
 */
import type { Alerting, ReceiverKind, Severity } from '../../model/types.js';
import { eq, noneOf } from './matchers.js';
import { muteRoutes } from './maintenance.js';
import { NO_RECEIVER } from './receivers.js';
import type { Matcher, Route } from './types.js';

export const GROUP_BY: readonly string[] = ['alertname', 'service', 'slo'];
export const SEVERITIES: readonly Severity[] = ['critical', 'warning', 'info'];

/** Alertmanager's notification pacing; tests shorten it. */
export interface Timings {
  readonly groupWait: string;
  readonly groupInterval: string;
  readonly repeatInterval: string;
}

export const DEFAULT_TIMINGS: Timings = { groupWait: '30s', groupInterval: '5m', repeatInterval: '4h' };

export function buildRoute(alerting: Alerting, timings: Timings): Route {
  const routes: Route[] = [];
  for (const severity of SEVERITIES) {
    routes.push(...severityRoutes(alerting, [eq('severity', severity)], alerting.routes[severity], severity));
  }
  routes.push(...severityRoutes(alerting, [noneOf('severity', SEVERITIES)], unknownSeverityKinds(alerting), undefined));
  return {
    receiver: NO_RECEIVER,
    group_by: GROUP_BY,
    group_wait: timings.groupWait,
    group_interval: timings.groupInterval,
    repeat_interval: timings.repeatInterval,
    routes,
  };
}

/** Where an alert without a known severity goes: the ticket receivers, else the page receivers. */
export function unknownSeverityKinds(alerting: Alerting): readonly ReceiverKind[] {
  if (alerting.routes.warning.length > 0) return alerting.routes.warning;
  return alerting.routes.critical;
}

function severityRoutes(
  alerting: Alerting,
  matchers: readonly Matcher[],
  kinds: readonly ReceiverKind[],
  severity: Severity | undefined,
): Route[] {
  if (kinds.length === 0) return [{ matchers, receiver: NO_RECEIVER }];
  const mutes = muteRoutes(alerting.maintenance, severity);
  const unique = [...new Set(kinds)];
  return unique.map((kind, i) => {
    if (!alerting.receivers[kind]) {
      throw new Error(`alerting.routes sends ${severity ?? 'unknown-severity'} alerts to ${kind}, which has no alerting.receivers.${kind}`);
    }
    return {
      matchers,
      receiver: kind,
      ...(i < unique.length - 1 && { continue: true }),
      ...(mutes.length > 0 && { routes: mutes }),
    };
  });
}
