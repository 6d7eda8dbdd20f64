/**
 * rules/loki/<service>.rules.yml: LogQL alerting rules for Loki's ruler. They are OpsAlert definitions
 * like the Prometheus ones (same labels and annotations, a runbook each) so runbooks/<AlertName>.md
 * renders from them too; `cases` stay empty — promtool cannot evaluate LogQL.
 */
import { formatDuration, formatNumber } from '../../model/duration.js';
import type { LogsSetup } from '../../model/stack-types.js';
import type { AlertLinks, Service } from '../../model/types.js';
import { alertingRule } from '../prometheus/ops/index.js';
import type { OpsAlert } from '../prometheus/ops/types.js';
import type { PrometheusRuleFile } from '../prometheus/rule-types.js';
import { AUDIT_LABEL } from './pipeline.js';

/** `{service="chat-api", …}`: the service's stream selector (service is a label the pipeline sets). */
export function streams(service: Service, extra = ''): string {
  return `{service=${JSON.stringify(service.name)}${extra}}`;
}

/** Node prints `Node.js v<major>…` as the last line of every crash by an uncaught exception or rejection. */
const CRASH_FOOTER = '^Node\\\\.js v[0-9]+';

export function lokiAlerts(service: Service, logs: LogsSetup): OpsAlert[] {
  const all = streams(service);
  const errors = streams(service, ', level=~"error|fatal"');
  const audit = streams(service, `, ${AUDIT_LABEL}="true"`);
  const perMinute = logs.alerts.errorLinesPerMinute;
  const authLimit = logs.alerts.authFailuresPer5m;
  const silence = formatDuration(logs.alerts.auditSilentFor);
  const authFailures = `${audit} |= "auth_failure" | json event="event" | event="auth_failure"`;
  return [
    {
      name: 'ErrorLogBurst',
      domain: 'service',
      component: 'logs',
      severity: 'warning',
      expr: `sum by (service) (count_over_time(${errors}[5m])) > ${formatNumber(perMinute * 5)}`,
      for: '5m',
      threshold: perMinute * 5,
      summary: 'The service writes error log lines far above its usual rate.',
      description: `${service.name} wrote {{ $value }} error and fatal log lines over the last 5 minutes (threshold ${formatNumber(perMinute)} a minute).`,
      dashboard: 'logs',
      sentry: true,
      runbook: {
        meaning: `More than ${formatNumber(perMinute * 5)} lines at level error or fatal reached Loki within 5 minutes, for 5 minutes.`,
        impact: 'Usually requests failing or a dependency misbehaving; sometimes only noisy logging. Read the lines before judging.',
        confirm: [
          { query: `sum by (level) (count_over_time(${errors}[5m]))`, look: 'LogQL: how many error and fatal lines, and since when.' },
          { query: `${errors} | json | line_format "{{.msg}}"`, look: 'LogQL: the messages; the most frequent one is usually the cause.' },
          { query: `sum(rate(http_server_request_duration_seconds_count{job="${service.selector['job'] ?? service.name}",http_response_status_code=~"5.."}[5m]))`, look: 'PromQL: whether requests fail at the same time.' },
        ],
        causes: ['A dependency (database, cache, model provider) failing or timing out.', 'A bad deploy throwing on a code path.', 'A log statement at the wrong level after a change.'],
        mitigation: ['Follow a line\'s trace_id to the trace in Grafana to see where it fails.', 'Roll back the latest deploy if the errors started with it.', 'Fix the level of lines that are not errors.'],
        escalation: 'Ticket for the owning team; page if the SLO burn alerts fire too.',
      },
      cases: [],
    },
    {
      name: 'UncaughtExceptionLogged',
      domain: 'service',
      component: 'logs',
      severity: 'critical',
      expr: `(sum by (service) (count_over_time(${streams(service, ', level="fatal"')}[5m])) or sum by (service) (count_over_time(${all} |~ "${CRASH_FOOTER}" [5m]))) > 0`,
      for: '0m',
      summary: 'The service logged a fatal error or crashed on an uncaught exception.',
      description: `${service.name} wrote {{ $value }} fatal or crash lines over the last 5 minutes.`,
      dashboard: 'logs',
      sentry: true,
      runbook: {
        meaning: 'A line at level fatal, or the `Node.js v…` footer Node prints when an uncaught exception or unhandled rejection ends the process, reached Loki.',
        impact: 'The process died: in-flight requests failed, and a crash loop means an outage.',
        confirm: [
          { query: `${all} |~ "${CRASH_FOOTER}"`, look: 'LogQL: the crash footers; the stack trace is in the lines just before each (open the context).' },
          { query: `${streams(service, ', level="fatal"')}`, look: 'LogQL: fatal lines with their err.message and err.stack.' },
        ],
        causes: ['A thrown error outside any request handler (timer, event emitter, stream).', 'A promise rejected without a handler.', 'Out of memory or a failed startup check.'],
        mitigation: ['Open the Sentry issue of the exception: it carries the stack trace and release.', 'Roll back if it started with a deploy; otherwise fix the missing error handling.'],
        escalation: 'Page the owning team when it repeats (crash loop); ticket for a single occurrence.',
      },
      cases: [],
    },
    {
      name: 'AuthFailureLogBurst',
      domain: 'security',
      component: 'audit',
      severity: 'warning',
      expr: `sum by (service) (count_over_time(${authFailures} [5m])) > ${formatNumber(authLimit)}`,
      for: '5m',
      threshold: authLimit,
      summary: 'The audit log shows a burst of authentication failures.',
      description: `${service.name} audited {{ $value }} authentication failures over the last 5 minutes (threshold ${formatNumber(authLimit)}).`,
      dashboard: 'logs',
      runbook: {
        meaning: `More than ${formatNumber(authLimit)} audit lines with event "auth_failure" within 5 minutes, for 5 minutes.`,
        impact: 'A credential-stuffing or brute-force attempt, or legitimate users locked out by a broken login.',
        confirm: [
          { query: `sum by (reason) (count_over_time(${authFailures} | json reason="reason" [5m]))`, look: 'LogQL: the reasons (invalid_token, expired_jwt, …).' },
          { query: `${authFailures}`, look: 'LogQL: the audit lines themselves, with their trace_id.' },
        ],
        causes: ['Credential stuffing or brute force from a few clients.', 'An expired signing key or a misconfigured identity provider.', 'A client shipped with a wrong token.'],
        mitigation: ['Block the offending clients at the proxy or WAF.', 'Rotate or restore the signing key if every login fails.'],
        escalation: 'Ticket for the owning team; involve security when it looks like an attack.',
      },
      cases: [],
    },
    {
      name: 'AuditLogStreamSilent',
      domain: 'security',
      component: 'audit',
      severity: 'warning',
      // Only services that audited within the last day: one that never audits is not silent.
      expr: `absent_over_time(${audit}[${silence}]) and on () sum(count_over_time(${audit}[1d])) > 0`,
      for: '15m',
      summary: 'No audit line has reached Loki for a long time.',
      description: `No line of ${service.name}'s audit stream reached Loki for ${silence}.`,
      dashboard: 'logs',
      runbook: {
        meaning: `Loki received no line labelled ${AUDIT_LABEL}="true" from the service for ${silence}, although it received some within the last day: the audit trail is not being stored.`,
        impact: `Security-relevant actions go unrecorded (audit lines are kept ${formatDuration(logs.auditRetention)}): a compliance gap.`,
        confirm: [
          { query: `sum(count_over_time(${audit}[1h]))`, look: 'LogQL: when the last audit lines arrived.' },
          { query: `sum(count_over_time(${all}[5m]))`, look: 'LogQL: whether any line of the service arrives at all (then the collector is down, not the audit logger).' },
          { query: 'sum(increase(obs_audit_events_total[1h]))', look: 'PromQL: whether the SDK still writes audit lines (AuditLogSilent watches this).' },
        ],
        causes: ['Alloy (or Promtail) stopped, or lost access to the Docker socket or log files.', 'The service container lost its obs.logs=true label.', 'The service stopped writing audit lines (see AuditLogSilent).'],
        mitigation: ['Restart the collector and check its targets page.', 'Check the container labels and the log file mount.'],
        escalation: 'Ticket for the platform team; inform the compliance owner when it lasted.',
      },
      cases: [],
    },
  ];
}

export function lokiRuleFile(service: Service, logs: LogsSetup, links: AlertLinks): PrometheusRuleFile {
  return { groups: [{ name: `obs-loki-${service.name}`, rules: lokiAlerts(service, logs).map((a) => alertingRule(a, service, links)) }] };
}
