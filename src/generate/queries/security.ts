/** Security events the SDK counts (401, 403 and 429 answers automatically; others by obs.security.record). */
import { auditEvents, securityEvents } from '../../catalog/sdk-metrics.js';
import { eq } from '../../promql/build.js';
import { rateOf, type Selector } from './common.js';

export type SecurityEventName = 'auth_failure' | 'access_denied' | 'rate_limited' | 'config_error';

/** Events per second, by event and reason (AuthFailureSpike and friends judge one event). */
export function securityEventRate(sel: Selector, range: string, event?: SecurityEventName, by: readonly string[] = ['event', 'reason']): string {
  return rateOf(securityEvents.name, event ? [...sel, eq('event', event)] : sel, range, by);
}

/** Lines written to the audit logger per second (AuditLogSilent judges its absence). */
export function auditLogRate(sel: Selector, range: string): string {
  return rateOf(auditEvents.name, sel, range);
}
