/**
 * compose/docker-compose.yml: the monitoring stack on one host. Every image pinned, every service with a
 * restart policy and resource limits, state in named volumes, secrets only from files the operator
 * names through environment variables (`${VAR:?…}` makes compose refuse to start without them), and
 * only the UIs and the OTLP intake published, on 127.0.0.1.
 */
import { formatDuration } from '../../model/duration.js';
import type { Stack } from '../../model/stack-types.js';
import type { Model } from '../../model/types.js';
import { DASHBOARDS_PATH } from '../grafana/datasources.js';
import { CONTAINER_PATHS, IMAGES, LOKI_RULES_DIR, LOKI_TENANT, STACK_PORTS } from '../stack-ids.js';
import { BLACKBOX_CONFIG_PATH, blackboxProbes, POSTGRES_QUERIES_PATH, pushesBackups, scrapedExporters } from './exporters.js';
import type { ComposeFile, ComposeHealthcheck, ComposeService } from './types.js';

/** Paths of the files the compose services mount, relative to the bundle root. */
export const COMPOSE_PATHS = {
  compose: 'compose/docker-compose.yml',
  prometheus: 'compose/prometheus/prometheus.yml',
  loki: 'compose/loki/loki.yml',
  alloy: 'compose/alloy/config.alloy',
  promtail: 'compose/promtail/promtail.yml',
  tempo: 'compose/tempo/tempo.yml',
  alertmanager: 'compose/alertmanager',
  grafanaProvisioning: 'compose/grafana/provisioning',
  dashboards: 'dashboards',
  rules: 'rules',
  lokiRules: 'rules/loki',
} as const;

/** A bundle path as seen from compose/ (where docker-compose.yml lives). */
function fromCompose(bundlePath: string): string {
  return bundlePath.startsWith('compose/') ? `./${bundlePath.slice('compose/'.length)}` : `../${bundlePath}`;
}
const mount = (bundlePath: string, target: string) => `${fromCompose(bundlePath)}:${target}:ro`;

const limits = (cpus: string, memory: string) => ({ resources: { limits: { cpus, memory } } });
const RESTART = 'unless-stopped' as const;

function httpCheck(url: string): ComposeHealthcheck {
  return { test: ['CMD', 'wget', '-q', '--spider', url], interval: '30s', timeout: '5s', retries: 3, start_period: '30s' };
}

/** Host directory of the service's log files (file discovery), besides Docker's own log discovery. */
export const LOG_DIR_ENV = '${OBS_LOG_DIR:-/var/log/obs}';
export const CONTAINER_LOG_DIR = '/var/log/obs';

export function composeFile(model: Model, stack: Stack): ComposeFile {
  const services: Record<string, ComposeService> = {};
  const secrets: Record<string, { file: string }> = {};
  const volumes: Record<string, Record<string, never>> = {};
  const volume = (name: string, target: string) => {
    volumes[name] = {};
    return `${name}:${target}`;
  };
  const secret = (name: string, env: string, what: string) => {
    secrets[name] = { file: `\${${env}:?set ${env} to the file holding ${what}}` };
    return name;
  };

  const promSecrets: string[] = [];
  if (stack.prometheus.metricsTokenFile !== undefined) {
    secrets['metrics_token'] = { file: stack.prometheus.metricsTokenFile };
    // mounted at /run/secrets/metrics_token, where prometheus.yml's credentials_file points
    promSecrets.push('metrics_token');
  }
  stack.prometheus.remoteWrite.forEach((rw, i) => {
    if (rw.basicAuth) {
      secrets[`remote_write_${i}`] = { file: rw.basicAuth.passwordFile };
      promSecrets.push(`remote_write_${i}`);
    } else if (rw.bearerTokenFile !== undefined) {
      secrets[`remote_write_${i}`] = { file: rw.bearerTokenFile };
      promSecrets.push(`remote_write_${i}`);
    }
  });

  services['prometheus'] = {
    image: IMAGES.prometheus,
    command: [
      `--config.file=${CONTAINER_PATHS.prometheusConfig}`,
      '--storage.tsdb.path=/prometheus',
      `--storage.tsdb.retention.time=${formatDuration(stack.prometheus.retention)}`,
      // Exemplars link latency panels to traces.
      '--enable-feature=exemplar-storage',
    ],
    restart: RESTART,
    volumes: [
      mount(COMPOSE_PATHS.prometheus, CONTAINER_PATHS.prometheusConfig),
      mount(COMPOSE_PATHS.rules, CONTAINER_PATHS.prometheusRules),
      volume('prometheus-data', '/prometheus'),
    ],
    ports: [`127.0.0.1:${STACK_PORTS.prometheus}:${STACK_PORTS.prometheus}`],
    ...(promSecrets.length > 0 && { secrets: promSecrets }),
    // Services running on the host itself are scraped as host.docker.internal:<port>.
    extra_hosts: ['host.docker.internal:host-gateway'],
    healthcheck: httpCheck(`http://localhost:${STACK_PORTS.prometheus}/-/ready`),
    deploy: limits('1', '2g'),
  };

  services['alertmanager'] = {
    image: IMAGES.alertmanager,
    command: [`--config.file=${CONTAINER_PATHS.alertmanagerConfig}/alertmanager.yml`, '--storage.path=/alertmanager'],
    restart: RESTART,
    volumes: [
      mount(COMPOSE_PATHS.alertmanager, CONTAINER_PATHS.alertmanagerConfig),
      // Receiver secrets (PagerDuty key, Slack URL, SMTP password) as the *_file fields name them.
      ...(receiverSecretFiles(model).length > 0
        ? [`\${ALERTMANAGER_SECRETS_DIR:?set ALERTMANAGER_SECRETS_DIR to the directory holding the receiver secret files}:${CONTAINER_PATHS.alertmanagerSecrets}:ro`]
        : []),
      volume('alertmanager-data', '/alertmanager'),
    ],
    ports: [`127.0.0.1:${STACK_PORTS.alertmanager}:${STACK_PORTS.alertmanager}`],
    healthcheck: httpCheck(`http://localhost:${STACK_PORTS.alertmanager}/-/ready`),
    deploy: limits('0.5', '256m'),
  };

  services['grafana'] = {
    image: IMAGES.grafana,
    restart: RESTART,
    environment: {
      GF_SECURITY_ADMIN_USER: '${GRAFANA_ADMIN_USER:-admin}',
      GF_SECURITY_ADMIN_PASSWORD__FILE: '/run/secrets/grafana_admin_password',
      GF_USERS_ALLOW_SIGN_UP: 'false',
      GF_AUTH_ANONYMOUS_ENABLED: 'false',
      GF_ANALYTICS_REPORTING_ENABLED: 'false',
    },
    secrets: [secret('grafana_admin_password', 'GRAFANA_ADMIN_PASSWORD_FILE', 'the Grafana admin password')],
    volumes: [
      mount(COMPOSE_PATHS.grafanaProvisioning, CONTAINER_PATHS.grafanaProvisioning),
      mount(COMPOSE_PATHS.dashboards, DASHBOARDS_PATH),
      volume('grafana-data', '/var/lib/grafana'),
    ],
    ports: [`127.0.0.1:${STACK_PORTS.grafana}:${STACK_PORTS.grafana}`],
    depends_on: { prometheus: { condition: 'service_healthy' }, loki: { condition: 'service_started' } },
    healthcheck: httpCheck(`http://localhost:${STACK_PORTS.grafana}/api/health`),
    deploy: limits('1', '512m'),
  };

  services['loki'] = {
    image: IMAGES.loki,
    command: ['-config.file=/etc/loki/loki.yml'],
    restart: RESTART,
    volumes: [
      mount(COMPOSE_PATHS.loki, '/etc/loki/loki.yml'),
      // The ruler reads tenant `fake`'s rules from <rules directory>/fake/ when auth is off.
      mount(COMPOSE_PATHS.lokiRules, `${LOKI_RULES_DIR}/${LOKI_TENANT}`),
      volume('loki-data', '/loki'),
    ],
    deploy: limits('1', '1g'),
  };

  const logSources = ['/var/run/docker.sock:/var/run/docker.sock:ro', `${LOG_DIR_ENV}:${CONTAINER_LOG_DIR}:ro`];
  services['alloy'] = {
    image: IMAGES.alloy,
    command: ['run', `--server.http.listen-addr=0.0.0.0:${STACK_PORTS.alloy}`, '--storage.path=/var/lib/alloy/data', '/etc/alloy/config.alloy'],
    restart: RESTART,
    volumes: [mount(COMPOSE_PATHS.alloy, '/etc/alloy/config.alloy'), ...logSources, volume('alloy-data', '/var/lib/alloy/data')],
    depends_on: { loki: { condition: 'service_started' } },
    deploy: limits('0.5', '512m'),
  };

  // Promtail reached end of life on 2026-03-02: only for setups that still run it (`--profile promtail`).
  services['promtail'] = {
    image: IMAGES.promtail,
    command: ['-config.file=/etc/promtail/promtail.yml'],
    restart: RESTART,
    profiles: ['promtail'],
    volumes: [mount(COMPOSE_PATHS.promtail, '/etc/promtail/promtail.yml'), ...logSources, volume('promtail-positions', '/var/lib/promtail')],
    depends_on: { loki: { condition: 'service_started' } },
    deploy: limits('0.5', '256m'),
  };

  // Tempo (Grafana's trace datasource): OTLP intake for services running on the host.
  services['tempo'] = {
    image: IMAGES.tempo,
    command: ['-config.file=/etc/tempo/tempo.yml'],
    restart: RESTART,
    volumes: [mount(COMPOSE_PATHS.tempo, '/etc/tempo/tempo.yml'), volume('tempo-data', '/var/tempo')],
    ports: [`127.0.0.1:${STACK_PORTS.otlpHttp}:${STACK_PORTS.otlpHttp}`],
    deploy: limits('1', '1g'),
  };

  for (const exporter of scrapedExporters(model)) services[exporter.service] = exporterService(exporter.service, stack, secret);
  if (blackboxProbes(model)) {
    services['blackbox-exporter'] = {
      image: IMAGES['blackbox-exporter'],
      command: ['--config.file=/etc/blackbox_exporter/blackbox.yml'],
      restart: RESTART,
      volumes: [mount(BLACKBOX_CONFIG_PATH, '/etc/blackbox_exporter/blackbox.yml')],
      healthcheck: httpCheck(`http://localhost:${STACK_PORTS['blackbox-exporter']}/-/healthy`),
      deploy: limits('0.25', '128m'),
    };
  }

  if (pushesBackups(model)) {
    // Backup jobs push the backup contract's gauges here (published for jobs on the host); persisted,
    // so a restart does not forget the last successful backup and raise BackupNotReported.
    services['pushgateway'] = {
      image: IMAGES.pushgateway,
      command: ['--persistence.file=/data/pushgateway.db', '--persistence.interval=1m'],
      restart: RESTART,
      volumes: [volume('pushgateway-data', '/data')],
      ports: [`127.0.0.1:${STACK_PORTS.pushgateway}:${STACK_PORTS.pushgateway}`],
      healthcheck: httpCheck(`http://localhost:${STACK_PORTS.pushgateway}/-/healthy`),
      deploy: limits('0.25', '128m'),
    };
  }

  return {
    services,
    volumes: Object.fromEntries(Object.keys(volumes).sort().map((v) => [v, {}])),
    ...(Object.keys(secrets).length > 0 && { secrets }),
  };
}

/** The receivers' secret files, with the config field that names each (alerting.receivers.*File). */
export function receiverSecretFiles(model: Model): { field: string; file: string }[] {
  const r = model.alerting?.receivers;
  if (!r) return [];
  const files: [string, string | undefined][] = [
    ['alerting.receivers.pagerduty.routingKeyFile', r.pagerduty?.routingKeyFile],
    ['alerting.receivers.slack.apiUrlFile', r.slack?.apiUrlFile],
    ['alerting.receivers.email.authPasswordFile', r.email?.authPasswordFile],
  ];
  return files.filter((f): f is [string, string] => f[1] !== undefined).map(([field, file]) => ({ field, file }));
}

type SecretFn = (name: string, env: string, what: string) => string;

function exporterService(name: string, stack: Stack, secret: SecretFn): ComposeService {
  switch (name) {
    case 'node-exporter':
      return {
        image: IMAGES['node-exporter'],
        command: ['--path.rootfs=/host'],
        restart: RESTART,
        pid: 'host',
        volumes: ['/:/host:ro,rslave'],
        healthcheck: httpCheck(`http://localhost:${STACK_PORTS['node-exporter']}/`),
        deploy: limits('0.25', '128m'),
      };
    case 'cadvisor':
      return {
        image: IMAGES.cadvisor,
        // Only the metrics the container alerts and dashboards read: cAdvisor's full set is heavy.
        command: ['--docker_only=true', '--housekeeping_interval=30s', '--enable_metrics=cpu,memory,network,diskIO'],
        restart: RESTART,
        privileged: true,
        devices: ['/dev/kmsg'],
        volumes: ['/:/rootfs:ro', '/var/run:/var/run:ro', '/sys:/sys:ro', '/var/lib/docker/:/var/lib/docker:ro'],
        healthcheck: httpCheck(`http://localhost:${STACK_PORTS.cadvisor}/healthz`),
        deploy: limits('0.5', '256m'),
      };
    case 'postgres-exporter':
      return {
        image: IMAGES['postgres-exporter'],
        command: ['--extend.query-path=/etc/postgres_exporter/queries.yaml'],
        restart: RESTART,
        environment: {
          DATA_SOURCE_URI: `\${POSTGRES_EXPORTER_URI:-${stack.exporters.postgresUri}}`,
          DATA_SOURCE_USER: '${POSTGRES_EXPORTER_USER:-postgres_exporter}',
          DATA_SOURCE_PASS_FILE: '/run/secrets/postgres_exporter_password',
        },
        secrets: [secret('postgres_exporter_password', 'POSTGRES_EXPORTER_PASSWORD_FILE', "the postgres_exporter role's password")],
        volumes: [mount(POSTGRES_QUERIES_PATH, '/etc/postgres_exporter/queries.yaml')],
        healthcheck: httpCheck(`http://localhost:${STACK_PORTS['postgres-exporter']}/`),
        deploy: limits('0.25', '128m'),
      };
    case 'redis-exporter':
      // A scratch image: no shell for a healthcheck; Prometheus's up{job} (RedisExporterDown) watches it.
      return {
        image: IMAGES['redis-exporter'],
        restart: RESTART,
        environment: { REDIS_ADDR: `\${REDIS_EXPORTER_ADDR:-${stack.exporters.redisAddress}}` },
        deploy: limits('0.25', '128m'),
      };
    default:
      // nginx-exporter: scratch image as well.
      return {
        image: IMAGES['nginx-exporter'],
        command: [`--nginx.scrape-uri=${stack.exporters.nginxScrapeUri}`],
        restart: RESTART,
        deploy: limits('0.25', '64m'),
      };
  }
}
