/**
 * The bundle's Prometheus and Alertmanager configs, rewritten for the processes `obs dev` runs on
 * 127.0.0.1: compose service names become local ports, what is not running is dropped (and said so),
 * receivers that would reach the outside world become one local webhook. Pure: configs in, configs out.
 */
import { basename } from 'node:path';
import type { AlertmanagerConfig, Receiver } from '../generate/alertmanager/types.js';
import type { PrometheusConfig, ScrapeConfig, StaticConfig } from '../generate/compose/types.js';
import { CONTAINER_PATHS } from '../generate/stack-ids.js';

/** The compose service that answers blackbox probes (the relabelled `__address__` of the probe jobs). */
const BLACKBOX_SERVICE = 'blackbox-exporter';

export interface LocalAddresses {
  /** `127.0.0.1:<port>` of the local Prometheus (its self-scrape) and Alertmanager. */
  readonly prometheus: string;
  readonly alertmanager: string;
  /** Compose service name (`node-exporter`, `postgres-exporter`, …) → local address of what runs for it. */
  readonly exporters: Readonly<Record<string, string>>;
  /** Scrape job of a service → local address of the process serving its /metrics. */
  readonly services: Readonly<Record<string, string>>;
  /** blackbox_exporter's address and what it probes instead of the public hosts. */
  readonly blackbox?: {
    readonly address: string;
    /** `http://127.0.0.1:<port>`: each endpoint keeps its path, on this origin. Absent: no endpoint probes. */
    readonly endpointOrigin?: string;
    /** `127.0.0.1:<port>` of a local TLS server, probed instead of every certificate. */
    readonly tlsAddress?: string;
  };
}

export interface PrometheusOptions {
  /** Where the bundle's rules/ is on this machine (the config names its container path). */
  readonly rulesDir: string;
  /** Overrides of the global intervals (default: the bundle's). */
  readonly scrapeInterval?: string;
  readonly evaluationInterval?: string;
}

export interface DroppedJob {
  readonly job: string;
  readonly reason: string;
}

export interface LocalisedPrometheus {
  readonly config: PrometheusConfig;
  /** Scrape jobs whose targets run nowhere here. */
  readonly dropped: readonly DroppedJob[];
  /** Every scrape job kept, with the local targets it scrapes (for "is every target up"). */
  readonly jobs: readonly { readonly job: string; readonly targets: readonly string[] }[];
}

type Localised = { readonly job: ScrapeConfig } | { readonly dropped: string };

export function localisePrometheus(config: PrometheusConfig, local: LocalAddresses, options: PrometheusOptions): LocalisedPrometheus {
  const dropped: DroppedJob[] = [];
  const kept: ScrapeConfig[] = [];
  for (const job of config.scrape_configs ?? []) {
    const result = isProbeJob(job) ? localiseProbeJob(job, local) : localiseJob(job, local);
    if ('dropped' in result) dropped.push({ job: job.job_name, reason: result.dropped });
    else kept.push(result.job);
  }
  // remote_write is dropped: a dev stack must not push into a shared Mimir/Thanos.
  const { remote_write: _remoteWrite, ...rest } = config;
  return {
    config: {
      ...rest,
      global: {
        ...config.global,
        ...(options.scrapeInterval !== undefined && { scrape_interval: options.scrapeInterval }),
        ...(options.evaluationInterval !== undefined && { evaluation_interval: options.evaluationInterval }),
      },
      rule_files: (config.rule_files ?? []).map((file) => localPath(file, CONTAINER_PATHS.prometheusRules, options.rulesDir)),
      alerting: { alertmanagers: [{ static_configs: [{ targets: [local.alertmanager] }] }] },
      scrape_configs: kept,
    },
    dropped,
    jobs: kept.map((job) => ({ job: job.job_name, targets: isProbeJob(job) ? [probeAddress(job)!] : targetsOf(job) })),
  };
}

/** A probe job scrapes blackbox_exporter (relabelled `__address__`) with the targets as parameters. */
function isProbeJob(job: ScrapeConfig): boolean {
  return probeAddress(job) !== undefined;
}

function probeAddress(job: ScrapeConfig): string | undefined {
  return job.relabel_configs?.find((r) => r.target_label === '__address__' && r.replacement !== undefined)?.replacement;
}

function localiseJob(job: ScrapeConfig, local: LocalAddresses): Localised {
  const hosts = new Set(targetsOf(job).map(hostOf));
  if (hosts.size === 0) return { dropped: 'it has no static targets (obs dev rewrites static_configs only)' };
  if (hosts.has('localhost') || hosts.has('prometheus')) return { job: withTargets(job, [local.prometheus]) };
  if (hosts.has('alertmanager')) return { job: withTargets(job, [local.alertmanager]) };
  const service = [...hosts].find((host) => host in KNOWN_SERVICES);
  const address = service !== undefined ? local.exporters[service] : local.services[job.job_name];
  if (address !== undefined) return { job: withTargets(job, [address]) };
  if (service === undefined) return { dropped: `no local process serves the ${job.job_name} metrics` };
  return { dropped: `${service} is not running${KNOWN_SERVICES[service] ? ` (${KNOWN_SERVICES[service]})` : ''}` };
}

/**
 * The stack's compose services obs dev may or may not run, and why it does not when it never does
 * (exporters the config enables run when their binary is installed).
 */
const KNOWN_SERVICES: Readonly<Record<string, string>> = {
  'node-exporter': '',
  'postgres-exporter': '',
  'redis-exporter': '',
  'nginx-exporter': '',
  [BLACKBOX_SERVICE]: '',
  cadvisor: 'it needs Docker',
  loki: 'no Loki binary is packaged for this machine',
  alloy: 'no Alloy binary is packaged for this machine',
  tempo: 'no Tempo binary is packaged for this machine',
  pushgateway: 'backups push nothing in dev',
  grafana: '',
};

function localiseProbeJob(job: ScrapeConfig, local: LocalAddresses): Localised {
  const blackbox = local.blackbox;
  if (!blackbox) return { dropped: `${BLACKBOX_SERVICE} is not running in obs dev` };
  const module = job.params?.['module']?.[0];
  const probed = targetsOf(job);
  let targets: string[];
  if (module === 'tls_connect') {
    if (blackbox.tlsAddress === undefined) return { dropped: 'no local TLS server to probe instead of the certificates' };
    targets = [blackbox.tlsAddress];
  } else {
    if (blackbox.endpointOrigin === undefined) return { dropped: 'no local service to probe instead of the endpoints' };
    targets = [...new Set(probed.map((url) => `${blackbox.endpointOrigin}${pathOf(url)}`))];
  }
  return {
    job: {
      ...withTargets(job, targets),
      relabel_configs: job.relabel_configs!.map((r) => (r.target_label === '__address__' && r.replacement !== undefined ? { ...r, replacement: blackbox.address } : r)),
    },
  };
}

/** A job's static targets (a config read from disk may have none, or other service discovery). */
function targetsOf(job: ScrapeConfig): string[] {
  return (job.static_configs ?? []).flatMap((s) => s.targets ?? []);
}

function withTargets(job: ScrapeConfig, targets: readonly string[]): ScrapeConfig {
  // One static config keeps the first one's labels (the generator writes one per job).
  const first: StaticConfig | undefined = job.static_configs?.[0];
  return { ...job, static_configs: [{ ...first, targets }] };
}

/** `host:port` or a URL → its host. */
function hostOf(target: string): string {
  const withoutScheme = target.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  const hostPort = withoutScheme.split('/')[0]!;
  if (hostPort.startsWith('[')) return hostPort.slice(1, hostPort.indexOf(']'));
  return hostPort.replace(/:\d+$/, '');
}

/** A URL's path and query (`/` when none); a bare host probes `/`. */
function pathOf(target: string): string {
  try {
    const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(target) ? target : `http://${target}`);
    return `${url.pathname}${url.search}`;
  } catch {
    return '/';
  }
}

function localPath(path: string, containerDir: string, localDir: string): string {
  return path === containerDir || path.startsWith(`${containerDir}/`) ? `${localDir}${path.slice(containerDir.length)}` : path;
}

export interface AlertmanagerOptions {
  /** Where every notifying receiver delivers instead (a local webhook sink, or the user's --webhook). */
  readonly webhookUrl: string;
  /** The bundle's compose/alertmanager directory: relative template paths are resolved there. */
  readonly configDir: string;
  /** Where placeholder files stand in for the secrets (`*_file`) the config names. */
  readonly secretsDir: string;
}

export interface LocalisedAlertmanager {
  readonly config: AlertmanagerConfig;
  /** Receivers now delivering to the webhook, and those left without any delivery (as generated). */
  readonly redirected: readonly string[];
  /** Placeholder files to create: local path → the secret file the bundle names. */
  readonly placeholders: Readonly<Record<string, string>>;
}

/**
 * Every receiver that notifies becomes a webhook to `webhookUrl` under its own name (so the routing tree
 * is the bundle's, and the sink can say which receiver a notification was for); receivers that notify no
 * one stay so. Secret files left (e.g. in `global`) point at placeholders. Without a bundle config
 * (no `alerting`), everything routes to the webhook.
 */
export function localiseAlertmanager(config: AlertmanagerConfig | undefined, options: AlertmanagerOptions): LocalisedAlertmanager {
  const webhook = { webhook_configs: [{ send_resolved: true, url: options.webhookUrl }] };
  if (!config) {
    return { config: { templates: [], route: { receiver: 'dev' }, inhibit_rules: [], receivers: [{ name: 'dev', ...webhook }] }, redirected: ['dev'], placeholders: {} };
  }
  const redirected: string[] = [];
  const receivers = (config.receivers ?? []).map((receiver): Receiver => {
    const notifies = Object.entries(receiver).some(([key, value]) => key.endsWith('_configs') && Array.isArray(value) && value.length > 0);
    if (!notifies) return receiver;
    redirected.push(receiver.name);
    return { name: receiver.name, ...webhook };
  });
  const placeholders: Record<string, string> = {};
  const repointed = repointSecretFiles({ ...config, receivers }, options.secretsDir, placeholders) as AlertmanagerConfig;
  return {
    config: { ...repointed, templates: (config.templates ?? []).map((t) => (t.startsWith('/') ? t : `${options.configDir}/${t}`)) },
    redirected,
    placeholders,
  };
}

/** Every `*_file` string anywhere in `value`, replaced by a file of the same name under `dir`. */
function repointSecretFiles(value: unknown, dir: string, placeholders: Record<string, string>): unknown {
  if (Array.isArray(value)) return value.map((item) => repointSecretFiles(item, dir, placeholders));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => {
      if (!key.endsWith('_file') || typeof item !== 'string') return [key, repointSecretFiles(item, dir, placeholders)];
      let local = `${dir}/${basename(item)}`;
      // Two secrets of the same name in different directories must not share a placeholder.
      for (let n = 2; local in placeholders && placeholders[local] !== item; n++) local = `${dir}/${n}-${basename(item)}`;
      placeholders[local] = item;
      return [key, local];
    }),
  );
}

/**
 * The stack's compose services (exporters) a Prometheus config scrapes, directly or as the blackbox
 * prober: what `obs dev` should start for it.
 */
export function scrapedServices(config: PrometheusConfig): string[] {
  const hosts = (config.scrape_configs ?? []).flatMap((job) => {
    const probe = probeAddress(job);
    return probe !== undefined ? [hostOf(probe)] : targetsOf(job).map(hostOf);
  });
  return [...new Set(hosts.filter((host) => host in KNOWN_SERVICES))];
}

/** Scrape jobs of the services themselves (targets on no stack host): what the example or --target serves. */
export function serviceJobs(config: PrometheusConfig): string[] {
  const stackHosts = new Set(['localhost', 'prometheus', 'alertmanager', ...Object.keys(KNOWN_SERVICES)]);
  return (config.scrape_configs ?? [])
    .filter((job) => !isProbeJob(job) && targetsOf(job).length > 0 && targetsOf(job).every((t) => !stackHosts.has(hostOf(t))))
    .map((job) => job.job_name);
}

/** Whether the config probes certificates (`tls_connect`), which needs a local TLS server. */
export function probesCertificates(config: PrometheusConfig): boolean {
  return (config.scrape_configs ?? []).some((job) => isProbeJob(job) && job.params?.['module']?.[0] === 'tls_connect');
}
