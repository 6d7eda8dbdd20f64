/**
 * Which exporters the stack runs, under which Prometheus job, and their config files under
 * exporters/<name>/. node_exporter and cAdvisor always run (they watch the stack's own host); the
 * others run when a service's `dependencies` names them.
 */
import type { Dependencies, ExporterTarget } from '../../model/ops-types.js';
import type { Model } from '../../model/types.js';
import type { GeneratedFile } from '../types.js';
import { STACK_PORTS } from '../stack-ids.js';

export type ExporterService = 'node-exporter' | 'cadvisor' | 'postgres-exporter' | 'redis-exporter' | 'nginx-exporter';

export interface ScrapedExporter {
  /** Compose service name. */
  readonly service: ExporterService;
  /** Prometheus job: the one the alerts select (dependencies.<x>.job). */
  readonly job: string;
  readonly port: number;
}

export interface BlackboxProbes {
  readonly job: string;
  readonly certificates: readonly string[];
  readonly endpoints: readonly string[];
}

const DEPENDENCY_EXPORTERS: readonly [keyof Dependencies, ExporterService, string][] = [
  ['host', 'node-exporter', 'node'],
  ['containers', 'cadvisor', 'cadvisor'],
  ['postgres', 'postgres-exporter', ''],
  ['redis', 'redis-exporter', ''],
  ['nginx', 'nginx-exporter', ''],
];

/** Exporters to run and scrape, one per compose service, in a stable order. */
export function scrapedExporters(model: Model): ScrapedExporter[] {
  const out: ScrapedExporter[] = [];
  for (const [key, service, alwaysJob] of DEPENDENCY_EXPORTERS) {
    const target = model.services.map((s) => s.ops?.dependencies[key] as ExporterTarget | undefined).find((t) => t !== undefined);
    const job = target?.job ?? alwaysJob;
    if (job === '') continue;
    out.push({ service, job, port: STACK_PORTS[service] });
  }
  return out;
}

/** What blackbox_exporter probes: every service's certificates and endpoints, deduplicated. */
export function blackboxProbes(model: Model): BlackboxProbes | undefined {
  const deps = model.services.flatMap((s) => (s.ops ? [s.ops.dependencies] : []));
  const certificates = [...new Set(deps.flatMap((d) => d.certificates))];
  const endpoints = [...new Set(deps.flatMap((d) => d.endpoints))];
  if (certificates.length === 0 && endpoints.length === 0) return undefined;
  return { job: deps[0]!.blackboxJob, certificates, endpoints };
}

/** Whether a backup job pushes the backup contract's gauges (dependencies.backups): then a Pushgateway runs. */
export function pushesBackups(model: Model): boolean {
  return model.services.some((s) => s.ops?.dependencies.backups !== undefined);
}

/** blackbox_exporter modules: `http_2xx` for endpoints, `tls_connect` for certificate expiry. */
export const BLACKBOX_MODULES = {
  modules: {
    http_2xx: {
      prober: 'http',
      timeout: '5s',
      http: { preferred_ip_protocol: 'ip4', ip_protocol_fallback: true, follow_redirects: true, fail_if_not_ssl: false },
    },
    tls_connect: {
      prober: 'tcp',
      timeout: '5s',
      tcp: { preferred_ip_protocol: 'ip4', tls: true },
    },
  },
} as const;

/**
 * postgres_exporter's extra queries (--extend.query-path): `pg_replication_lag` for exporters before
 * 0.13 (which do not export pg_replication_lag_seconds). Columns become metrics named <query>_<column>;
 * nothing here may repeat a built-in collector's name (the exporter fails the scrape on duplicates).
 */
export const POSTGRES_QUERIES = {
  pg_replication: {
    query:
      'SELECT CASE WHEN NOT pg_is_in_recovery() THEN 0 ELSE GREATEST(0, EXTRACT(EPOCH FROM (now() - pg_last_xact_replay_timestamp()))) END AS lag',
    master: true,
    metrics: [{ lag: { usage: 'GAUGE', description: 'Replication lag behind the primary in seconds.' } }],
  },
} as const;

export const BLACKBOX_CONFIG_PATH = 'exporters/blackbox/blackbox.yml';
export const POSTGRES_QUERIES_PATH = 'exporters/postgres/queries.yaml';

/** exporters/<name>/ files for the exporters that run. */
export function exporterConfigFiles(model: Model): GeneratedFile[] {
  const files: GeneratedFile[] = [];
  if (blackboxProbes(model)) files.push({ path: BLACKBOX_CONFIG_PATH, content: BLACKBOX_MODULES });
  if (scrapedExporters(model).some((e) => e.service === 'postgres-exporter')) files.push({ path: POSTGRES_QUERIES_PATH, content: POSTGRES_QUERIES });
  return files;
}
