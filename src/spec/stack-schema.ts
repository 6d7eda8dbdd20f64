import { z } from 'zod';
import { parseDuration } from '../model/duration.js';

/**
 * The config sections of the runnable stack: `stack` (Prometheus, exporters), `logs` (Loki),
 * `sentry` (the SDK's Sentry environment and the project's alert rules) and `kubernetes` (manifests for
 * the Prometheus Operator). Same rules as the other sections: strict objects, messages that say what is
 * expected, secrets only by file. Cross-section checks (retention against SLO periods) are in
 * src/model/stack.ts, where the SLOs are known.
 */

/** Kubernetes label keys: an optional DNS prefix, then a name of at most 63 characters. */
const K8S_LABEL_KEY = /^(?:[a-z0-9](?:[-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const K8S_LABEL_VALUE = /^(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;
const DNS_LABEL = /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
const HOST_PORT = /^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?:\d{1,5}$/;

const duration = z
  .string({ error: 'must be a duration such as 15s, 30d or 7y' })
  .refine((text) => parseRetention(text) !== undefined, { message: 'must be a duration such as 15s, 30d or 7y', abort: true });

/** Durations plus years (Loki and Prometheus both accept `y` = 365d), for retentions. */
export function parseRetention(text: string): number | undefined {
  const years = /^(\d+)y$/.exec(text);
  if (years) return Number(years[1]) * 365 * 86_400;
  return parseDuration(text);
}

const sampleRate = z
  .number({ error: 'must be a number from 0 to 1, such as 0.1' })
  .min(0, 'must be a number from 0 to 1, such as 0.1')
  .max(1, 'must be a number from 0 to 1, such as 0.1');

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://mimir.example.com/api/v1/push' });
const filePath = z.string({ error: 'must be a file path' }).min(1, 'must not be empty');
const inlineSecret = (fileField: string) =>
  z.never({ error: `is an inline secret; put it in a file and give its path as ${fileField}` });

const remoteWriteSpec = z.strictObject({
  /** Mimir: https://mimir.example.com/api/v1/push; Thanos Receive: http://receive:19291/api/v1/receive. */
  url: httpUrl,
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'must be lower-case letters, digits, dashes or underscores').optional(),
  /** Mimir/Cortex tenant (X-Scope-OrgID header). */
  tenant: z.string().min(1, 'must not be empty').optional(),
  basicAuth: z
    .strictObject({ username: z.string().min(1, 'must not be empty'), passwordFile: filePath, password: inlineSecret('passwordFile').optional() })
    .optional(),
  bearerTokenFile: filePath.optional(),
  bearerToken: inlineSecret('bearerTokenFile').optional(),
}).refine((rw) => rw.basicAuth === undefined || rw.bearerTokenFile === undefined, {
  message: 'takes basicAuth or bearerTokenFile, not both (Prometheus accepts one authorization per remote_write)',
});

/** Tuning of the exporters the stack runs (`dependencies` decides which run); any other key is an error. */
const EXPORTERS = ['postgres', 'redis', 'nginx', 'node', 'cadvisor', 'blackbox'] as const;
const exportersSpec = z.looseObject({
  /** Where postgres_exporter connects: host:port/database?sslmode=… (credentials come from secrets). */
  postgres: z.strictObject({ uri: z.string().min(1, 'must not be empty').optional() }).optional(),
  /** redis://host:port */
  redis: z.strictObject({ address: z.string().regex(/^rediss?:\/\/[^@\s]+$/, 'must be redis://host:port, without credentials').optional() }).optional(),
  /** nginx stub_status URL. */
  nginx: z.strictObject({ scrapeUri: httpUrl.optional() }).optional(),
  node: z.strictObject({}).optional(),
  cadvisor: z.strictObject({}).optional(),
  blackbox: z.strictObject({}).optional(),
}).superRefine((exporters, ctx) => {
  // Not strictObject's "unknown field": name what obs does run.
  for (const key of Object.keys(exporters)) {
    if ((EXPORTERS as readonly string[]).includes(key)) continue;
    ctx.addIssue({ code: 'custom', path: [key], message: `is not an exporter obs runs; use one of ${EXPORTERS.join(', ')}` });
  }
});

export const stackSpec = z.strictObject({
  /** Local Prometheus TSDB retention; must cover the longest SLO period (the period SLI reads that far back). */
  retention: duration.optional(),
  scrapeInterval: duration.optional(),
  /** Where Prometheus scrapes each service's metrics (host:port of the SDK's metrics server). Default <service>:9464. */
  targets: z.array(z.string().regex(HOST_PORT, 'must be host:port, such as chat-api:9464')).min(1, 'must list at least one target').optional(),
  /** File holding the bearer token the SDK's /metrics asks for (createObs `token`). */
  metricsTokenFile: filePath.optional(),
  /** Long-term storage: Mimir, Cortex or Thanos Receive. */
  remoteWrite: z.array(remoteWriteSpec).optional(),
  /** Tuning of the exporters `dependencies` enables. */
  exporters: exportersSpec.optional(),
});

export const logsSpec = z.strictObject({
  /** How long Loki keeps log lines. Default 30d. */
  retention: duration.optional(),
  /** The audit stream (lines with `audit: true`) is kept longer. Default 7y. */
  audit: z.strictObject({ retention: duration.optional() }).optional(),
  /** LogQL alerts: error-log burst threshold (lines per minute) and auth failures per 5 minutes. */
  alerts: z
    .strictObject({
      errorLinesPerMinute: z.number().positive('must be > 0').optional(),
      authFailuresPer5m: z.number().int('must be a whole number').positive('must be > 0').optional(),
      /** The audit stream may be silent this long before an alert (default 1h). */
      auditSilentFor: duration.optional(),
    })
    .optional(),
});

const sentryAlertThresholds = z.strictObject({
  /** Error events per hour above which the spike alert fires. Default: sized from the availability SLO. */
  errorsPerHour: z.number().int('must be a whole number').positive('must be > 0').optional(),
});

export const sentrySpec = z.strictObject({
  /** Sentry environment (SENTRY_ENVIRONMENT). Default production. */
  environment: z.string().regex(/^[^\s/]{1,64}$/, 'must be a Sentry environment name without spaces or slashes').optional(),
  /** Share of traces also sent to Sentry. Default 0. */
  tracesSampleRate: sampleRate.optional(),
  /** Share of sampled traces that are profiled. Default 0. */
  profilesSampleRate: sampleRate.optional(),
  /** Expected requests per hour, to size the error-spike alert from the availability SLO's budget. */
  requestsPerHour: z.number().positive('must be > 0').optional(),
  alerts: sentryAlertThresholds.optional(),
  /** Where the built JavaScript and its source maps are, for `sentry-cli sourcemaps upload`. Default dist. */
  sourceMaps: z.string().min(1, 'must not be empty').optional(),
});

const k8sLabels = z.record(
  z.string().regex(K8S_LABEL_KEY, 'must be a Kubernetes label key such as release or app.kubernetes.io/part-of'),
  z.string({ error: 'must be a string' }).regex(K8S_LABEL_VALUE, 'must be a Kubernetes label value (63 characters: letters, digits, -, _, .)'),
);

export const kubernetesSpec = z.strictObject({
  namespace: z.string().regex(DNS_LABEL, 'must be a Kubernetes namespace name (lower-case letters, digits, dashes)').optional(),
  /** Labels your Prometheus resource's ruleSelector matches (kube-prometheus-stack: { release: <helm release> }). */
  ruleLabels: k8sLabels.optional(),
  /** The ServiceMonitor: the Service's labels and the name of its metrics port. */
  serviceMonitor: z
    .strictObject({
      selector: k8sLabels.optional(),
      /** Namespace of the service's Kubernetes Service, when it is not `namespace`. */
      namespace: z.string().regex(DNS_LABEL, 'must be a Kubernetes namespace name (lower-case letters, digits, dashes)').optional(),
      port: z.string().regex(/^[a-z0-9](?:[-a-z0-9]{0,13}[a-z0-9])?$/, 'must be a Kubernetes port name such as metrics').optional(),
      path: z.string().startsWith('/', 'must start with /').optional(),
      interval: duration.optional(),
      labels: k8sLabels.optional(),
    })
    .optional(),
  /** The label Grafana's dashboard sidecar watches. Default grafana_dashboard: "1". */
  dashboardLabel: k8sLabels.optional(),
  /** Name of the Alertmanager resource: its config is the Secret alertmanager-<name>. Default main. */
  alertmanagerName: z.string().regex(DNS_LABEL, 'must be a Kubernetes name (lower-case letters, digits, dashes)').optional(),
});

export type StackSpec = z.input<typeof stackSpec>;
export type LogsSpec = z.input<typeof logsSpec>;
export type SentrySpec = z.input<typeof sentrySpec>;
export type KubernetesSpec = z.input<typeof kubernetesSpec>;
