/**
 * Sentry alert rules for the service's project, in the JSON bodies Sentry's API accepts:
 * issue alerts (POST /api/0/projects/{org}/{project}/rules/) for a new issue and a regression in the
 * environment, and a metric alert (POST /api/0/organizations/{org}/alert-rules/) on the error count,
 * sized from the availability SLO. Every rule filters on the `service` tag the SDK sets on each event.
 */
import type { SentrySetup } from '../../model/stack-types.js';
import type { Service } from '../../model/types.js';

/** Who is told: the issue's owners (CODEOWNERS / ownership rules), else every active member. */
const NOTIFY_OWNERS = {
  id: 'sentry.mail.actions.NotifyEmailAction',
  targetType: 'IssueOwners',
  fallthroughType: 'ActiveMembers',
} as const;

export interface SentryIssueAlert {
  readonly name: string;
  readonly environment: string;
  readonly actionMatch: 'all' | 'any' | 'none';
  readonly filterMatch: 'all' | 'any' | 'none';
  /** Minutes between two notifications of the same issue. */
  readonly frequency: number;
  readonly conditions: readonly { readonly id: string }[];
  readonly filters: readonly { readonly id: string; readonly key: string; readonly match: 'eq'; readonly value: string }[];
  readonly actions: readonly typeof NOTIFY_OWNERS[];
}

export interface SentryMetricTrigger {
  readonly label: 'critical' | 'warning';
  readonly alertThreshold: number;
  /** Filled in by the apply script when SENTRY_ALERT_TEAM names a team to e-mail. */
  readonly actions: readonly unknown[];
}

export interface SentryMetricAlert {
  readonly name: string;
  readonly environment: string;
  readonly dataset: 'events';
  readonly queryType: 0;
  readonly eventTypes: readonly ['error'];
  readonly aggregate: 'count()';
  readonly query: string;
  /** Minutes. */
  readonly timeWindow: number;
  /** 0: above the threshold. */
  readonly thresholdType: 0;
  readonly resolveThreshold: number;
  readonly projects: readonly string[];
  readonly triggers: readonly SentryMetricTrigger[];
}

export interface SentryAlertRules {
  /** Where the apply script sends them. */
  readonly sentry: { readonly url: string; readonly org: string; readonly project: string };
  readonly issueAlerts: readonly SentryIssueAlert[];
  readonly metricAlerts: readonly SentryMetricAlert[];
}

export function sentryAlertRules(service: Service, setup: SentrySetup, target: { url: string; org: string; project: string; environment: string }): SentryAlertRules {
  const environment = setup.environment ?? target.environment;
  const serviceFilter = { id: 'sentry.rules.filters.tagged_event.TaggedEventFilter', key: 'service', match: 'eq', value: service.name } as const;
  const issueAlert = (what: string, condition: string): SentryIssueAlert => ({
    name: `${service.name}: ${what} in ${environment}`,
    environment,
    actionMatch: 'all',
    filterMatch: 'all',
    frequency: 30,
    conditions: [{ id: condition }],
    // fresh objects per rule: a shared one would serialise as a YAML anchor
    filters: [{ ...serviceFilter }],
    actions: [{ ...NOTIFY_OWNERS }],
  });
  const critical = setup.errorsPerHour;
  return {
    sentry: { url: target.url, org: target.org, project: target.project },
    issueAlerts: [
      issueAlert('new issue', 'sentry.rules.conditions.first_seen_event.FirstSeenEventCondition'),
      issueAlert('regression', 'sentry.rules.conditions.regression_event.RegressionEventCondition'),
    ],
    metricAlerts: [
      {
        name: `${service.name}: error spike in ${environment}`,
        environment,
        dataset: 'events',
        queryType: 0,
        eventTypes: ['error'],
        aggregate: 'count()',
        query: `service:${service.name}`,
        timeWindow: 60,
        thresholdType: 0,
        resolveThreshold: Math.max(0, Math.floor(critical / 4)),
        projects: [target.project],
        triggers: [
          { label: 'critical', alertThreshold: critical, actions: [] },
          { label: 'warning', alertThreshold: Math.max(1, Math.ceil(critical / 2)), actions: [] },
        ],
      },
    ],
  };
}
