/**
 * Security alerts from obs_security_events_total (counted by the SDK's HTTP adapters and by
 * obs.security.record) and the audit trail's line counter: spikes of failed authentication, denied
 * access and rate limiting, configuration errors, and an audit log gone silent while traffic flows.
 */
import { auditEvents, httpServerRequestDuration, securityEvents } from '../../../catalog/sdk-metrics.js';
import { formatNumber } from '../../../model/duration.js';
import type { Service } from '../../../model/types.js';
import { eq, labelMatchers } from '../../../promql/build.js';
import { earlier } from '../../queries/common.js';
import { httpRequestRate } from '../../queries/http.js';
import { auditLogRate, securityEventRate } from '../../queries/security.js';
import { countOver, counter, fires, healthy, input, own, type Segment } from './build.js';
import type { OpsAlert } from './types.js';

/** A spike: the last 5 minutes' rate is this multiple of the hour before them… */
const SPIKE_FACTOR = 3;
/** …and at least this many events per second (30 in 5 minutes), so a handful of typos is not an attack. */
const SPIKE_FLOOR = 0.1;
/** Audit silence worth an alert while requests are served. */
const AUDIT_SILENCE = '1h';

type SpikeEvent = 'auth_failure' | 'access_denied' | 'rate_limited';

export function securityAlerts(service: Service): OpsAlert[] {
  return [
    spike(service, 'AuthFailureSpike', 'auth_failure', {
      summary: 'Failed authentications against the service spiked.',
      what: 'failed authentications (invalid or expired tokens, wrong credentials, 401 answers)',
      impact: 'Possibly a credential-stuffing or token-guessing attack; or legitimate users locked out by an expired key or a broken identity provider.',
      causes: ['Credential stuffing or brute force from a few sources.', 'An identity provider outage or rotated signing keys (every token fails).', 'A client deployed with an expired or wrong API key.'],
      mitigation: ['Find the sources in the audit log and block or rate-limit them.', 'Check the identity provider and the JWT signing keys.', 'Contact the client whose key fails.'],
    }),
    spike(service, 'AccessDeniedSpike', 'access_denied', {
      summary: 'Denied access attempts against the service spiked.',
      what: 'authorisation denials (403 answers, failed permission checks)',
      impact: 'Possibly someone probing for resources they may not see; or users losing access after a permissions change.',
      causes: ['Enumeration or probing of other tenants\' resources.', 'A role or policy change that removed legitimate access.', 'A client calling endpoints it was never granted.'],
      mitigation: ['Read the audit log for the principals and resources denied.', 'Revert a recent permissions change if legitimate users are denied.', 'Block the source if it is probing.'],
    }),
    spike(service, 'RateLimitedSpike', 'rate_limited', {
      summary: 'Rate-limited requests against the service spiked.',
      what: 'requests rejected by the rate limiter (429 answers)',
      impact: 'Possibly a flood or scraping attempt; legitimate clients may be throttled with it.',
      causes: ['A bot or scraper, or a denial-of-service attempt.', 'A client retry storm.', 'A limit lowered by a config change.'],
      mitigation: ['Find the client (audit and access logs) and block it at the proxy.', 'Tighten limits per client rather than globally.'],
    }),
    configErrors(service),
    auditSilent(service),
  ];
}

interface SpikeText {
  readonly summary: string;
  readonly what: string;
  readonly impact: string;
  readonly causes: readonly string[];
  readonly mitigation: readonly string[];
}

function spike(service: Service, name: string, event: SpikeEvent, text: SpikeText): OpsAlert {
  const events = own(service, securityEvents.name, [eq('event', event)]);
  // The logs and security dashboard plots the same builder per event (by reason).
  const sel = labelMatchers(service.selector);
  const now = securityEventRate(sel, '5m', event, []);
  // `or vector(0)`: an attack on a service that never saw this event before has no series an hour ago.
  const before = `(${earlier(securityEventRate(sel, '1h', event, []), '5m')} or vector(0))`;
  const series = (segments: readonly Segment[]) => [input(service, securityEvents.name, { event, reason: 'example' }, counter(...segments))];
  return {
    name,
    domain: 'security',
    component: event === 'rate_limited' ? 'rate_limit' : event === 'auth_failure' ? 'authentication' : 'authorization',
    severity: 'warning',
    expr: `${now} > ${SPIKE_FACTOR} * ${before}\nand\n${now} > ${formatNumber(SPIKE_FLOOR)}`,
    for: '5m',
    summary: text.summary,
    description: `${service.name} records {{ $value | humanize }} ${event} events per second over the last 5 minutes, more than ${SPIKE_FACTOR}× the hour before.`,
    // The security-event panels are on the logs and security dashboard.
    dashboard: 'logs',
    runbook: {
      meaning: `The rate of ${text.what} over the last 5 minutes is more than ${SPIKE_FACTOR}× that of the hour before and above ${formatNumber(SPIKE_FLOOR * 300)} events in 5 minutes, for 5 minutes.`,
      impact: text.impact,
      confirm: [
        { query: `sum by (reason) (rate(${events}[5m]))`, look: 'The reasons recorded (invalid_token, http_401, …).' },
        { query: `{service="${service.name}"} | json | audit="true"`, look: 'LogQL: the audit trail around the spike, with the principals and sources.' },
      ],
      causes: text.causes,
      mitigation: text.mitigation,
      escalation: 'Ticket for the owning team; involve the security team when it looks like an attack.',
    },
    cases: [
      fires('from 3 to 60 events a minute', series([{ minutes: 70, perMinute: 3 }, { minutes: 20, perMinute: 60 }]), '85m'),
      healthy('a steady 30 events a minute', series([{ minutes: 90, perMinute: 30 }]), '85m'),
      healthy('a rise from 1 to 5 events a minute (under the floor)', series([{ minutes: 70, perMinute: 1 }, { minutes: 20, perMinute: 5 }]), '85m'),
    ],
  };
}

function configErrors(service: Service): OpsAlert {
  const errors = countOver(securityEventRate(labelMatchers(service.selector), '15m', 'config_error', ['reason']), '15m');
  const series = (perMinute: number) => [input(service, securityEvents.name, { event: 'config_error', reason: 'missing_secret' }, counter({ minutes: 30, perMinute }))];
  return {
    name: 'SecurityConfigErrors',
    domain: 'security',
    component: 'config',
    severity: 'warning',
    expr: `${errors} > 0`,
    for: '5m',
    summary: 'The service reports security configuration errors.',
    description: `${service.name} recorded {{ $value | printf "%.0f" }} security configuration errors ({{ $labels.reason }}) over the last 15 minutes.`,
    // The security-event panels are on the logs and security dashboard.
    dashboard: 'logs',
    runbook: {
      meaning: 'The service recorded security configuration errors (obs.security.record("config_error", reason)): a missing secret, an invalid key, a disabled check.',
      impact: 'A security control may be off or failing closed: users locked out, or requests not verified.',
      confirm: [
        { query: errors, look: 'The reasons.' },
        { query: `{service="${service.name}"} |= "config_error"`, look: 'LogQL: the log lines with the details.' },
      ],
      causes: ['A secret or key missing from the environment after a deploy.', 'An expired certificate or signing key.', 'A misconfigured identity provider URL.'],
      mitigation: ['Restore the missing secret or key and restart.', 'Roll back the deploy that changed the configuration.'],
      escalation: 'Ticket for the owning team; involve security if a control is off.',
    },
    cases: [
      fires('a configuration error every minute', series(1), '20m'),
      healthy('no configuration error', series(0), '20m'),
    ],
  };
}

function auditSilent(service: Service): OpsAlert {
  const sel = labelMatchers(service.selector);
  // Rates, not increases: zero and above zero mean the same, and the panels plot these builders.
  const audited = (range: string) => auditLogRate(sel, range);
  const traffic = (minutes: number) => input(service, `${httpServerRequestDuration.name}_count`, { http_response_status_code: '200' }, counter({ minutes, perMinute: 600 }));
  return {
    name: 'AuditLogSilent',
    domain: 'security',
    component: 'audit',
    severity: 'warning',
    expr: [`${audited(AUDIT_SILENCE)} == 0`, `${audited('1d')} > 0`, `${httpRequestRate(sel, '15m')} > 0`].join('\nand\n'),
    for: '15m',
    summary: 'The audit log of the service has gone silent while it serves requests.',
    description: `${service.name} has written no audit event for ${AUDIT_SILENCE} while serving requests; it wrote some within the last day.`,
    dashboard: 'logs',
    runbook: {
      meaning: `No line reached the audit logger (obs_audit_events_total) for ${AUDIT_SILENCE} while the service answered requests, although it audited within the last day. Services that never audit do not fire.`,
      impact: 'Security-relevant actions may go unrecorded: a compliance gap (audit logs are kept for years) and a blind spot in an investigation.',
      confirm: [
        { query: countOver(audited('1h'), '1h'), look: 'Lines in the last hour: zero now; when did it stop?' },
        { query: `{service="${service.name}"} | json | audit="true"`, look: 'LogQL: the last audit lines in Loki.' },
      ],
      causes: ['A deploy removed or bypassed the audit calls.', 'The audit logger level or destination changed.', 'The audited feature (logins, admin actions) is no longer used or is broken.'],
      mitigation: ['Check the latest deploy for changes around audit logging.', 'Perform an audited action yourself and look for the line.'],
      escalation: 'Ticket for the owning team; inform the security/compliance owner.',
    },
    cases: [
      fires('audit events stop while traffic continues', [traffic(130), input(service, auditEvents.name, {}, counter({ minutes: 30, perMinute: 1 }, { minutes: 100, perMinute: 0 }))], '115m'),
      healthy('audit events keep coming', [traffic(130), input(service, auditEvents.name, {}, counter({ minutes: 130, perMinute: 1 }))], '115m'),
      healthy('no traffic and no audit events', [input(service, auditEvents.name, {}, counter({ minutes: 30, perMinute: 1 }, { minutes: 100, perMinute: 0 }))], '115m'),
    ],
  };
}
