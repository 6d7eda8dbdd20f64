/**
 * LogQL over the SDK's JSON logs (pino: `level` as a string, `msg`, `service`, `trace_id`, and
 * `audit: true` on the audit trail). Streams are selected by `service_name`, which Loki 3 fills in from
 * the `service`/`service_name`/`app`/`job`/`container` labels that Alloy or Promtail attach.
 */
import { quote } from '../../promql/build.js';

/** The service's log streams. */
export function serviceStream(service: string): string {
  return `{service_name=${quote(service)}}`;
}

/** Log lines per second at error level and above, over the range (`$__auto` in panels). */
export function errorLogRate(service: string, range: string): string {
  return `sum by (level) (rate(${serviceStream(service)} | json | level=~"error|fatal" [${range}]))`;
}

/** Audit-trail lines per second by `event` (obs.audit lines carry `event`: auth_failure, access_denied…). */
export function auditEventRate(service: string, range: string, event?: string): string {
  const filter = event === undefined ? '' : ` | event=${quote(event)}`;
  return `sum by (event) (rate(${serviceStream(service)} | json | audit="true"${filter} [${range}]))`;
}

/** Warning and error lines, newest first, for the logs panel (trace ids link to the trace backend). */
export function problemLogs(service: string): string {
  return `${serviceStream(service)} | json | level=~"warn|error|fatal"`;
}

/** The audit trail itself. */
export function auditLogs(service: string): string {
  return `${serviceStream(service)} | json | audit="true"`;
}
