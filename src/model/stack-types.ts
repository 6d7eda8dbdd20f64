/**
 * The runnable stack in the model: Prometheus and its exporters, Loki, Sentry and Kubernetes output.
 * Resolved from the config's `stack`, `logs`, `sentry` and `kubernetes` sections (src/model/stack.ts),
 * defaults applied, durations in seconds. One per bundle, like `alerting`.
 */
import type { Labels } from './types.js';

export interface RemoteWrite {
  readonly url: string;
  readonly name?: string;
  /** Mimir/Cortex tenant: sent as X-Scope-OrgID. */
  readonly tenant?: string;
  readonly basicAuth?: { readonly username: string; readonly passwordFile: string };
  readonly bearerTokenFile?: string;
}

export interface StackExporters {
  /** postgres_exporter's DATA_SOURCE_URI (host:port/db?sslmode=…); credentials come from secrets. */
  readonly postgresUri: string;
  readonly redisAddress: string;
  readonly nginxScrapeUri: string;
}

export interface PrometheusSetup {
  /** Local TSDB retention, seconds. */
  readonly retention: number;
  readonly scrapeInterval: number;
  /** Per service name: host:port targets of its metrics server. */
  readonly targets: Readonly<Record<string, readonly string[]>>;
  readonly metricsTokenFile?: string;
  readonly remoteWrite: readonly RemoteWrite[];
}

export interface LogsSetup {
  /** Seconds Loki keeps ordinary lines. */
  readonly retention: number;
  /** Seconds Loki keeps the audit stream. */
  readonly auditRetention: number;
  readonly alerts: {
    readonly errorLinesPerMinute: number;
    readonly authFailuresPer5m: number;
    /** Seconds without an audit line before AuditLogSilent fires. */
    readonly auditSilentFor: number;
  };
}

export interface SentrySetup {
  /** Sentry environment; default alerting.links.sentry.environment, else production. */
  readonly environment?: string;
  readonly tracesSampleRate: number;
  readonly profilesSampleRate: number;
  /** Error events per hour above which the spike alert fires. */
  readonly errorsPerHour: number;
  readonly sourceMaps: string;
}

export interface KubernetesSetup {
  readonly namespace: string;
  readonly ruleLabels: Labels;
  readonly serviceMonitor: {
    readonly selector?: Labels;
    /** Namespace of the service's Kubernetes Service; absent: the ServiceMonitor's own. */
    readonly namespace?: string;
    readonly port: string;
    readonly path: string;
    readonly interval: number;
    readonly labels: Labels;
  };
  readonly dashboardLabel: Labels;
  /** The Alertmanager resource's name; its config Secret is alertmanager-<name>. */
  readonly alertmanagerName: string;
}

export interface Stack {
  readonly prometheus: PrometheusSetup;
  readonly exporters: StackExporters;
  readonly logs: LogsSetup;
  readonly sentry: SentrySetup;
  readonly kubernetes: KubernetesSetup;
}

/** The model as the stack generators read it; `stack` is absent for bundles of imported specs only. */
export interface WithStack {
  readonly stack?: Stack;
}
