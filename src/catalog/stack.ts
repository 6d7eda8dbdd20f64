import type { MetricDefinition } from './types.js';

/**
 * Metrics Prometheus and Alertmanager export about themselves, and the backup-job contract. The self
 * metrics are the ones the prometheus and alertmanager mixins alert on; test/exporters-live.test.ts
 * scrapes a real Prometheus (Debian 2.42) and Alertmanager (0.25) and fails on a name they do not export.
 */
export const PROMETHEUS_METRICS: readonly MetricDefinition[] = [
  { name: 'prometheus_rule_evaluation_failures_total', type: 'counter', source: 'prometheus', unit: '', labels: ['rule_group'], help: 'The total number of rule evaluation failures.' },
  { name: 'prometheus_notifications_errors_total', type: 'counter', source: 'prometheus', unit: '', labels: ['alertmanager'], help: 'Total number of errors sending alert notifications.' },
  { name: 'prometheus_notifications_sent_total', type: 'counter', source: 'prometheus', unit: '', labels: ['alertmanager'], help: 'Total number of alerts sent.' },
  { name: 'prometheus_notifications_dropped_total', type: 'counter', source: 'prometheus', unit: '', labels: [], help: 'Total number of alerts dropped due to errors when sending to Alertmanager.' },
  { name: 'prometheus_notifications_alertmanagers_discovered', type: 'gauge', source: 'prometheus', unit: '', labels: [], help: 'The number of alertmanagers discovered and active.' },
  { name: 'prometheus_config_last_reload_successful', type: 'gauge', source: 'prometheus', unit: '', labels: [], help: 'Whether the last configuration reload attempt was successful.' },
  { name: 'prometheus_tsdb_compactions_failed_total', type: 'counter', source: 'prometheus', unit: '', labels: [], help: 'Total number of compactions that failed for the partition.' },
];

export const ALERTMANAGER_METRICS: readonly MetricDefinition[] = [
  { name: 'alertmanager_notifications_total', type: 'counter', source: 'alertmanager', unit: '', labels: ['integration'], help: 'The total number of attempted notifications.' },
  { name: 'alertmanager_notifications_failed_total', type: 'counter', source: 'alertmanager', unit: '', labels: ['integration'], help: 'The total number of failed notifications.' },
  { name: 'alertmanager_config_last_reload_successful', type: 'gauge', source: 'alertmanager', unit: '', labels: [], help: 'Whether the last configuration reload attempt was successful.' },
];

/**
 * The backup contract. A backup job makes these two gauges available to Prometheus, either by pushing
 * them to a Pushgateway at the end of every run (the `job` label is the backups job, e.g.
 * `backups`) or by writing them to node_exporter's textfile collector:
 *
 *   obs_backup_last_success_timestamp_seconds{backup="<name>"}  Unix time the last run that succeeded ended
 *   obs_backup_last_run_success{backup="<name>"}                1 when the latest run succeeded, 0 when it failed
 *
 * A failed run updates only obs_backup_last_run_success (to 0); a successful run sets both. The
 * BackupTooOld alert compares the first with the configured RPO; BackupFailed watches the second.
 */
export const backupLastSuccess = {
  name: 'obs_backup_last_success_timestamp_seconds',
  type: 'gauge',
  source: 'backup_job',
  unit: 'seconds',
  labels: ['backup'],
  help: 'Unix time at which the last successful run of this backup ended.',
} as const satisfies MetricDefinition;

export const backupLastRunSuccess = {
  name: 'obs_backup_last_run_success',
  type: 'gauge',
  source: 'backup_job',
  unit: '',
  labels: ['backup'],
  help: 'Whether the latest run of this backup succeeded (1) or failed (0).',
} as const satisfies MetricDefinition;

export const STACK_METRICS: readonly MetricDefinition[] = [...PROMETHEUS_METRICS, ...ALERTMANAGER_METRICS, backupLastSuccess, backupLastRunSuccess];
