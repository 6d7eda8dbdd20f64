/**
 * Logs and security: error logs and the audit trail from Loki (trace ids link to the trace backend
 * through the Loki datasource's derived field), beside the SDK's security-event counters.
 */
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import type { Service } from '../../../model/types.js';
import { labelMatchers } from '../../../promql/build.js';
import { auditEventRate, auditLogRate, auditLogs, errorLogRate, httpRateLimitedRatio, problemLogs, securityEventRate } from '../../queries/index.js';
import {
  badAbove,
  buildDashboard,
  jobInstanceVariables,
  LOKI_RANGE,
  lokiDatasourceVariable,
  lokiTimeseriesPanel,
  logsPanel,
  prometheusDatasourceVariable,
  RATE_INTERVAL,
  serviceScope,
  timeseriesPanel,
} from '../kit.js';
import { percent } from '../words.js';

export function logsDashboard(service: Service): Dashboard {
  const t = service.ops!.thresholds;
  const sel = serviceScope(service);
  const events = (event: 'auth_failure' | 'access_denied' | 'rate_limited', title: string, what: string) =>
    timeseriesPanel({
      title,
      description: `${what} per second by reason (obs_security_events_total{event="${event}"}). Good: low and steady; a spike is an attack or a broken client.`,
      unit: 'ops',
      min: 0,
      width: 8,
      queries: [{ expr: securityEventRate(sel, RATE_INTERVAL, event, ['reason']), legend: '{{reason}}' }],
    });
  return buildDashboard({
    service,
    kind: 'logs',
    title: `${service.name} / Logs and security`,
    description: `Error logs and the audit trail of ${service.name} from Loki, beside the SDK's security events.`,
    variables: [prometheusDatasourceVariable(), lokiDatasourceVariable(), ...jobInstanceVariables(labelMatchers(service.selector))],
    rows: [
      {
        title: 'Security events (obs SDK)',
        panels: [
          events('auth_failure', 'Authentication failures', '401 answers and failed logins'),
          events('access_denied', 'Access denied', '403 answers and refused permissions'),
          events('rate_limited', 'Rate limiting', '429 answers'),
          timeseriesPanel({
            title: 'Rate-limited ratio (429)',
            description: `Share of requests answered 429. Good: under ${percent(t.http.rateLimitedRatio)} (dashed line, the alert's threshold).`,
            unit: 'percentunit',
            min: 0,
            width: 8,
            thresholds: badAbove(t.http.rateLimitedRatio),
            queries: [{ expr: httpRateLimitedRatio(sel, RATE_INTERVAL), legend: '429 share' }],
          }),
          timeseriesPanel({
            title: 'Audit lines written',
            description: 'Lines per second written to the audit logger (obs_audit_events_total). Good: follows traffic; silence while requests flow means the audit trail is broken.',
            unit: 'ops',
            min: 0,
            width: 8,
            queries: [{ expr: auditLogRate(sel, RATE_INTERVAL), legend: 'audit lines' }],
          }),
          timeseriesPanel({
            title: 'All security events',
            description: 'Every security event per second by event (auth_failure, access_denied, rate_limited, config_error). Good: config_error at zero.',
            unit: 'ops',
            min: 0,
            width: 8,
            queries: [{ expr: securityEventRate(sel, RATE_INTERVAL, undefined, ['event']), legend: '{{event}}' }],
          }),
        ],
      },
      {
        title: 'Logs (Loki)',
        panels: [
          lokiTimeseriesPanel({
            title: 'Error logs',
            description: 'Log lines per second at error and fatal level. Good: near zero; compare with the 5xx ratio on the service overview.',
            unit: 'short',
            min: 0,
            queries: [{ expr: errorLogRate(service.name, LOKI_RANGE), legend: '{{level}}' }],
          }),
          lokiTimeseriesPanel({
            title: 'Audit events',
            description: 'Audit-trail lines per second by `event` (obs.audit). Good: the usual shape; a burst of auth_failure or access_denied is worth a look.',
            unit: 'short',
            min: 0,
            queries: [{ expr: auditEventRate(service.name, LOKI_RANGE), legend: '{{event}}' }],
          }),
          logsPanel({
            title: 'Warnings and errors',
            description: 'Warning, error and fatal lines, newest first. Expand a line: its trace_id links to the trace.',
            queries: [{ expr: problemLogs(service.name) }],
          }),
          logsPanel({
            title: 'Audit trail',
            description: 'The security audit trail (lines logged with obs.audit), newest first.',
            queries: [{ expr: auditLogs(service.name) }],
          }),
        ],
      },
    ],
  });
}
