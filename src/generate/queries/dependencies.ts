/**
 * Dependencies seen from both sides: the SDK's client-side latency and errors (what the service
 * experiences), and the exporters' server-side numbers for Postgres, Redis and Nginx.
 */
import { cacheRequests, dependencyRequestDuration } from '../../catalog/sdk-metrics.js';
import { queueDepth, queueJobDuration, queueWorkers } from '../../catalog/queues.js';
import { backupLastRunSuccess, backupLastSuccess } from '../../catalog/stack.js';
import { eq, neq, selector } from '../../promql/build.js';
import { quantileOf, rateOf, ratioOf, type Selector, sumBy } from './common.js';

const DEP = dependencyRequestDuration.name;
const DEP_CALLS = `${DEP}_count`;
const DEPENDENCY = ['dependency_system', 'dependency_name'] as const;

/** The q-quantile of the SDK's client-side call duration per dependency (PostgresSlowQueries: by dependency_name). */
export function dependencyLatencyQuantile(q: number, sel: Selector, range: string, by: readonly string[] = DEPENDENCY): string {
  return quantileOf(q, DEP, sel, range, by);
}

/** Calls per second per dependency. */
export function dependencyCallRate(sel: Selector, range: string, by: readonly string[] = DEPENDENCY): string {
  return rateOf(DEP_CALLS, sel, range, by);
}

/** Share of dependency calls that failed (error_type set). */
export function dependencyErrorRatio(sel: Selector, range: string, by: readonly string[] = DEPENDENCY): string {
  return ratioOf(DEP_CALLS, [...sel, neq('error_type', '')], DEP_CALLS, sel, range, by);
}

/** Share of application-cache lookups that hit, per cache. */
export function cacheHitRatio(sel: Selector, range: string, by: readonly string[] = ['cache']): string {
  return ratioOf(cacheRequests.name, [...sel, eq('result', 'hit')], cacheRequests.name, sel, range, by);
}

/** Jobs waiting per queue (QueueBacklogGrowing judges its derivative). */
export function queueBacklog(sel: Selector, by: readonly string[] = ['queue']): string {
  return `${sumBy(by)} (${selector(queueDepth.name, sel)})`;
}

/** Change of the backlog over the range per queue (QueueBacklogGrowing: above 0 over 5m). */
export function queueBacklogChange(sel: Selector, range: string, by: readonly string[] = ['queue']): string {
  return `${sumBy(by)} (delta(${selector(queueDepth.name, sel)}[${range}]))`;
}

/** Workers running per queue (QueueWorkersAbsent). */
export function queueWorkerCount(sel: Selector, by: readonly string[] = ['queue']): string {
  return `${sumBy(by)} (${selector(queueWorkers.name, sel)})`;
}

/** Share of finished jobs that failed, per queue (QueueJobFailures). */
export function queueFailureRatio(sel: Selector, range: string, by: readonly string[] = ['queue']): string {
  const count = `${queueJobDuration.name}_count`;
  return ratioOf(count, [...sel, eq('result', 'failure')], count, sel, range, by);
}

/** The q-quantile of job duration per queue. */
export function queueJobDurationQuantile(q: number, sel: Selector, range: string, by: readonly string[] = ['queue']): string {
  return quantileOf(q, queueJobDuration.name, sel, range, by);
}

// --- postgres_exporter ---

/** Connections in use as a share of max_connections, per server (PostgresTooManyConnections). */
export function postgresConnectionsRatio(sel: Selector): string {
  return `sum by (job, instance) (${selector('pg_stat_activity_count', sel)}) / max by (job, instance) (${selector('pg_settings_max_connections', sel)})`;
}

/** Connections by state (active, idle, idle in transaction…). */
export function postgresConnectionsByState(sel: Selector): string {
  return `sum by (state) (${selector('pg_stat_activity_count', sel)})`;
}

/** Deadlocks per second, per database (PostgresDeadlocks: above 0 over 10m). */
export function postgresDeadlockRate(sel: Selector, range: string): string {
  return rateOf('pg_stat_database_deadlocks', sel, range, ['job', 'instance', 'datname']);
}

/** The longest running transaction per database, seconds (PostgresLongRunningTransaction). */
export function postgresLongestTransaction(sel: Selector): string {
  return `max by (job, instance, datname) (${selector('pg_stat_activity_max_tx_duration', sel)})`;
}

/** Replication lag, seconds: postgres_exporter 0.13+ names it pg_replication_lag_seconds, older ones pg_replication_lag. */
export function postgresReplicationLag(sel: Selector): string {
  return `(${selector('pg_replication_lag_seconds', sel)} or ${selector('pg_replication_lag', sel)})`;
}

// --- redis_exporter ---

/** Memory used as a share of maxmemory; absent when maxmemory is unlimited (RedisMemoryNearMax). */
export function redisMemoryRatio(sel: Selector): string {
  return `${selector('redis_memory_used_bytes', sel)} / (${selector('redis_memory_max_bytes', sel)} > 0)`;
}

export function redisClients(sel: Selector): string {
  return `sum by (instance) (${selector('redis_connected_clients', sel)})`;
}

/** Keys evicted per second (RedisEvictingKeys: above 0). */
export function redisEvictionRate(sel: Selector, range: string): string {
  return rateOf('redis_evicted_keys_total', sel, range, ['job', 'instance']);
}

/** Connections refused at maxclients per second (RedisRejectedConnections: above 0). */
export function redisRejectedConnectionRate(sel: Selector, range: string): string {
  return rateOf('redis_rejected_connections_total', sel, range, ['job', 'instance']);
}

// --- nginx-prometheus-exporter (stub_status: no status codes) ---

export function nginxRequestRate(sel: Selector, range: string): string {
  return rateOf('nginx_http_requests_total', sel, range, ['instance']);
}

export function nginxActiveConnections(sel: Selector): string {
  return `sum by (instance) (${selector('nginx_connections_active', sel)})`;
}

/** Connections accepted but not handled per second: worker_connections exhausted (NginxConnectionsSaturated). */
export function nginxDroppedConnectionRate(sel: Selector, range: string): string {
  return `rate(${selector('nginx_connections_accepted', sel)}[${range}]) - rate(${selector('nginx_connections_handled', sel)}[${range}])`;
}

// --- the backup contract (src/catalog/stack.ts) ---

/** Seconds since the last successful run, per backup (BackupTooOld: above the RPO). */
export function backupAge(sel: Selector): string {
  return `time() - max by (backup) (${selector(backupLastSuccess.name, sel)})`;
}

/** 1 when the latest run of each backup succeeded, 0 when it failed (BackupFailed). */
export function backupLastRunSucceeded(sel: Selector): string {
  return `min by (backup) (${selector(backupLastRunSuccess.name, sel)})`;
}
