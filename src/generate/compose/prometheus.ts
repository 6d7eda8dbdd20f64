/**
 * compose/prometheus/prometheus.yml: scrape jobs for the services, the exporters, blackbox probes and the
 * stack itself; every rule file of rules/ (by glob, so new domains need no edit here); Alertmanager;
 * optional remote_write to Mimir, Cortex or Thanos Receive.
 */
import { formatDuration } from '../../model/duration.js';
import type { Stack } from '../../model/stack-types.js';
import type { Model } from '../../model/types.js';
import { CONTAINER_PATHS, STACK_PORTS } from '../stack-ids.js';
import { blackboxProbes, pushesBackups, scrapedExporters } from './exporters.js';
import type { PrometheusConfig, RemoteWriteConfig, ScrapeConfig } from './types.js';

/** Where the metrics bearer token is mounted (a compose secret). */
export const METRICS_TOKEN_PATH = '/run/secrets/metrics_token';
/** rule_files glob: rules/<service>-<domain>.rules.yml and the SLO files; rules/loki/ is Loki's. */
export const RULE_FILES_GLOB = `${CONTAINER_PATHS.prometheusRules}/*.rules.yml`;

export function prometheusConfig(model: Model, stack: Stack): PrometheusConfig {
  const interval = formatDuration(stack.prometheus.scrapeInterval);
  const remoteWrite = stack.prometheus.remoteWrite.map(remoteWriteConfig);
  return {
    global: {
      scrape_interval: interval,
      evaluation_interval: interval,
      // Identifies this Prometheus in Mimir/Thanos (and in federated alerts).
      external_labels: { cluster: 'obs' },
    },
    rule_files: [RULE_FILES_GLOB],
    alerting: { alertmanagers: [{ static_configs: [{ targets: [`alertmanager:${STACK_PORTS.alertmanager}`] }] }] },
    scrape_configs: [...stackJobs(), ...serviceJobs(model, stack), ...exporterJobs(model), ...blackboxJobs(model), ...pushgatewayJobs(model)],
    ...(remoteWrite.length > 0 && { remote_write: remoteWrite }),
  };
}

function stackJobs(): ScrapeConfig[] {
  return [
    { job_name: 'prometheus', static_configs: [{ targets: [`localhost:${STACK_PORTS.prometheus}`] }] },
    { job_name: 'alertmanager', static_configs: [{ targets: [`alertmanager:${STACK_PORTS.alertmanager}`] }] },
    { job_name: 'loki', static_configs: [{ targets: [`loki:${STACK_PORTS.loki}`] }] },
    { job_name: 'alloy', static_configs: [{ targets: [`alloy:${STACK_PORTS.alloy}`] }] },
    { job_name: 'tempo', static_configs: [{ targets: [`tempo:${STACK_PORTS.tempo}`] }] },
  ];
}

/** One job per service, named after its selector's job so the SLO and service alerts find the series. */
function serviceJobs(model: Model, stack: Stack): ScrapeConfig[] {
  return model.services.map((service) => ({
    job_name: service.selector['job'] ?? service.name,
    ...(stack.prometheus.metricsTokenFile !== undefined && { authorization: { type: 'Bearer' as const, credentials_file: METRICS_TOKEN_PATH } }),
    static_configs: [{ targets: stack.prometheus.targets[service.name] ?? [`${service.name}:9464`] }],
  }));
}

function exporterJobs(model: Model): ScrapeConfig[] {
  return scrapedExporters(model).map((e) => ({ job_name: e.job, static_configs: [{ targets: [`${e.service}:${e.port}`] }] }));
}

/**
 * Two probe jobs (a module each) that both carry `job=<blackboxJob>`, the label the certificate and
 * endpoint alerts select; `instance` is the probed target, not the exporter.
 */
function blackboxJobs(model: Model): ScrapeConfig[] {
  const probes = blackboxProbes(model);
  if (!probes) return [];
  const probe = (suffix: string, module: string, targets: readonly string[]): ScrapeConfig => ({
    job_name: `${probes.job}-${suffix}`,
    metrics_path: '/probe',
    params: { module: [module] },
    static_configs: [{ targets }],
    relabel_configs: [
      { source_labels: ['__address__'], target_label: '__param_target' },
      { source_labels: ['__param_target'], target_label: 'instance' },
      { target_label: '__address__', replacement: `blackbox-exporter:${STACK_PORTS['blackbox-exporter']}` },
      { target_label: 'job', replacement: probes.job },
      { target_label: 'module', replacement: module },
    ],
  });
  return [
    ...(probes.endpoints.length > 0 ? [probe('endpoints', 'http_2xx', probes.endpoints)] : []),
    ...(probes.certificates.length > 0 ? [probe('certificates', 'tls_connect', probes.certificates)] : []),
  ];
}

/** Backup jobs push to the Pushgateway under their own `job` (backups.job), which honor_labels keeps. */
function pushgatewayJobs(model: Model): ScrapeConfig[] {
  if (!pushesBackups(model)) return [];
  return [{ job_name: 'pushgateway', honor_labels: true, static_configs: [{ targets: [`pushgateway:${STACK_PORTS.pushgateway}`] }] }];
}

/** Secrets of remote_write are files mounted under /run/secrets/remote_write_<n>. */
export function remoteWriteSecretPath(index: number): string {
  return `/run/secrets/remote_write_${index}`;
}

function remoteWriteConfig(rw: Stack['prometheus']['remoteWrite'][number], index: number): RemoteWriteConfig {
  return {
    url: rw.url,
    ...(rw.name !== undefined && { name: rw.name }),
    ...(rw.tenant !== undefined && { headers: { 'X-Scope-OrgID': rw.tenant } }),
    ...(rw.basicAuth && { basic_auth: { username: rw.basicAuth.username, password_file: remoteWriteSecretPath(index) } }),
    ...(rw.bearerTokenFile !== undefined && { authorization: { type: 'Bearer' as const, credentials_file: remoteWriteSecretPath(index) } }),
  };
}
