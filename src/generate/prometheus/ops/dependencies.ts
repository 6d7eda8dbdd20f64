/**
 * Alerts on what a service depends on, through the standard exporters (postgres_exporter,
 * redis_exporter, nginx-prometheus-exporter, blackbox_exporter), the SDK's client-side query latency and
 * queue metrics, and the backup contract (src/catalog/stack.ts). Each group exists only when the
 * service's `dependencies` names it.
 */
import { formatDuration, formatNumber } from '../../../model/duration.js';
import type { Backups, Dependencies, ExporterTarget, Thresholds } from '../../../model/ops-types.js';
import type { Labels, Service } from '../../../model/types.js';
import { eq, labelMatchers, type Matcher, oneOf, selector } from '../../../promql/build.js';
import {
  backupAge,
  backupLastRunSucceeded,
  dependencyLatencyQuantile,
  postgresConnectionsRatio,
  postgresDeadlockRate,
  postgresLongestTransaction,
  postgresReplicationLag,
  queueBacklog,
  queueBacklogChange,
  queueFailureRatio,
  queueWorkerCount,
  redisEvictionRate,
  redisMemoryRatio,
  redisRejectedConnectionRate,
  nginxDroppedConnectionRate,
} from '../../queries/dependencies.js';
import { certificateExpirySeconds, probeSuccess } from '../../queries/infrastructure.js';
import { belowThreshold, countOver, counter, fires, healthy, histogramAt, input, own, percent, seconds } from './build.js';
import { at, exporterDown, flat, on, series } from './targets.js';
import type { OpsAlert } from './types.js';

/** No config knob yet: a queue whose jobs fail more often than this is an alert. */
export const QUEUE_JOB_FAILURE_RATIO = 0.05;

const DAY = 86_400;

/** Halfway between a ratio threshold and 1: a value that must fire whatever the threshold. */
export const over = (ratio: number) => (1 + ratio) / 2;

export function dependencyAlerts(service: Service): OpsAlert[] {
  const ops = service.ops;
  if (!ops) return [];
  const deps = ops.dependencies;
  const t = ops.thresholds;
  const escalation = ownerOf(service);
  return [
    ...(deps.postgres ? postgresAlerts(service, deps.postgres, t, escalation) : []),
    ...(deps.redis ? redisAlerts(deps.redis, t, escalation) : []),
    ...(deps.nginx ? nginxAlerts(deps.nginx, escalation) : []),
    ...probeAlerts(deps, t, escalation),
    ...(deps.queues ? queueAlerts(service, deps.queues.names, t, escalation) : []),
    ...(deps.backups ? backupAlerts(deps.backups, escalation) : []),
  ];
}

/** Who on-call hands over to when the runbook does not resolve it. */
export function ownerOf(service: Service, what = 'the dependency'): string {
  const team = service.team ?? service.owner;
  const owners = team ? `the ${team} team (owners of ${service.name})` : `the owners of ${service.name}`;
  return `If the mitigation does not work within 30 minutes, page ${owners} and the owners of ${what}.`;
}

function postgresAlerts(service: Service, pg: ExporterTarget, t: Thresholds, escalation: string): OpsAlert[] {
  const s = pg.selector;
  const db = t.database;
  // The dependencies dashboard plots the same builders: each panel shows the number its alert judges.
  const sel = labelMatchers(s);
  const connections = postgresConnectionsRatio(sel);
  const lag = postgresReplicationLag(sel);
  const txDuration = postgresLongestTransaction(sel);
  const deadlocks = countOver(postgresDeadlockRate(sel, '10m'), '10m');
  const queryP95 = (by: readonly string[]) => dependencyLatencyQuantile(0.95, [...labelMatchers(service.selector), eq('dependency_system', 'postgresql')], '5m', by);
  const activity = (active: number) => [
    series(s, 'pg_stat_activity_count', { datname: 'app', state: 'active' }, flat(active, 20)),
    series(s, 'pg_stat_activity_count', { datname: 'app', state: 'idle' }, flat(0, 20)),
    series(s, 'pg_settings_max_connections', {}, flat(100, 20)),
  ];
  const queries = (shape: 'fast' | 'justUnder' | 'slow') =>
    histogramAt(service, 'obs_dependency_request_duration_seconds', { dependency_system: 'postgresql', dependency_name: 'orders-db', operation: 'SELECT orders', error_type: '' }, db.latencyP95, shape, 30);
  const busyConnections = Math.min(100, Math.round(db.connectionsRatio * 100) + 5);
  return [
    exporterDown('PostgresExporterDown', 'postgres_exporter', 'PostgreSQL', 'dependencies', 'postgres', pg, escalation),
    {
      name: 'PostgresDown',
      domain: 'dependencies',
      component: 'postgres',
      severity: 'critical',
      expr: `${on(s, 'pg_up')} == 0`,
      for: '2m',
      summary: 'PostgreSQL is not reachable.',
      description: `postgres_exporter at ${at('instance')} cannot connect to PostgreSQL (pg_up is 0).`,
      dashboard: 'dependencies',
      sentry: true,
      runbook: {
        meaning: 'postgres_exporter is running but its last connection to PostgreSQL failed.',
        impact: 'Every request that reads or writes the database fails or hangs; users see errors.',
        confirm: [
          { query: on(s, 'pg_up'), look: '0 for the failing instance.' },
          { query: selector('obs_dependency_request_duration_seconds_count', [...labelMatchers(service.selector), eq('dependency_system', 'postgresql')]), look: 'Rising error_type series from the service side (ECONNREFUSED, 57P01).' },
        ],
        causes: ['PostgreSQL stopped, crashed or is restarting (out of memory, disk full).', 'max_connections reached, so the exporter cannot log in.', 'Credentials of the exporter changed or pg_hba.conf rejects it.'],
        mitigation: ['Check the PostgreSQL log and `pg_isready -h <host>`.', 'Restart PostgreSQL or fail over to the replica.', 'If the disk is full, free WAL or grow the volume before restarting.'],
        escalation,
      },
      cases: [
        fires('PostgreSQL unreachable', [series(s, 'pg_up', {}, flat(0, 20))], '10m'),
        healthy('PostgreSQL reachable', [series(s, 'pg_up', {}, flat(1, 20))], '10m'),
      ],
    },
    {
      name: 'PostgresTooManyConnections',
      domain: 'dependencies',
      component: 'postgres',
      severity: 'warning',
      expr: `${connections} > ${formatNumber(db.connectionsRatio)}`,
      for: '5m',
      threshold: db.connectionsRatio,
      summary: 'PostgreSQL connections are close to max_connections.',
      description: `${at('instance')} uses {{ $value | humanizePercentage }} of max_connections (alert above ${percent(db.connectionsRatio)}).`,
      dashboard: 'dependencies',
      runbook: {
        meaning: `Open connections exceed ${percent(db.connectionsRatio)} of max_connections.`,
        impact: 'Once max_connections is reached new connections are refused: requests fail with "too many clients".',
        confirm: [
          { query: connections, look: 'The share of max_connections in use, per instance.' },
          { query: `sum by (datname, state) (${on(s, 'pg_stat_activity_count')})`, look: 'Which database and state hold the connections; many "idle in transaction" points at a leak.' },
        ],
        causes: ['A connection pool sized larger than max_connections across all replicas of the service.', 'Connections leaked by code that does not release them.', 'Slow queries holding connections longer than usual.'],
        mitigation: ['Lower the pool size per instance or put PgBouncer in front.', 'Terminate idle-in-transaction sessions: `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE state = \'idle in transaction\'`.'],
        escalation,
      },
      cases: [
        fires(`${busyConnections} of 100 connections used`, activity(busyConnections), '15m'),
        healthy('10 of 100 connections used', activity(10), '15m'),
        belowThreshold(`just under ${percent(db.connectionsRatio)}`, activity(Math.round(db.connectionsRatio * 100) - 1), '15m'),
      ],
    },
    {
      name: 'PostgresDeadlocks',
      domain: 'dependencies',
      component: 'postgres',
      severity: 'warning',
      expr: `${deadlocks} > 0`,
      for: '1m',
      summary: 'PostgreSQL detected deadlocks.',
      description: `Database ${at('datname')} on ${at('instance')} had {{ $value | humanize }} deadlocks in the last 10 minutes.`,
      dashboard: 'dependencies',
      sentry: true,
      runbook: {
        meaning: 'PostgreSQL aborted transactions to break lock cycles.',
        impact: 'The aborted transactions fail (SQLSTATE 40P01); requests that do not retry return errors.',
        confirm: [
          { query: `increase(${on(s, 'pg_stat_database_deadlocks')}[1h])`, look: 'Deadlocks per database over the last hour.' },
          { query: selector('obs_dependency_request_duration_seconds_count', [...labelMatchers(service.selector), eq('error_type', '40P01')]), look: 'Which operations of the service hit them.' },
        ],
        causes: ['Two code paths lock the same rows in different orders.', 'A migration or batch job holding locks while the service writes.'],
        mitigation: ['Read the PostgreSQL log: each deadlock is logged with both statements.', 'Lock rows in a consistent order; retry 40P01 errors.'],
        escalation,
      },
      cases: [
        fires('one deadlock a minute', [series(s, 'pg_stat_database_deadlocks', { datid: '16384', datname: 'app' }, counter({ minutes: 20, perMinute: 1 }))], '15m'),
        healthy('no deadlocks', [series(s, 'pg_stat_database_deadlocks', { datid: '16384', datname: 'app' }, flat(3, 20))], '15m'),
      ],
    },
    {
      name: 'PostgresReplicationLag',
      domain: 'dependencies',
      component: 'postgres',
      severity: 'warning',
      expr: `${lag} > ${formatNumber(db.replicationLag)}`,
      for: '5m',
      threshold: db.replicationLag,
      summary: 'A PostgreSQL replica lags behind the primary.',
      description: `Replica ${at('instance')} is {{ $value | humanizeDuration }} behind the primary (alert above ${formatDuration(db.replicationLag)}).`,
      dashboard: 'dependencies',
      runbook: {
        meaning: `The replica has not replayed WAL for more than ${formatDuration(db.replicationLag)} of primary time.`,
        impact: 'Reads served by the replica return stale data; a failover now would lose the lagging transactions.',
        confirm: [
          { query: lag, look: 'Seconds behind the primary, per replica (0 on the primary).' },
          { query: 'SELECT client_addr, state, replay_lag FROM pg_stat_replication; -- on the primary', look: 'The replica\'s state and replay lag as the primary sees them.' },
        ],
        causes: ['A long query on the replica blocks replay (max_standby_streaming_delay).', 'Network or disk I/O between primary and replica saturated.', 'A bulk write or migration on the primary.'],
        mitigation: ['Cancel the long replica query blocking replay.', 'Route reads to the primary until the replica catches up.'],
        escalation,
      },
      cases: [
        fires(`replica ${formatDuration(2 * db.replicationLag)} behind`, [series(s, 'pg_replication_lag_seconds', {}, flat(2 * db.replicationLag, 20))], '15m'),
        fires(`replica ${formatDuration(2 * db.replicationLag)} behind (postgres_exporter < 0.13 with queries.yaml)`, [series(s, 'pg_replication_lag', {}, flat(2 * db.replicationLag, 20))], '15m'),
        healthy('replica 1 s behind', [series(s, 'pg_replication_lag_seconds', {}, flat(1, 20))], '15m'),
        belowThreshold(`just under ${formatDuration(db.replicationLag)}`, [series(s, 'pg_replication_lag_seconds', {}, flat(db.replicationLag - 1, 20))], '15m'),
      ],
    },
    {
      name: 'PostgresLongRunningTransaction',
      domain: 'dependencies',
      component: 'postgres',
      severity: 'warning',
      expr: `${txDuration} > ${formatNumber(db.longTransaction)}`,
      for: '2m',
      threshold: db.longTransaction,
      summary: 'A PostgreSQL transaction has been open for too long.',
      description: `A transaction on ${at('datname')} at ${at('instance')} has run for {{ $value | humanizeDuration }} (alert above ${formatDuration(db.longTransaction)}).`,
      dashboard: 'dependencies',
      runbook: {
        meaning: `A transaction has been open for more than ${formatDuration(db.longTransaction)}.`,
        impact: 'It holds locks and blocks VACUUM: other writes wait, tables bloat, and queries slow down.',
        confirm: [
          { query: txDuration, look: 'The oldest open transaction per database.' },
          { query: "SELECT pid, state, now() - xact_start AS age, query FROM pg_stat_activity WHERE xact_start IS NOT NULL ORDER BY age DESC LIMIT 5;", look: 'Which session, its state (idle in transaction is a leak) and its last query.' },
        ],
        causes: ['Code that opens a transaction and waits on something else (an HTTP call, a model call).', 'A manual psql session left open.', 'A long report or migration.'],
        mitigation: ['Terminate the session with `SELECT pg_terminate_backend(<pid>)` if it is not a planned job.', 'Set idle_in_transaction_session_timeout for the application role.'],
        escalation,
      },
      cases: [
        fires(`transaction open for ${formatDuration(2 * db.longTransaction)}`, [series(s, 'pg_stat_activity_max_tx_duration', { datname: 'app', state: 'idle in transaction' }, flat(2 * db.longTransaction, 20))], '15m'),
        healthy('transactions of a few seconds', [series(s, 'pg_stat_activity_max_tx_duration', { datname: 'app', state: 'active' }, flat(2, 20))], '15m'),
        belowThreshold(`just under ${formatDuration(db.longTransaction)}`, [series(s, 'pg_stat_activity_max_tx_duration', { datname: 'app', state: 'active' }, flat(db.longTransaction - 1, 20))], '15m'),
      ],
    },
    {
      name: 'PostgresSlowQueries',
      domain: 'dependencies',
      component: 'postgres',
      severity: 'warning',
      expr: `${queryP95(['dependency_name'])} > ${formatNumber(db.latencyP95)}`,
      for: '10m',
      threshold: db.latencyP95,
      summary: 'Database queries of the service are slow.',
      description: `p95 of queries to ${at('dependency_name')}, measured by the service, is {{ $value | humanizeDuration }} (alert above ${seconds(db.latencyP95)}).`,
      dashboard: 'dependencies',
      runbook: {
        meaning: `The 95th percentile of PostgreSQL calls timed by the SDK (obs.dependencies.track) exceeds ${seconds(db.latencyP95)}.`,
        impact: 'Requests that query the database are slow; HTTP latency alerts may follow.',
        confirm: [
          { query: queryP95(['dependency_name', 'operation']), look: 'Which operations are slow.' },
          { query: 'SELECT query, mean_exec_time, calls FROM pg_stat_statements ORDER BY mean_exec_time DESC LIMIT 10;', look: 'The slowest statements on the server (needs pg_stat_statements).' },
        ],
        causes: ['A missing index or a plan change after ANALYZE.', 'Lock waits behind a long transaction or a migration.', 'CPU or I/O saturation on the database host.', 'Connection pool exhaustion: time waiting for a connection counts too.'],
        mitigation: ['EXPLAIN ANALYZE the slow operation and add the index it needs.', 'Cancel the blocking session if locks are the cause.'],
        escalation,
      },
      cases: [
        fires('queries between 0.5 and 1 s', queries('slow'), '25m'),
        healthy('queries under 0.25 s', queries('fast'), '25m'),
        belowThreshold(`p95 just under ${seconds(db.latencyP95)}`, queries('justUnder'), '25m'),
      ],
    },
  ];
}

function redisAlerts(redis: ExporterTarget, t: Thresholds, escalation: string): OpsAlert[] {
  const s = redis.selector;
  const sel = labelMatchers(s);
  // Absent while maxmemory is 0 (unlimited): nothing to be near.
  const memory = redisMemoryRatio(sel);
  const mem = (used: number, max = 1000) => [series(s, 'redis_memory_used_bytes', {}, flat(used, 30)), series(s, 'redis_memory_max_bytes', {}, flat(max, 30))];
  return [
    exporterDown('RedisExporterDown', 'redis_exporter', 'Redis', 'dependencies', 'redis', redis, escalation),
    {
      name: 'RedisDown',
      domain: 'dependencies',
      component: 'redis',
      severity: 'critical',
      expr: `${on(s, 'redis_up')} == 0`,
      for: '2m',
      summary: 'Redis is not reachable.',
      description: `redis_exporter at ${at('instance')} cannot reach Redis (redis_up is 0).`,
      dashboard: 'dependencies',
      sentry: true,
      runbook: {
        meaning: 'redis_exporter is running but cannot connect to Redis.',
        impact: 'Caching, sessions, rate limits or queues kept in Redis fail: slower or failing requests.',
        confirm: [{ query: on(s, 'redis_up'), look: '0 for the failing instance.' }],
        causes: ['Redis stopped or was killed (out of memory).', 'Password or TLS settings of the exporter changed.'],
        mitigation: ['Check `redis-cli -h <host> ping` and the Redis log.', 'Restart Redis; with persistence off, expect a cold cache.'],
        escalation,
      },
      cases: [
        fires('Redis unreachable', [series(s, 'redis_up', {}, flat(0, 20))], '10m'),
        healthy('Redis reachable', [series(s, 'redis_up', {}, flat(1, 20))], '10m'),
      ],
    },
    {
      name: 'RedisMemoryNearMax',
      domain: 'dependencies',
      component: 'redis',
      severity: 'warning',
      expr: `${memory} > ${formatNumber(t.redis.memoryRatio)}`,
      for: '10m',
      threshold: t.redis.memoryRatio,
      summary: 'Redis memory is close to maxmemory.',
      description: `Redis ${at('instance')} uses {{ $value | humanizePercentage }} of maxmemory (alert above ${percent(t.redis.memoryRatio)}).`,
      dashboard: 'dependencies',
      runbook: {
        meaning: `Used memory exceeds ${percent(t.redis.memoryRatio)} of the maxmemory limit.`,
        impact: 'At the limit Redis evicts keys (cache misses, lost sessions) or, with noeviction, rejects writes.',
        confirm: [
          { query: memory, look: 'Share of maxmemory in use.' },
          { query: redisEvictionRate(sel, '5m'), look: 'Evictions already happening.' },
        ],
        causes: ['Keys written without a TTL.', 'A traffic or cache-key cardinality increase.', 'maxmemory set too low for the working set.'],
        mitigation: ['Find large keys with `redis-cli --bigkeys` and add TTLs.', 'Raise maxmemory if the host has room.'],
        escalation,
      },
      cases: [
        fires(`${percent(over(t.redis.memoryRatio))} of maxmemory`, mem(over(t.redis.memoryRatio) * 1000), '25m'),
        healthy(`${percent(t.redis.memoryRatio / 2)} of maxmemory`, mem((t.redis.memoryRatio / 2) * 1000), '25m'),
        healthy('no maxmemory limit', mem(5000, 0), '25m'),
        belowThreshold(`just under ${percent(t.redis.memoryRatio)}`, mem(Math.round(t.redis.memoryRatio * 1000) - 1), '25m'),
      ],
    },
    {
      name: 'RedisRejectedConnections',
      domain: 'dependencies',
      component: 'redis',
      severity: 'warning',
      expr: `${countOver(redisRejectedConnectionRate(sel, '5m'), '5m')} > 0`,
      for: '1m',
      summary: 'Redis rejects connections.',
      description: `Redis ${at('instance')} rejected {{ $value | humanize }} connections in 5 minutes (maxclients reached).`,
      dashboard: 'dependencies',
      sentry: true,
      runbook: {
        meaning: 'Redis refused new clients because maxclients was reached.',
        impact: 'The clients refused get errors: requests relying on Redis fail.',
        confirm: [{ query: `${on(s, 'redis_connected_clients')} / ${on(s, 'redis_config_maxclients')}`, look: 'Close to 1 while rejections happen.' }],
        causes: ['A client that opens a connection per request instead of pooling.', 'Connection leaks after errors.', 'More service replicas than maxclients allows.'],
        mitigation: ['Find the client with `redis-cli CLIENT LIST` and fix its pooling.', 'Raise maxclients (and the file descriptor limit).'],
        escalation,
      },
      cases: [
        fires('rejecting connections', [series(s, 'redis_rejected_connections_total', {}, counter({ minutes: 20, perMinute: 5 }))], '10m'),
        healthy('no rejections', [series(s, 'redis_rejected_connections_total', {}, flat(2, 20))], '10m'),
      ],
    },
    {
      name: 'RedisEvictingKeys',
      domain: 'dependencies',
      component: 'redis',
      severity: 'warning',
      expr: `${countOver(redisEvictionRate(sel, '5m'), '5m')} > 0`,
      for: '15m',
      summary: 'Redis keeps evicting keys.',
      description: `Redis ${at('instance')} evicted {{ $value | humanize }} keys in 5 minutes, for 15 minutes.`,
      dashboard: 'dependencies',
      runbook: {
        meaning: 'Redis is at maxmemory and has been dropping keys by its eviction policy for 15 minutes.',
        impact: 'Cache hit ratio falls, so the database and model providers take more load; evicted sessions log users out.',
        confirm: [
          { query: redisEvictionRate(sel, '5m'), look: 'Evictions per second.' },
          { query: memory, look: 'At or near 1.' },
        ],
        causes: ['The working set outgrew maxmemory.', 'Keys without a TTL.'],
        mitigation: ['Raise maxmemory or shorten TTLs.', 'Keep queues and sessions in a Redis without eviction.'],
        escalation,
      },
      cases: [
        fires('evicting for 30 minutes', [series(s, 'redis_evicted_keys_total', {}, counter({ minutes: 40, perMinute: 10 }))], '30m'),
        healthy('no evictions', [series(s, 'redis_evicted_keys_total', {}, flat(0, 40))], '30m'),
      ],
    },
  ];
}

function nginxAlerts(nginx: ExporterTarget, escalation: string): OpsAlert[] {
  const s = nginx.selector;
  const dropped = nginxDroppedConnectionRate(labelMatchers(s), '5m');
  return [
    exporterDown('NginxExporterDown', 'nginx-prometheus-exporter', 'nginx', 'dependencies', 'nginx', nginx, escalation),
    {
      name: 'NginxDown',
      domain: 'dependencies',
      component: 'nginx',
      severity: 'critical',
      expr: `${on(s, 'nginx_up')} == 0`,
      for: '2m',
      summary: 'The nginx status page does not answer.',
      description: `nginx-prometheus-exporter at ${at('instance')} cannot read nginx stub_status (nginx_up is 0).`,
      dashboard: 'dependencies',
      runbook: {
        meaning: 'The exporter runs but nginx does not answer its stub_status page.',
        impact: 'If nginx is down, no request reaches the service.',
        confirm: [{ query: on(s, 'nginx_up'), look: '0 for the failing instance.' }, { query: 'curl -sf http://<nginx>/stub_status', look: 'Whether nginx answers at all.' }],
        causes: ['nginx stopped or failed to reload its configuration.', 'The stub_status location was removed or moved.'],
        mitigation: ['`nginx -t` then restart nginx.', 'Restore the stub_status location the exporter scrapes.'],
        escalation,
      },
      cases: [
        fires('stub_status unreachable', [series(s, 'nginx_up', {}, flat(0, 20))], '10m'),
        healthy('stub_status answers', [series(s, 'nginx_up', {}, flat(1, 20))], '10m'),
      ],
    },
    {
      name: 'NginxConnectionsSaturated',
      domain: 'dependencies',
      component: 'nginx',
      severity: 'warning',
      expr: `${dropped} > 0`,
      for: '5m',
      summary: 'Connections to nginx are dropped: worker_connections is exhausted.',
      description: `nginx ${at('instance')} accepts {{ $value | humanize }} connections/s more than it handles.`,
      dashboard: 'dependencies',
      runbook: {
        meaning: 'nginx accepted connections it could not handle, which happens when a resource limit such as worker_connections is reached (stub_status has no status codes; the service\'s own metrics show errors).',
        impact: 'Clients see connection resets or time-outs before the request reaches the service.',
        confirm: [
          { query: dropped, look: 'Connections per second accepted but not handled.' },
          { query: on(s, 'nginx_connections_active'), look: 'Active connections against worker_processes × worker_connections.' },
        ],
        causes: ['worker_connections too low for the traffic or for long-lived (streaming) responses.', 'The open-file limit of nginx workers.'],
        mitigation: ['Raise worker_connections and worker_rlimit_nofile, then reload nginx.', 'Scale out nginx.'],
        escalation,
      },
      cases: [
        fires('3 of 10 connections/s not handled', [
          series(s, 'nginx_connections_accepted', {}, counter({ minutes: 20, perMinute: 600 })),
          series(s, 'nginx_connections_handled', {}, counter({ minutes: 20, perMinute: 420 })),
        ], '15m'),
        healthy('every connection handled', [
          series(s, 'nginx_connections_accepted', {}, counter({ minutes: 20, perMinute: 600 })),
          series(s, 'nginx_connections_handled', {}, counter({ minutes: 20, perMinute: 600 })),
        ], '15m'),
      ],
    },
  ];
}

/** blackbox_exporter: endpoints probed over HTTP, certificates over TLS; instance = the probe target. */
function probeAlerts(deps: Dependencies, t: Thresholds, escalation: string): OpsAlert[] {
  const targets = [...deps.endpoints, ...deps.certificates];
  if (targets.length === 0) return [];
  const job: Labels = { job: deps.blackboxJob };
  const blackbox: ExporterTarget = { job: deps.blackboxJob, selector: job };
  const probed = (instances: readonly string[]): Matcher[] => [...labelMatchers(job), oneOf('instance', instances)];
  const success = probeSuccess(probed(targets));
  const alerts: OpsAlert[] = [
    { ...exporterDown('BlackboxExporterDown', 'blackbox_exporter', 'endpoint and certificate probing', 'dependencies', 'blackbox', blackbox, escalation), dashboard: 'infrastructure' },
    {
      name: 'EndpointProbeFailed',
      domain: 'dependencies',
      component: 'endpoint',
      severity: 'critical',
      expr: `${success} == 0`,
      for: '5m',
      summary: 'An endpoint fails its blackbox probe.',
      description: `The probe of ${at('instance')} has failed for 5 minutes.`,
      // The probe and certificate panels are on the infrastructure dashboard.
      dashboard: 'infrastructure',
      runbook: {
        meaning: 'blackbox_exporter cannot complete the probe: no connection, a non-2xx answer, a TLS error or a timeout.',
        impact: 'Users reaching this endpoint from outside most likely fail the same way.',
        confirm: [
          { query: success, look: '0 for the failing targets.' },
          { query: selector('probe_http_status_code', probed(targets)), look: 'The HTTP status the probe got (0 = no response).' },
        ],
        causes: ['The service or its load balancer is down.', 'DNS or the certificate changed.', 'A firewall blocks the prober.'],
        mitigation: ['Open the URL yourself, then `curl -v` it from the prober host.', 'Check the service alerts and recent deploys.'],
        escalation,
      },
      cases: [
        fires('probe failing', targets.map((instance) => series(job, 'probe_success', { instance }, flat(0, 20))), '10m'),
        healthy('probe succeeding', targets.map((instance) => series(job, 'probe_success', { instance }, flat(1, 20))), '10m'),
      ],
    },
  ];
  // Certificates come from the TLS probes and from the HTTPS endpoints.
  const tls = [...deps.certificates, ...deps.endpoints.filter((url) => url.startsWith('https://'))];
  if (tls.length === 0) return alerts;
  const left = certificateExpirySeconds(probed(tls));
  const expiring = (severity: 'warning' | 'critical', threshold: number): OpsAlert => {
    // promtool evaluates at `at` = 30m: time() is then 1800.
    const expiresIn = (secondsLeft: number) => tls.map((instance) => series(job, 'probe_ssl_earliest_cert_expiry', { instance }, flat(1800 + secondsLeft, 40)));
    return {
      name: 'TLSCertificateExpiringSoon',
      domain: 'dependencies',
      component: 'certificate',
      severity,
      expr: `${left} < ${formatNumber(threshold)}`,
      for: '15m',
      threshold,
      summary: 'A TLS certificate expires soon.',
      description: `The certificate of ${at('instance')} expires in {{ $value | humanizeDuration }} (alert under ${formatDuration(threshold)}).`,
      // The probe and certificate panels are on the infrastructure dashboard.
      dashboard: 'infrastructure',
      runbook: {
        meaning: `The earliest-expiring certificate of the chain served at the target expires in less than ${formatDuration(threshold)}.`,
        impact: 'Once it expires, browsers and API clients refuse the connection: a full outage for them.',
        confirm: [
          { query: left, look: 'Seconds left per target.' },
          { query: 'echo | openssl s_client -connect <host>:<port> -servername <host> 2>/dev/null | openssl x509 -noout -enddate -issuer', look: 'The served certificate\'s expiry and issuer.' },
        ],
        causes: ['Automatic renewal (certbot, cert-manager) fails: ACME challenge blocked, rate limit, DNS change.', 'The renewed certificate was not reloaded by the server.', 'A manually installed certificate nobody renewed.'],
        mitigation: ['Run the renewal by hand and read its error (`certbot renew --dry-run`, `kubectl describe certificate`).', 'Reload the server that terminates TLS.'],
        escalation,
      },
      cases: [
        fires(`expires in ${formatDuration(threshold / 2)}`, expiresIn(Math.round(threshold / 2)), '30m'),
        healthy('expires in 60 days', expiresIn(60 * DAY), '30m'),
        belowThreshold(`expires in ${formatDuration(threshold)} and an hour`, expiresIn(threshold + 3600), '30m'),
      ],
    };
  };
  return [...alerts, expiring('warning', t.certificates.warning), expiring('critical', t.certificates.critical)];
}

function queueAlerts(service: Service, names: readonly string[], t: Thresholds, escalation: string): OpsAlert[] {
  const only = names.length > 0 ? [oneOf('queue', names)] : [];
  const sel = [...labelMatchers(service.selector), ...only];
  const backlog = queueBacklog(sel);
  const workers = queueWorkerCount(sel);
  const jobs = (extra: Matcher[] = []) => own(service, 'obs_queue_job_duration_seconds_count', [...only, ...extra]);
  const queue = names[0] ?? 'emails';
  const growingFor = t.queues.backlogGrowingFor;
  const growing = `${backlog} > 0 and ${queueBacklogChange(sel, '5m')} > 0`;
  const jobRuns = (failedPerMinute: number) => [
    input(service, 'obs_queue_job_duration_seconds_count', { queue, result: 'success' }, counter({ minutes: 30, perMinute: 100 - failedPerMinute })),
    input(service, 'obs_queue_job_duration_seconds_count', { queue, result: 'failure' }, counter({ minutes: 30, perMinute: failedPerMinute })),
  ];
  const minutes = Math.ceil(growingFor / 60);
  return [
    {
      name: 'QueueBacklogGrowing',
      domain: 'dependencies',
      component: 'queue',
      severity: 'warning',
      expr: growing,
      for: formatDuration(growingFor),
      summary: 'A job queue keeps growing.',
      description: `Queue ${at('queue')} holds {{ $value | humanize }} waiting jobs and has kept growing for ${formatDuration(growingFor)}.`,
      dashboard: 'dependencies',
      runbook: {
        meaning: `Jobs are added to the queue faster than the workers finish them, without pause for ${formatDuration(growingFor)}.`,
        impact: 'Background work (e-mails, document ingestion, model calls) is delayed more and more.',
        confirm: [
          { query: backlog, look: 'The backlog per queue, rising.' },
          { query: `sum by (queue, result) (rate(${jobs()}[5m]))`, look: 'Jobs finished per second: flat or falling while the backlog rises.' },
        ],
        causes: ['Too few workers for the load, or workers stuck on a slow dependency.', 'A burst of enqueued work (a batch import).', 'Jobs failing and being retried.'],
        mitigation: ['Scale the workers out.', 'Check the dependency the jobs call (model provider, database).'],
        escalation,
      },
      cases: [
        fires(`backlog growing for ${formatDuration(growingFor + 600)}`, [input(service, 'obs_queue_depth', { queue }, `5+2x${minutes + 20}`)], formatDuration(growingFor + 600)),
        healthy('backlog stable', [input(service, 'obs_queue_depth', { queue }, flat(5, minutes + 20))], formatDuration(growingFor + 600)),
        belowThreshold('backlog grew for 5 minutes, then stable', [input(service, 'obs_queue_depth', { queue }, `5+2x5 15x${minutes + 20}`)], formatDuration(Math.max(growingFor - 60, 60))),
      ],
    },
    {
      name: 'QueueJobFailures',
      domain: 'dependencies',
      component: 'queue',
      severity: 'warning',
      expr: `${queueFailureRatio(sel, '5m')} > ${formatNumber(QUEUE_JOB_FAILURE_RATIO)}`,
      for: '10m',
      threshold: QUEUE_JOB_FAILURE_RATIO,
      summary: 'Jobs of a queue fail.',
      description: `{{ $value | humanizePercentage }} of the jobs of queue ${at('queue')} fail (alert above ${percent(QUEUE_JOB_FAILURE_RATIO)}).`,
      dashboard: 'dependencies',
      sentry: true,
      runbook: {
        meaning: `More than ${percent(QUEUE_JOB_FAILURE_RATIO)} of the jobs finished with an error over 5 minutes, for 10 minutes.`,
        impact: 'The work those jobs do is not done or is retried later.',
        confirm: [{ query: `sum by (queue, result) (rate(${jobs()}[5m]))`, look: 'Jobs per second by result.' }],
        causes: ['A dependency of the jobs fails (database, model provider).', 'Bad input data, or a deploy that broke the job code.'],
        mitigation: ['Read the errors in Sentry and the worker logs.', 'Pause the producer or roll back the worker deploy.'],
        escalation,
      },
      cases: [
        fires('10% of jobs fail', jobRuns(10), '25m'),
        healthy('no job fails', jobRuns(0), '25m'),
        belowThreshold(`just under ${percent(QUEUE_JOB_FAILURE_RATIO)}`, jobRuns(Math.round(QUEUE_JOB_FAILURE_RATIO * 100) - 1), '25m'),
      ],
    },
    {
      name: 'QueueWorkersAbsent',
      domain: 'dependencies',
      component: 'queue',
      severity: 'critical',
      expr: `${backlog} > 0 unless on (queue) ${workers} > 0`,
      for: '10m',
      summary: 'A queue has jobs waiting and no worker running.',
      description: `Queue ${at('queue')} has {{ $value | humanize }} jobs waiting and no worker reports for it.`,
      dashboard: 'dependencies',
      runbook: {
        meaning: 'The queue has a backlog but no process reports a running worker for it (obs_queue_workers is 0 or gone).',
        impact: 'No background job of this queue runs until a worker is back.',
        confirm: [
          { query: workers, look: 'Empty or 0 for the queue.' },
          { query: backlog, look: 'The waiting jobs.' },
        ],
        causes: ['The worker deployment is scaled to zero or crash-loops.', 'Workers cannot connect to the broker.', 'Workers run but are not scraped (check the scrape target).'],
        mitigation: ['Start or scale up the workers; read their logs for the crash.'],
        escalation,
      },
      cases: [
        fires('jobs waiting, no worker reporting', [input(service, 'obs_queue_depth', { queue }, flat(12, 30))], '20m'),
        fires('jobs waiting, workers at 0', [input(service, 'obs_queue_depth', { queue }, flat(12, 30)), input(service, 'obs_queue_workers', { queue }, flat(0, 30))], '20m'),
        healthy('two workers running', [input(service, 'obs_queue_depth', { queue }, flat(12, 30)), input(service, 'obs_queue_workers', { queue }, flat(2, 30))], '20m'),
      ],
    },
  ];
}

function backupAlerts(backups: Backups, escalation: string): OpsAlert[] {
  const only = backups.names.length > 0 ? [oneOf('backup', backups.names)] : [];
  const job: Labels = { job: backups.job };
  const sel = [...labelMatchers(job), ...only];
  const age = backupAge(sel);
  const lastRun = backupLastRunSucceeded(sel);
  const rpo = backups.rpo;
  const name = backups.names[0] ?? 'postgres';
  // promtool evaluates 45 minutes past the RPO, on a 15m step (time() is then `at`): BackupTooOld's 15m
  // `for` has passed even in the 15m-interval test file that cases longer than a day go to.
  const atSeconds = Math.ceil(rpo / 900) * 900 + 2700;
  const samples = Math.ceil(atSeconds / 60) + 10;
  const lastSuccessAt = (value: number) => [series(job, 'obs_backup_last_success_timestamp_seconds', { backup: name }, flat(value, samples))];
  const alerts: OpsAlert[] = [
    {
      name: 'BackupTooOld',
      domain: 'dependencies',
      component: 'backup',
      severity: 'warning',
      expr: `${age} > ${formatNumber(rpo)}`,
      for: '15m',
      threshold: rpo,
      summary: 'The last successful backup is older than the RPO.',
      description: `The last successful ${at('backup')} backup ended {{ $value | humanizeDuration }} ago (RPO ${formatDuration(rpo)}).`,
      dashboard: 'dependencies',
      runbook: {
        meaning: `No run of the backup has succeeded for longer than the recovery point objective (${formatDuration(rpo)}).`,
        impact: 'No user impact now; a data loss now would lose more than the RPO promises.',
        confirm: [
          { query: age, look: 'Seconds since the last successful backup, per backup.' },
          { query: lastRun, look: '0 when the latest run failed; unchanged when the job no longer runs.' },
        ],
        causes: ['The backup job fails (see BackupFailed), or its schedule (cron, CronJob) stopped.', 'The job no longer pushes its metrics (Pushgateway down, wrong job label).'],
        mitigation: ['Run the backup by hand and watch its log.', 'Fix the schedule, then check that the metrics arrive.'],
        escalation,
      },
      cases: [
        fires(`last success ${formatDuration(atSeconds)} ago`, lastSuccessAt(0), formatDuration(atSeconds)),
        healthy('a backup every minute', [series(job, 'obs_backup_last_success_timestamp_seconds', { backup: name }, `0+60x${samples}`)], formatDuration(atSeconds)),
        belowThreshold(`last success a minute inside the RPO`, lastSuccessAt(atSeconds - rpo + 60), formatDuration(atSeconds)),
      ],
    },
    {
      name: 'BackupFailed',
      domain: 'dependencies',
      component: 'backup',
      severity: 'warning',
      expr: `${lastRun} == 0`,
      for: '5m',
      summary: 'The latest backup run failed.',
      description: `The latest run of the ${at('backup')} backup failed.`,
      dashboard: 'dependencies',
      runbook: {
        meaning: 'The backup job reported its latest run as failed (obs_backup_last_run_success = 0).',
        impact: 'None yet; the recovery point ages until a run succeeds (BackupTooOld).',
        confirm: [{ query: lastRun, look: '0 for the failed backup.' }, { query: age, look: 'How far from the RPO the last success is.' }],
        causes: ['Storage target full or unreachable (S3, MinIO credentials).', 'The database refused the dump (permissions, locks, timeout).'],
        mitigation: ['Read the job log, fix the cause and re-run the backup.'],
        escalation,
      },
      cases: [
        fires('latest run failed', [series(job, 'obs_backup_last_run_success', { backup: name }, flat(0, 20))], '10m'),
        healthy('latest run succeeded', [series(job, 'obs_backup_last_run_success', { backup: name }, flat(1, 20))], '10m'),
      ],
    },
  ];
  if (backups.names.length === 0) return alerts;
  const absent = backups.names.map((backup) => `absent(${selector('obs_backup_last_success_timestamp_seconds', [...labelMatchers(job), eq('backup', backup)])})`).join(' or ');
  return [
    ...alerts,
    {
      name: 'BackupNotReported',
      domain: 'dependencies',
      component: 'backup',
      severity: 'warning',
      expr: absent,
      for: '30m',
      summary: 'A configured backup reports no metrics.',
      description: `No obs_backup_last_success_timestamp_seconds series for backup ${at('backup')} in job ${backups.job}.`,
      dashboard: 'dependencies',
      runbook: {
        meaning: 'A backup named in the config has not reported its last success for 30 minutes: its age cannot be judged.',
        impact: 'BackupTooOld cannot fire for it; the backup may not be running at all.',
        confirm: [{ query: `count by (backup) (${selector('obs_backup_last_success_timestamp_seconds', labelMatchers(job))})`, look: 'Which backups do report.' }],
        causes: ['The job never pushed (first deployment, wrong Pushgateway URL).', 'The job label or backup name differs from the config.', 'The Pushgateway restarted without persistence.'],
        mitigation: ['Run the backup and check that the metric appears with the expected labels.'],
        escalation,
      },
      cases: [
        fires('no series for the backup', [series(job, 'obs_backup_last_success_timestamp_seconds', { backup: 'some-other-backup' }, flat(0, 50))], '40m'),
        healthy('every configured backup reports', backups.names.map((backup) => series(job, 'obs_backup_last_success_timestamp_seconds', { backup }, flat(0, 50))), '40m'),
      ],
    },
  ];
}
