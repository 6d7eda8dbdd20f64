/**
 * Alerts on the monitoring stack itself (once per bundle): when Prometheus cannot evaluate rules, reach
 * Alertmanager, reload its config, compact its TSDB or scrape its targets, or Alertmanager cannot
 * deliver or reload, every other alert may be silently lost. Expressions follow the prometheus and
 * alertmanager mixins, on the self-metrics of src/catalog/stack.ts.
 */
import { formatNumber } from '../../../model/duration.js';
import { belowThreshold, counter, fires, gauge, healthy, percent } from './build.js';
import type { OpsAlert, Runbook, SeriesInput } from './types.js';

const PROMETHEUS = { job: 'prometheus', instance: 'prometheus:9090' };
const ALERTMANAGER = { job: 'alertmanager', instance: 'alertmanager:9093' };

/** Share of notifications Prometheus or Alertmanager may fail to send before it is an alert. */
export const NOTIFICATION_ERROR_RATIO = 0.01;
/** Share of a job's targets that may be down before the stack alert fires. */
export const TARGETS_DOWN_RATIO = 0.1;

const ESCALATION = 'If alerts may be lost for more than 30 minutes, tell the on-call of every team whose alerts this Prometheus carries, and page the owners of the monitoring stack.';

function series(metric: string, labels: Readonly<Record<string, string>>, values: string): SeriesInput {
  const text = Object.entries(labels)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(',');
  return { series: `${metric}{${text}}`, values };
}

const flat = (value: number, minutes: number) => gauge({ minutes, value });

function alert(
  fields: Omit<OpsAlert, 'domain' | 'dashboard' | 'runbook'> & { runbook: Omit<Runbook, 'escalation'> },
): OpsAlert {
  return { ...fields, domain: 'stack', dashboard: 'infrastructure', runbook: { ...fields.runbook, escalation: ESCALATION } };
}

export function stackAlerts(): OpsAlert[] {
  const amUrl = { ...PROMETHEUS, alertmanager: 'http://alertmanager:9093/api/v2/alerts' };
  const notifications = (errorsPerMinute: number) => [
    series('prometheus_notifications_sent_total', amUrl, counter({ minutes: 40, perMinute: 100 })),
    series('prometheus_notifications_errors_total', amUrl, counter({ minutes: 40, perMinute: errorsPerMinute })),
  ];
  const integration = { ...ALERTMANAGER, integration: 'slack' };
  const deliveries = (failedPerMinute: number) => [
    series('alertmanager_notifications_total', integration, counter({ minutes: 40, perMinute: 100 })),
    series('alertmanager_notifications_failed_total', integration, counter({ minutes: 40, perMinute: failedPerMinute })),
  ];
  /** `down` of 20 targets of one job down. */
  const targets = (down: number) =>
    Array.from({ length: 20 }, (_, i) => series('up', { job: 'node', instance: `host-${i}:9100` }, flat(i < down ? 0 : 1, 40)));
  const sendErrors = 'sum by (job, instance, alertmanager) (rate(prometheus_notifications_errors_total[5m])) / sum by (job, instance, alertmanager) (rate(prometheus_notifications_sent_total[5m]))';
  const deliveryErrors = 'sum by (job, instance, integration) (rate(alertmanager_notifications_failed_total[5m])) / sum by (job, instance, integration) (rate(alertmanager_notifications_total[5m]))';
  const targetsDown = 'count by (job) (up == 0) / count by (job) (up)';

  return [
    alert({
      name: 'PrometheusRuleFailures',
      component: 'prometheus',
      severity: 'critical',
      expr: 'increase(prometheus_rule_evaluation_failures_total[5m]) > 0',
      for: '15m',
      summary: 'Prometheus fails to evaluate rules.',
      description: 'Prometheus {{ $labels.instance }} failed {{ $value | humanize }} evaluations of rule group {{ $labels.rule_group }} in 5 minutes.',
      runbook: {
        meaning: 'Rule evaluations of a group fail: its recording rules stop recording and its alerts cannot fire.',
        impact: 'Alerts of that group (SLO burn rates included) are silently blind.',
        confirm: [
          { query: 'increase(prometheus_rule_evaluation_failures_total[5m]) > 0', look: 'Which rule group fails.' },
          { query: 'prometheus_rule_group_last_evaluation_timestamp_seconds', look: 'Groups that stopped evaluating; the Rules page of Prometheus shows the error.' },
        ],
        causes: ['A query that returns many series with the same labels ("vector contains metrics with the same labelset").', 'A rule reading a series whose labels changed.', 'Query timeouts under load.'],
        mitigation: ['Read the error on the Rules page, fix the rule and reload Prometheus.'],
      },
      cases: [
        fires('a group failing every minute', [series('prometheus_rule_evaluation_failures_total', { ...PROMETHEUS, rule_group: 'rules/chat-api-slo-availability.rules.yml;obs-slo-chat-api-availability' }, counter({ minutes: 40, perMinute: 1 }))], '30m'),
        healthy('no failure', [series('prometheus_rule_evaluation_failures_total', { ...PROMETHEUS, rule_group: 'rules/chat-api-slo-availability.rules.yml;obs-slo-chat-api-availability' }, flat(0, 40))], '30m'),
      ],
    }),
    alert({
      name: 'PrometheusErrorSendingAlerts',
      component: 'prometheus',
      severity: 'critical',
      expr: `${sendErrors} > ${formatNumber(NOTIFICATION_ERROR_RATIO)}`,
      for: '15m',
      threshold: NOTIFICATION_ERROR_RATIO,
      summary: 'Prometheus fails to send alerts to Alertmanager.',
      description: `{{ $value | humanizePercentage }} of the alerts Prometheus {{ $labels.instance }} sends to {{ $labels.alertmanager }} fail (alert above ${percent(NOTIFICATION_ERROR_RATIO)}).`,
      runbook: {
        meaning: 'Prometheus cannot deliver alerts to an Alertmanager.',
        impact: 'Firing alerts may never reach on-call.',
        confirm: [{ query: sendErrors, look: 'Share of failed sends per Alertmanager.' }, { query: 'prometheus_notifications_alertmanagers_discovered', look: 'How many Alertmanagers Prometheus knows.' }],
        causes: ['Alertmanager is down or unreachable.', 'A wrong Alertmanager address or TLS setting in prometheus.yml.'],
        mitigation: ['Check Alertmanager is up (AlertmanagerConfigReloadFailed, its target) and reachable from Prometheus.'],
      },
      cases: [
        fires('10% of sends fail', notifications(10), '30m'),
        healthy('no send fails', notifications(0), '30m'),
        belowThreshold(`just under ${percent(NOTIFICATION_ERROR_RATIO)}`, notifications(0.9), '30m'),
      ],
    }),
    alert({
      name: 'PrometheusNotificationsDropped',
      component: 'prometheus',
      severity: 'warning',
      expr: 'increase(prometheus_notifications_dropped_total[5m]) > 0',
      for: '15m',
      summary: 'Prometheus drops alerts before they reach Alertmanager.',
      description: 'Prometheus {{ $labels.instance }} dropped {{ $value | humanize }} alerts in 5 minutes.',
      runbook: {
        meaning: 'Prometheus discarded alert notifications: its queue overflowed or sending failed for good.',
        impact: 'Alerts that fired were not delivered.',
        confirm: [{ query: 'rate(prometheus_notifications_dropped_total[5m])', look: 'Dropped alerts per second.' }, { query: 'prometheus_notifications_queue_length / prometheus_notifications_queue_capacity', look: 'Close to 1 when the queue overflows.' }],
        causes: ['Alertmanager unreachable for long enough to fill the queue.', 'An alert storm (thousands of series firing).'],
        mitigation: ['Restore Alertmanager; aggregate or fix the rule behind an alert storm.'],
      },
      cases: [
        fires('dropping alerts', [series('prometheus_notifications_dropped_total', PROMETHEUS, counter({ minutes: 40, perMinute: 3 }))], '30m'),
        healthy('nothing dropped', [series('prometheus_notifications_dropped_total', PROMETHEUS, flat(0, 40))], '30m'),
      ],
    }),
    alert({
      name: 'PrometheusNotConnectedToAlertmanagers',
      component: 'prometheus',
      severity: 'critical',
      expr: 'max_over_time(prometheus_notifications_alertmanagers_discovered[5m]) < 1',
      for: '10m',
      summary: 'Prometheus knows no Alertmanager.',
      description: 'Prometheus {{ $labels.instance }} has discovered no Alertmanager to send alerts to.',
      runbook: {
        meaning: 'Service discovery of Alertmanagers returns nothing, so alerts have nowhere to go.',
        impact: 'No alert reaches on-call.',
        confirm: [{ query: 'prometheus_notifications_alertmanagers_discovered', look: '0.' }],
        causes: ['The alerting section of prometheus.yml is missing or its targets do not resolve.'],
        mitigation: ['Fix `alerting.alertmanagers` in prometheus.yml and reload.'],
      },
      cases: [
        fires('no Alertmanager', [series('prometheus_notifications_alertmanagers_discovered', PROMETHEUS, flat(0, 30))], '20m'),
        healthy('one Alertmanager', [series('prometheus_notifications_alertmanagers_discovered', PROMETHEUS, flat(1, 30))], '20m'),
      ],
    }),
    alert({
      name: 'PrometheusConfigReloadFailed',
      component: 'prometheus',
      severity: 'critical',
      expr: 'max_over_time(prometheus_config_last_reload_successful[5m]) == 0',
      for: '10m',
      summary: 'Prometheus failed to reload its configuration.',
      description: 'The last configuration reload of Prometheus {{ $labels.instance }} failed; it still runs the previous configuration.',
      runbook: {
        meaning: 'A reload (SIGHUP or /-/reload) was rejected; Prometheus keeps the old configuration and rules.',
        impact: 'New or changed rules, alerts and scrape targets are not active; a restart would fail to start.',
        confirm: [{ query: 'prometheus_config_last_reload_successful', look: '0.' }, { query: 'promtool check config prometheus.yml', look: 'The error (run where the config lives).' }],
        causes: ['A syntax error in prometheus.yml or a rule file.', 'A rule file path that does not exist.'],
        mitigation: ['Fix the file (`promtool check config`, `promtool check rules`) and reload again.'],
      },
      cases: [
        fires('last reload failed', [series('prometheus_config_last_reload_successful', PROMETHEUS, flat(0, 30))], '20m'),
        healthy('last reload succeeded', [series('prometheus_config_last_reload_successful', PROMETHEUS, flat(1, 30))], '20m'),
      ],
    }),
    alert({
      name: 'PrometheusTSDBCompactionsFailing',
      component: 'prometheus',
      severity: 'warning',
      expr: 'increase(prometheus_tsdb_compactions_failed_total[3h]) > 0',
      for: '4h',
      summary: 'Prometheus fails to compact its storage.',
      description: 'Prometheus {{ $labels.instance }} had {{ $value | humanize }} failed compactions in 3 hours.',
      runbook: {
        meaning: 'The TSDB cannot compact blocks: the head block and the WAL keep growing.',
        impact: 'Memory and disk use grow until Prometheus runs out of either; queries over long ranges slow down.',
        confirm: [{ query: 'increase(prometheus_tsdb_compactions_failed_total[3h])', look: 'Failures.' }, { query: 'prometheus_tsdb_head_series', look: 'Head size growing.' }],
        causes: ['Disk full or read-only.', 'A corrupted block (the log names it).'],
        mitigation: ['Free or grow the disk.', 'Move the corrupted block out of the data directory and restart.'],
      },
      cases: [
        fires('failing every hour', [series('prometheus_tsdb_compactions_failed_total', PROMETHEUS, counter({ minutes: 400, perMinute: 1 / 60 }))], '6h'),
        healthy('no failure', [series('prometheus_tsdb_compactions_failed_total', PROMETHEUS, flat(0, 400))], '6h'),
      ],
    }),
    alert({
      name: 'PrometheusTargetsDown',
      component: 'prometheus',
      severity: 'warning',
      expr: `${targetsDown} > ${formatNumber(TARGETS_DOWN_RATIO)}`,
      for: '15m',
      threshold: TARGETS_DOWN_RATIO,
      summary: 'Prometheus fails to scrape targets of a job.',
      description: `{{ $value | humanizePercentage }} of the targets of job {{ $labels.job }} cannot be scraped (alert above ${percent(TARGETS_DOWN_RATIO)}).`,
      runbook: {
        meaning: 'Scrapes of a share of the job\'s targets fail (up == 0).',
        impact: 'Alerts on those targets\' metrics are blind.',
        confirm: [{ query: 'up == 0', look: 'Which targets; the Targets page shows each error.' }],
        causes: ['The targets are down.', 'A network or TLS change between Prometheus and the targets.', 'A wrong port or path after a deploy.'],
        mitigation: ['Fix the scrape error shown on the Targets page.'],
      },
      cases: [
        fires('5 of 20 targets down', targets(5), '30m'),
        healthy('every target up', targets(0), '30m'),
        belowThreshold(`${Math.floor(TARGETS_DOWN_RATIO * 20)} of 20 targets down`, targets(Math.floor(TARGETS_DOWN_RATIO * 20)), '30m'),
      ],
    }),
    alert({
      name: 'AlertmanagerFailedToSendAlerts',
      component: 'alertmanager',
      severity: 'critical',
      expr: `${deliveryErrors} > ${formatNumber(NOTIFICATION_ERROR_RATIO)}`,
      for: '5m',
      threshold: NOTIFICATION_ERROR_RATIO,
      summary: 'Alertmanager fails to deliver notifications.',
      description: `{{ $value | humanizePercentage }} of the {{ $labels.integration }} notifications of Alertmanager {{ $labels.instance }} fail (alert above ${percent(NOTIFICATION_ERROR_RATIO)}).`,
      runbook: {
        meaning: 'Alertmanager cannot deliver to a receiver integration (PagerDuty, Slack, e-mail, webhook).',
        impact: 'On-call does not hear about alerts through that channel.',
        confirm: [{ query: deliveryErrors, look: 'Share of failed deliveries per integration.' }],
        causes: ['Revoked or rotated credentials (Slack webhook URL, PagerDuty routing key, SMTP password).', 'The receiver\'s endpoint unreachable from Alertmanager.'],
        mitigation: ['Read the Alertmanager log for the integration\'s error; update the secret file and reload.'],
      },
      cases: [
        fires('10% of deliveries fail', deliveries(10), '30m'),
        healthy('no delivery fails', deliveries(0), '30m'),
        belowThreshold(`just under ${percent(NOTIFICATION_ERROR_RATIO)}`, deliveries(0.9), '30m'),
      ],
    }),
    alert({
      name: 'AlertmanagerConfigReloadFailed',
      component: 'alertmanager',
      severity: 'critical',
      expr: 'max_over_time(alertmanager_config_last_reload_successful[5m]) == 0',
      for: '10m',
      summary: 'Alertmanager failed to reload its configuration.',
      description: 'The last configuration reload of Alertmanager {{ $labels.instance }} failed; it still routes with the previous configuration.',
      runbook: {
        meaning: 'Alertmanager rejected its new configuration and keeps the old one.',
        impact: 'Routing, receivers, inhibitions and maintenance windows are not what the bundle says.',
        confirm: [{ query: 'alertmanager_config_last_reload_successful', look: '0.' }, { query: 'amtool check-config alertmanager.yml', look: 'The error.' }],
        causes: ['A syntax error or a secret file that does not exist.'],
        mitigation: ['Fix alertmanager.yml (`amtool check-config`) and reload.'],
      },
      cases: [
        fires('last reload failed', [series('alertmanager_config_last_reload_successful', ALERTMANAGER, flat(0, 30))], '20m'),
        healthy('last reload succeeded', [series('alertmanager_config_last_reload_successful', ALERTMANAGER, flat(1, 30))], '20m'),
      ],
    }),
  ];
}
