import type { ExporterName, MetricDefinition } from './types.js';

/**
 * Metrics of the standard exporters that our alerts and dashboards query, named exactly as the exporters
 * export them. test/exporters-live.test.ts scrapes the real Debian exporters and fails on any name here
 * that they do not export (exceptions are listed there with their reason).
 *
 * Versions proven live (Debian 12): node_exporter 1.5.0, postgres_exporter 0.11.1, redis_exporter
 * 1.45.0, nginx-prometheus-exporter 0.11.0, blackbox_exporter 0.23.0. cAdvisor has no Debian package:
 * its names come from its documentation (docs/storage/prometheus.md in google/cadvisor) and are not
 * proven live. Labels are the exporter's own (job and instance come from the scrape).
 */

function metric(source: ExporterName, name: string, type: MetricDefinition['type'], unit: string, labels: readonly string[], help: string): MetricDefinition {
  return { name, type, source, help, unit, labels };
}

export const POSTGRES_EXPORTER_METRICS: readonly MetricDefinition[] = [
  metric('postgres_exporter', 'pg_up', 'gauge', '', [], 'Whether the last scrape of metrics from PostgreSQL was able to connect to the server (1 for yes, 0 for no).'),
  metric('postgres_exporter', 'pg_stat_activity_count', 'gauge', '', ['datname', 'state'], 'Number of connections in this state.'),
  metric('postgres_exporter', 'pg_settings_max_connections', 'gauge', '', [], 'Sets the maximum number of concurrent connections.'),
  metric('postgres_exporter', 'pg_stat_database_deadlocks', 'counter', '', ['datid', 'datname'], 'Number of deadlocks detected in this database.'),
  metric('postgres_exporter', 'pg_stat_activity_max_tx_duration', 'gauge', 'seconds', ['datname', 'state'], 'Max duration in seconds any active transaction has been running.'),
  // Replication lag: 0.13+ exports pg_replication_lag_seconds itself; older versions (Debian's 0.11.1)
  // export pg_replication_lag only from the pg_replication query of the queries.yaml they ship.
  metric('postgres_exporter', 'pg_replication_lag_seconds', 'gauge', 'seconds', [], 'Replication lag behind the primary in seconds (postgres_exporter 0.13+).'),
  metric('postgres_exporter', 'pg_replication_lag', 'gauge', 'seconds', [], 'Replication lag behind the primary in seconds (pg_replication query of queries.yaml, postgres_exporter < 0.13).'),
];

export const REDIS_EXPORTER_METRICS: readonly MetricDefinition[] = [
  metric('redis_exporter', 'redis_up', 'gauge', '', [], 'Information about the Redis instance: 1 when the exporter reached it.'),
  metric('redis_exporter', 'redis_memory_used_bytes', 'gauge', 'bytes', [], 'Memory used by Redis (INFO used_memory).'),
  metric('redis_exporter', 'redis_memory_max_bytes', 'gauge', 'bytes', [], 'Redis maxmemory setting; 0 when unlimited.'),
  metric('redis_exporter', 'redis_rejected_connections_total', 'counter', '', [], 'Connections rejected because of the maxclients limit.'),
  metric('redis_exporter', 'redis_evicted_keys_total', 'counter', '', [], 'Keys evicted because of the maxmemory limit.'),
  metric('redis_exporter', 'redis_connected_clients', 'gauge', '', [], 'Number of client connections.'),
  metric('redis_exporter', 'redis_config_maxclients', 'gauge', '', [], 'Redis maxclients setting.'),
];

/** The official exporter reads stub_status: connection counts only, no status codes. */
export const NGINX_EXPORTER_METRICS: readonly MetricDefinition[] = [
  metric('nginx_exporter', 'nginx_up', 'gauge', '', [], 'Status of the last metric scrape of stub_status: 1 for success.'),
  metric('nginx_exporter', 'nginx_connections_accepted', 'counter', '', [], 'Accepted client connections.'),
  metric('nginx_exporter', 'nginx_connections_handled', 'counter', '', [], 'Handled client connections (fewer than accepted when worker_connections is exhausted).'),
  metric('nginx_exporter', 'nginx_connections_active', 'gauge', '', [], 'Active client connections.'),
  metric('nginx_exporter', 'nginx_http_requests_total', 'counter', '', [], 'Total HTTP requests.'),
];

export const BLACKBOX_EXPORTER_METRICS: readonly MetricDefinition[] = [
  metric('blackbox_exporter', 'probe_success', 'gauge', '', [], 'Whether the probe succeeded.'),
  metric('blackbox_exporter', 'probe_duration_seconds', 'gauge', 'seconds', [], 'How long the probe took to complete.'),
  metric('blackbox_exporter', 'probe_ssl_earliest_cert_expiry', 'gauge', 'seconds', [], 'Unix time at which the first certificate of the chain expires.'),
  metric('blackbox_exporter', 'probe_http_status_code', 'gauge', '', [], 'HTTP status code of the response.'),
];

export const NODE_EXPORTER_METRICS: readonly MetricDefinition[] = [
  metric('node_exporter', 'node_cpu_seconds_total', 'counter', 'seconds', ['cpu', 'mode'], 'Seconds the CPUs spent in each mode.'),
  metric('node_exporter', 'node_memory_MemAvailable_bytes', 'gauge', 'bytes', [], 'Memory information field MemAvailable_bytes.'),
  metric('node_exporter', 'node_memory_MemTotal_bytes', 'gauge', 'bytes', [], 'Memory information field MemTotal_bytes.'),
  metric('node_exporter', 'node_filesystem_avail_bytes', 'gauge', 'bytes', ['device', 'fstype', 'mountpoint'], 'Filesystem space available to non-root users in bytes.'),
  metric('node_exporter', 'node_filesystem_size_bytes', 'gauge', 'bytes', ['device', 'fstype', 'mountpoint'], 'Filesystem size in bytes.'),
  metric('node_exporter', 'node_filesystem_readonly', 'gauge', '', ['device', 'fstype', 'mountpoint'], 'Filesystem read-only status.'),
  // Exported untyped (a raw /proc/vmstat field) but monotonic: queried with increase().
  metric('node_exporter', 'node_vmstat_oom_kill', 'counter', '', [], '/proc/vmstat information field oom_kill.'),
  metric('node_exporter', 'node_timex_offset_seconds', 'gauge', 'seconds', [], 'Time offset in between local system and reference clock.'),
  metric('node_exporter', 'node_timex_sync_status', 'gauge', '', [], 'Is clock synchronized to a reliable server (1 = yes, 0 = no).'),
];

/** Names from cAdvisor's documentation; `name` is the container name (standalone cAdvisor on Docker). */
export const CADVISOR_METRICS: readonly MetricDefinition[] = [
  metric('cadvisor', 'container_cpu_cfs_periods_total', 'counter', '', ['name', 'image'], 'Number of elapsed enforcement period intervals.'),
  metric('cadvisor', 'container_cpu_cfs_throttled_periods_total', 'counter', '', ['name', 'image'], 'Number of throttled period intervals.'),
  metric('cadvisor', 'container_memory_working_set_bytes', 'gauge', 'bytes', ['name', 'image'], 'Current working set in bytes.'),
  metric('cadvisor', 'container_spec_memory_limit_bytes', 'gauge', 'bytes', ['name', 'image'], 'Memory limit for the container; 0 when unlimited.'),
  metric('cadvisor', 'container_start_time_seconds', 'gauge', 'seconds', ['name', 'image'], 'Start time of the container since unix epoch in seconds.'),
];

export const EXPORTER_METRICS: readonly MetricDefinition[] = [
  ...POSTGRES_EXPORTER_METRICS,
  ...REDIS_EXPORTER_METRICS,
  ...NGINX_EXPORTER_METRICS,
  ...BLACKBOX_EXPORTER_METRICS,
  ...NODE_EXPORTER_METRICS,
  ...CADVISOR_METRICS,
];
