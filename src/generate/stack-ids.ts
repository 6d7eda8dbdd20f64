/**
 * Names every part of the stack agrees on: compose service names and ports (the scrape targets, Loki's
 * ruler and Grafana's datasources reach services by name), container paths, and pinned image tags.
 * Grafana's datasource uids live with its provisioning (src/generate/grafana/datasources.ts).
 */

/** Compose service name → the port it listens on inside the compose network. */
export const STACK_PORTS = {
  prometheus: 9090,
  alertmanager: 9093,
  grafana: 3000,
  loki: 3100,
  alloy: 12345,
  promtail: 9080,
  tempo: 3200,
  /** OTLP over HTTP, on the trace backend. */
  otlpHttp: 4318,
  otlpGrpc: 4317,
  'node-exporter': 9100,
  cadvisor: 8080,
  'postgres-exporter': 9187,
  'redis-exporter': 9121,
  'nginx-exporter': 9113,
  'blackbox-exporter': 9115,
  pushgateway: 9091,
} as const;

/**
 * Pinned image tags (no `latest`: a rebuild must not change the stack under you). Loki and Promtail
 * share a release line; Prometheus 3.5 is an LTS release.
 */
export const IMAGES = {
  prometheus: 'prom/prometheus:v3.5.0',
  alertmanager: 'prom/alertmanager:v0.28.1',
  grafana: 'grafana/grafana:12.1.1',
  loki: 'grafana/loki:3.5.3',
  alloy: 'grafana/alloy:v1.10.2',
  promtail: 'grafana/promtail:3.5.3',
  tempo: 'grafana/tempo:2.8.2',
  'node-exporter': 'prom/node-exporter:v1.9.1',
  cadvisor: 'gcr.io/cadvisor/cadvisor:v0.52.1',
  'postgres-exporter': 'quay.io/prometheuscommunity/postgres-exporter:v0.17.1',
  'redis-exporter': 'oliver006/redis_exporter:v1.74.0',
  'nginx-exporter': 'nginx/nginx-prometheus-exporter:1.4.2',
  'blackbox-exporter': 'prom/blackbox-exporter:v0.27.0',
  pushgateway: 'prom/pushgateway:v1.11.1',
} as const;

/** Loki's tenant when auth is off: the ruler reads rules from <rules directory>/fake/. */
export const LOKI_TENANT = 'fake';
/** Inside the Loki container: rule files of tenant `fake` under <dir>/fake/. */
export const LOKI_RULES_DIR = '/etc/loki/rules';

/** Where the bundle's folders are mounted inside the containers. */
export const CONTAINER_PATHS = {
  prometheusConfig: '/etc/prometheus/prometheus.yml',
  prometheusRules: '/etc/prometheus/rules',
  alertmanagerConfig: '/etc/alertmanager',
  alertmanagerSecrets: '/etc/alertmanager/secrets',
  grafanaProvisioning: '/etc/grafana/provisioning',
} as const;

/** The Grafana label a dashboard ConfigMap carries by default (kube-prometheus-stack's sidecar). */
export const GRAFANA_SIDECAR_LABEL = { grafana_dashboard: '1' } as const;
