/**
 * Dependencies: what the service experiences (the SDK's client-side latency and errors) beside what the
 * dependency reports about itself (postgres_exporter, redis_exporter, nginx-prometheus-exporter).
 */
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import type { Dashboard, Panel } from '@grafana/grafana-foundation-sdk/dashboard';
import type { ExporterTarget, Service } from '../../../model/types.js';
import { eq, oneOf } from '../../../promql/build.js';
import {
  cacheHitRatio,
  dependencyCallRate,
  dependencyErrorRatio,
  dependencyLatencyQuantile,
  nginxActiveConnections,
  nginxDroppedConnectionRate,
  nginxRequestRate,
  postgresConnectionsByState,
  postgresConnectionsRatio,
  postgresDeadlockRate,
  postgresLongestTransaction,
  postgresReplicationLag,
  queueBacklog,
  queueFailureRatio,
  queueJobDurationQuantile,
  queueWorkerCount,
  redisClients,
  redisEvictionRate,
  redisMemoryRatio,
  redisRejectedConnectionRate,
} from '../../queries/index.js';
import {
  badAbove,
  badBelow,
  buildDashboard,
  jobInstanceVariables,
  prometheusDatasourceVariable,
  RATE_INTERVAL,
  type Row,
  serviceScope,
  targetScope,
  timeseriesPanel,
} from '../kit.js';
import { percent, seconds } from '../words.js';

/** The jobs this dashboard reads: the service's own and each configured exporter's. */
export function dependencyJobs(service: Service): string[] {
  const d = service.ops!.dependencies;
  const targets = [d.postgres, d.redis, d.nginx].filter((t): t is ExporterTarget => t !== undefined);
  return [...new Set([service.selector['job'] ?? service.name, ...targets.map((t) => t.job)])];
}

/** The SDK's dependency_system values the exporters correspond to (OTel db.system.name). */
const SYSTEM = { postgres: 'postgresql', redis: 'redis', nginx: 'http' } as const;

export function hasDependencies(service: Service): boolean {
  const d = service.ops?.dependencies;
  return d !== undefined && (d.postgres !== undefined || d.redis !== undefined || d.nginx !== undefined || d.queues !== undefined);
}

export function dependenciesDashboard(service: Service): Dashboard {
  const ops = service.ops!;
  const d = ops.dependencies;
  const t = ops.thresholds;
  const sel = serviceScope(service);
  const rows: Row[] = [
    {
      title: 'Seen from the service (obs SDK)',
      panels: [
        timeseriesPanel({
          title: 'Dependency call p95',
          description: `95th percentile of the service's calls to each dependency, measured by the SDK; exemplars open the trace. Good: databases under ${seconds(t.database.latencyP95)} (dashed line, the DatabaseLatency alert's threshold).`,
          unit: 's',
          min: 0,
          width: 6,
          exemplars: true,
          thresholds: badAbove(t.database.latencyP95),
          queries: [{ expr: dependencyLatencyQuantile(0.95, sel, RATE_INTERVAL), legend: '{{dependency_system}} {{dependency_name}}' }],
        }),
        timeseriesPanel({
          title: 'Dependency calls',
          description: 'Calls per second to each dependency, as the SDK counts them. Good: follows the request rate; a jump without more requests is a retry loop or an N+1 query.',
          unit: 'ops',
          min: 0,
          width: 6,
          queries: [{ expr: dependencyCallRate(sel, RATE_INTERVAL), legend: '{{dependency_system}} {{dependency_name}}' }],
        }),
        timeseriesPanel({
          title: 'Dependency error ratio',
          description: 'Share of calls to each dependency that failed (error_type set). Good: near zero.',
          unit: 'percentunit',
          min: 0,
          width: 6,
          thresholds: badAbove(0.01),
          queries: [{ expr: dependencyErrorRatio(sel, RATE_INTERVAL), legend: '{{dependency_system}} {{dependency_name}}' }],
        }),
        timeseriesPanel({
          title: 'Application cache hit ratio',
          description: 'Share of lookups in each application cache (obs.dependencies.cache) that hit. Good: stable and high; a drop sends the load to the database.',
          unit: 'percentunit',
          min: 0,
          max: 1,
          width: 6,
          thresholds: badBelow(0.5),
          queries: [{ expr: cacheHitRatio(sel, RATE_INTERVAL), legend: '{{cache}}' }],
        }),
      ],
    },
  ];
  if (d.postgres) rows.push(postgresRow(service, d.postgres));
  if (d.redis) rows.push(redisRow(service, d.redis));
  if (d.nginx) rows.push(nginxRow(d.nginx));
  if (d.queues) rows.push(queuesRow(service, d.queues.names));
  return buildDashboard({
    service,
    kind: 'dependencies',
    title: `${service.name} / Dependencies`,
    description: `The dependencies of ${service.name} from both sides: the SDK's client-side view and each dependency's exporter.`,
    variables: [prometheusDatasourceVariable(), ...jobInstanceVariables([oneOf('job', dependencyJobs(service))])],
    rows,
  });
}

/** The SDK's calls to one kind of dependency, beside its exporter's panels. */
function clientSide(service: Service, system: string, title: string, threshold?: number): cog.Builder<Panel> {
  return timeseriesPanel({
    title: `${title}: calls seen from the service`,
    description: `95th percentile of the service's ${system} calls as the SDK measures them, beside the exporter's view.` + (threshold === undefined ? ' Good: a few milliseconds and steady; a climb here with a flat server side is the network or the client pool.' : ` Good: p95 under ${seconds(threshold)}.`),
    unit: 's',
    min: 0,
    width: 6,
    exemplars: true,
    ...(threshold !== undefined && { thresholds: badAbove(threshold) }),
    queries: [{ expr: dependencyLatencyQuantile(0.95, [...serviceScope(service), eq('dependency_system', system)], RATE_INTERVAL), legend: 'p95 {{dependency_name}}' }],
  });
}

function postgresRow(service: Service, target: ExporterTarget): Row {
  const sel = targetScope(target);
  const t = service.ops!.thresholds.database;
  return {
    title: 'PostgreSQL (postgres_exporter)',
    panels: [
      clientSide(service, SYSTEM.postgres, 'PostgreSQL', t.latencyP95),
      timeseriesPanel({
        title: 'PostgreSQL connections used',
        description: `Connections as a share of max_connections. Good: under ${percent(t.connectionsRatio)} (dashed line, the alert's threshold); at 100% new connections fail.`,
        unit: 'percentunit',
        min: 0,
        max: 1,
        width: 6,
        thresholds: badAbove(t.connectionsRatio),
        queries: [{ expr: postgresConnectionsRatio(sel), legend: '{{instance}}' }],
      }),
      timeseriesPanel({
        title: 'PostgreSQL connections by state',
        description: 'Connections by state. Good: few `idle in transaction`; many of them hold locks and connections.',
        unit: 'short',
        min: 0,
        width: 6,
        queries: [{ expr: postgresConnectionsByState(sel), legend: '{{state}}' }],
      }),
      timeseriesPanel({
        title: 'PostgreSQL longest transaction',
        description: `Age of the oldest running transaction. Good: under ${seconds(t.longTransaction)}; long transactions block vacuum and hold locks.`,
        unit: 's',
        min: 0,
        width: 6,
        thresholds: badAbove(t.longTransaction),
        queries: [{ expr: postgresLongestTransaction(sel), legend: '{{instance}} {{datname}}' }],
      }),
      timeseriesPanel({
        title: 'PostgreSQL replication lag',
        description: `How far replicas are behind the primary. Good: under ${seconds(t.replicationLag)}; reads from a lagging replica are stale.`,
        unit: 's',
        min: 0,
        width: 12,
        thresholds: badAbove(t.replicationLag),
        queries: [{ expr: postgresReplicationLag(sel), legend: '{{instance}}' }],
      }),
      timeseriesPanel({
        title: 'PostgreSQL deadlocks',
        description: 'Deadlocks per second per database. Good: zero; each one aborted a transaction.',
        unit: 'ops',
        min: 0,
        width: 12,
        queries: [{ expr: postgresDeadlockRate(sel, RATE_INTERVAL), legend: '{{datname}}' }],
      }),
    ],
  };
}

function redisRow(service: Service, target: ExporterTarget): Row {
  const sel = targetScope(target);
  const t = service.ops!.thresholds.redis;
  return {
    title: 'Redis (redis_exporter)',
    panels: [
      clientSide(service, SYSTEM.redis, 'Redis'),
      timeseriesPanel({
        title: 'Redis memory used / maxmemory',
        description: `Memory used as a share of maxmemory (empty when maxmemory is unlimited). Good: under ${percent(t.memoryRatio)} (dashed line); at the limit Redis evicts or refuses writes.`,
        unit: 'percentunit',
        min: 0,
        max: 1,
        width: 6,
        thresholds: badAbove(t.memoryRatio),
        queries: [{ expr: redisMemoryRatio(sel), legend: '{{instance}}' }],
      }),
      timeseriesPanel({
        title: 'Redis connected clients',
        description: 'Client connections open now. Good: near the services\' pool sizes, far from maxclients.',
        unit: 'short',
        min: 0,
        width: 6,
        queries: [{ expr: redisClients(sel), legend: '{{instance}}' }],
      }),
      timeseriesPanel({
        title: 'Redis evictions and rejected connections',
        description: 'Keys evicted for lack of memory and connections refused at maxclients, per second. Good: zero unless Redis is a pure cache.',
        unit: 'ops',
        min: 0,
        width: 6,
        queries: [
          { expr: redisEvictionRate(sel, RATE_INTERVAL), legend: 'evicted {{instance}}' },
          { expr: redisRejectedConnectionRate(sel, RATE_INTERVAL), legend: 'rejected {{instance}}' },
        ],
      }),
    ],
  };
}

function nginxRow(target: ExporterTarget): Row {
  const sel = targetScope(target);
  return {
    title: 'Nginx (nginx-prometheus-exporter, stub_status: no status codes)',
    panels: [
      timeseriesPanel({
        title: 'Nginx requests',
        description: 'Requests per second Nginx served (all status codes: stub_status has none; see the service overview for 5xx). Good: follows the service request rate.',
        unit: 'reqps',
        min: 0,
        width: 8,
        queries: [{ expr: nginxRequestRate(sel, RATE_INTERVAL), legend: '{{instance}}' }],
      }),
      timeseriesPanel({
        title: 'Nginx active connections',
        description: 'Client connections open now. Good: well under worker_connections × workers.',
        unit: 'short',
        min: 0,
        width: 8,
        queries: [{ expr: nginxActiveConnections(sel), legend: '{{instance}}' }],
      }),
      timeseriesPanel({
        title: 'Nginx dropped connections',
        description: 'Connections accepted but not handled per second (worker_connections exhausted). Good: zero.',
        unit: 'ops',
        min: 0,
        width: 8,
        thresholds: badAbove(0.001),
        queries: [{ expr: nginxDroppedConnectionRate(sel, RATE_INTERVAL), legend: '{{instance}}' }],
      }),
    ],
  };
}

function queuesRow(service: Service, names: readonly string[]): Row {
  const sel = [...serviceScope(service), ...(names.length > 0 ? [oneOf('queue', names)] : [])];
  return {
    title: 'Queues and background jobs (obs SDK)',
    panels: [
      timeseriesPanel({
        title: 'Queue backlog',
        description: 'Jobs waiting per queue. Good: drains back to near zero; a backlog growing for a long time means workers cannot keep up.',
        unit: 'short',
        min: 0,
        width: 6,
        queries: [{ expr: queueBacklog(sel), legend: '{{queue}}' }],
      }),
      timeseriesPanel({
        title: 'Queue workers',
        description: 'Workers running per queue. Good: at least one for every queue with a backlog.',
        unit: 'short',
        min: 0,
        width: 6,
        thresholds: badBelow(1),
        queries: [{ expr: queueWorkerCount(sel), legend: '{{queue}}' }],
      }),
      timeseriesPanel({
        title: 'Job failure ratio',
        description: 'Share of finished jobs that failed, per queue. Good: near zero.',
        unit: 'percentunit',
        min: 0,
        width: 6,
        thresholds: badAbove(0.05),
        queries: [{ expr: queueFailureRatio(sel, RATE_INTERVAL), legend: '{{queue}}' }],
      }),
      timeseriesPanel({
        title: 'Job duration p95',
        description: 'How long jobs take, 95th percentile per queue. Good: steady; growth with the backlog means a slow dependency.',
        unit: 's',
        min: 0,
        width: 6,
        queries: [{ expr: queueJobDurationQuantile(0.95, sel, RATE_INTERVAL), legend: '{{queue}}' }],
      }),
    ],
  };
}
