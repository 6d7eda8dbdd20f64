import { z } from 'zod';
import { parseDuration } from '../model/duration.js';
import { alertingSpec as alertRoutingSpec, dependenciesSpec, thresholdsSpec } from './ops-schema.js';
import { kubernetesSpec, logsSpec, sentrySpec, stackSpec } from './stack-schema.js';

/**
 * The user-facing shape of obs.config.ts / obs.yaml. Types for `defineConfig` are inferred from this
 * schema, so the typings cannot drift from what is validated. Every object is strict: a typo is an
 * error, not a silently ignored field.
 */

const SLUG = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const ALERT_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const slug = z.string().regex(SLUG, 'must be letters, digits, dots, dashes or underscores, starting with a letter or digit');
const labelName = z.string().regex(LABEL_NAME, 'must be a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*)');
const labels = z.record(labelName, z.string({ error: 'must be a string' }));
const nonEmpty = z.string().min(1, 'must not be empty');
const nonEmptyList = z.array(nonEmpty).min(1, 'must list at least one value');

export const durationSpec = z
  .string({ error: 'must be a duration such as 5m, 1h or 30d' })
  .refine((text) => parseDuration(text) !== undefined, { message: 'must be a duration such as 5m, 1h or 30d', abort: true });

/** A latency threshold: seconds as a number, or a duration string such as '500ms' or '5s'. */
export const thresholdSpec = z.union([z.number().positive('must be > 0'), durationSpec], {
  error: 'must be a duration such as 500ms or 2s, or a number of seconds',
});

const periodSpec = durationSpec.refine((text) => {
  const seconds = parseDuration(text)!;
  return seconds % 86_400 === 0 && seconds >= 7 * 86_400 && seconds <= 90 * 86_400;
}, 'must be whole days from 7d to 90d (e.g. 7d, 28d, 30d, 90d)');

const httpFilters = {
  /** Route templates as the framework names them (`/users/:id`). */
  routes: nonEmptyList.optional(),
  methods: nonEmptyList.optional(),
};

const genaiFilters = {
  operations: nonEmptyList.optional(),
  providers: nonEmptyList.optional(),
  models: nonEmptyList.optional(),
};

const STATUS_PATTERN = /^[1-5](?:xx|\dx|\d\d)$/;

export const sliSpecs = {
  /** Availability from HTTP server metrics: bad = responses with an error status (5xx unless told). */
  http: z.strictObject({
    ...httpFilters,
    errorStatus: z
      .array(z.string().regex(STATUS_PATTERN, 'must be a status code or class such as 503, 50x or 5xx'))
      .min(1, 'must list at least one status')
      .optional(),
  }),
  /** Latency from the HTTP histogram: bad = requests slower than the threshold. */
  httpLatency: z.strictObject({ ...httpFilters, threshold: thresholdSpec }),
  /** Latency of GenAI model calls: bad = operations slower than the threshold. */
  genaiLatency: z.strictObject({ ...genaiFilters, threshold: thresholdSpec }),
  /** Errors of GenAI model calls: bad = operations that ended with an error type. */
  genaiErrors: z.strictObject({ ...genaiFilters, errorTypes: nonEmptyList.optional() }),
  /**
   * Your own PromQL for events per second. `$window` (or Sloth's `{{.window}}`) is replaced by the rate
   * window. Give `errors` or `good`, and `total`.
   */
  ratio: z.strictObject({ errors: nonEmpty.optional(), good: nonEmpty.optional(), total: nonEmpty }).refine(
    (r) => (r.errors === undefined) !== (r.good === undefined),
    'needs exactly one of errors or good, besides total',
  ),
  /**
   * A PromQL expression that is itself an error ratio (0..1). Averaged over time, not weighted by traffic:
   * prefer `ratio` when you can.
   */
  errorRatio: z.strictObject({ query: nonEmpty }),
  /**
   * A PromQL expression judged against a value at every evaluation (OpenSLO's thresholdMetric): each
   * evaluation is one event, good when `query <op> value` holds. Time-weighted, like errorRatio.
   */
  threshold: z.strictObject({
    query: nonEmpty,
    op: z.enum(['lt', 'lte', 'gt', 'gte'], { error: 'must be lt, lte, gt or gte' }),
    value: z.number({ error: 'must be a number' }),
  }),
} as const;

export type SliKind = keyof typeof sliSpecs;
export const SLI_KINDS = Object.keys(sliSpecs) as SliKind[];

const sliSpec = z.strictObject({
  http: sliSpecs.http.optional(),
  httpLatency: sliSpecs.httpLatency.optional(),
  genaiLatency: sliSpecs.genaiLatency.optional(),
  genaiErrors: sliSpecs.genaiErrors.optional(),
  ratio: sliSpecs.ratio.optional(),
  errorRatio: sliSpecs.errorRatio.optional(),
  threshold: sliSpecs.threshold.optional(),
}).refine((sli) => Object.values(sli).filter((v) => v !== undefined).length === 1, {
  message: `needs exactly one of ${SLI_KINDS.join(', ')}`,
});

const severity = z.enum(['critical', 'warning', 'info'], { error: 'must be critical, warning or info' });

const alertSeveritySpec = z.union(
  [
    z.literal(false),
    z.strictObject({ severity: severity.optional(), labels: labels.optional(), annotations: labels.optional() }),
  ],
  { error: 'must be false (disabled) or an object with severity, labels, annotations' },
);

const alertingSpec = z.strictObject({
  /** Alert name, CamelCase. Default: service + SLO name + BudgetBurn, e.g. ChatApiLatencyBudgetBurn. */
  name: z.string().regex(ALERT_NAME, 'must be an alert name such as ChatApiLatencyBudgetBurn').optional(),
  labels: labels.optional(),
  annotations: labels.optional(),
  /** The fast-burn alerts (14.4× over 1h, 6× over 6h at 30d). Severity critical unless told. */
  page: alertSeveritySpec.optional(),
  /** The slow-burn alerts (3× over 1d, 1× over 3d at 30d). Severity warning unless told. */
  ticket: alertSeveritySpec.optional(),
  /** Low-traffic guard: a burn alert fires only when its long window saw at least this many events. */
  minEvents: z.number().int('must be a whole number').positive('must be > 0').optional(),
  /** Alert when the SLI has no data at all (metrics broken), after this long. false to disable. */
  missingData: z.union([z.literal(false), z.strictObject({ for: durationSpec })], {
    error: 'must be false or { for: <duration> }',
  }).optional(),
});

const sloSpec = z.strictObject({
  /** Target percentage of good events, e.g. 99.9. */
  objective: z
    .number({ error: 'must be a percentage such as 99.9' })
    .gt(0, 'must be > 0 and < 100')
    .lt(100, 'must be > 0 and < 100'),
  /** Rolling period the objective holds over. Default 30d. */
  period: periodSpec.optional(),
  description: z.string().optional(),
  owner: z.string().optional(),
  team: z.string().optional(),
  labels: labels.optional(),
  /** Overrides service.runbookBaseUrl for this SLO's alerts. */
  runbookUrl: z.url('must be a URL').optional(),
  sli: sliSpec,
  alerting: alertingSpec.optional(),
});

const histogramOverride = z.strictObject({
  /** Exact bucket boundaries, in seconds; every latency threshold that queries this histogram must be one. */
  buckets: z.array(z.number().positive('must be > 0')).min(1, 'must list at least one bucket'),
});

const usd = z.number({ error: 'must be an amount in USD' }).nonnegative('must be ≥ 0');

/** What GenAI calls cost and may cost: the SDK's cost counter and budget gauge read this. */
const genaiSpec = z.strictObject({
  /** USD per million tokens, per model name as sent to the provider. */
  prices: z.record(nonEmpty, z.strictObject({ inputPerMillion: usd, outputPerMillion: usd })).optional(),
  /** Allow-list of model label values (others are recorded as `other`). Default: the priced models. */
  models: nonEmptyList.optional(),
  /** Spend limits in USD, exposed as obs_gen_ai_budget_usd{period}. */
  budgets: z
    .strictObject({ daily: usd.positive('must be > 0').optional(), monthly: usd.positive('must be > 0').optional() })
    .optional(),
  /** The RAG pipeline's HTTP routes: their p95 is alerted on against thresholds.genai.ragLatencyP95. */
  rag: z.strictObject({ routes: nonEmptyList }).optional(),
});

export const configSpec = z.strictObject({
  service: z.strictObject({
    name: slug,
    team: z.string().optional(),
    owner: z.string().optional(),
    description: z.string().optional(),
    runbookBaseUrl: z.url('must be a URL').optional(),
    /** Label matchers that select this service's series. Default: { job: <name> }. */
    selector: labels.optional(),
    /** Labels added to every rule and alert. */
    labels: labels.optional(),
  }),
  /** Histogram bucket overrides. Without them, the SDK uses semconv's buckets plus every SLO threshold. */
  histograms: z
    .strictObject({ httpServerDuration: histogramOverride.optional(), genaiOperationDuration: histogramOverride.optional() })
    .optional(),
  genai: genaiSpec.optional(),
  /** What the service depends on: exporters, queues, certificates, endpoints, backups. */
  dependencies: dependenciesSpec.optional(),
  /** Overrides of the operational alerts' thresholds (defaults from our users' KPIs). */
  thresholds: thresholdsSpec.optional(),
  /** Receivers, routing by severity, maintenance windows and links for Alertmanager. */
  alerting: alertRoutingSpec.optional(),
  /** The compose stack: Prometheus retention, targets, remote_write, exporter tuning. */
  stack: stackSpec.optional(),
  /** Loki retention (audit stream kept longer) and the LogQL alerts' thresholds. */
  logs: logsSpec.optional(),
  /** The SDK's Sentry environment and the project's alert rules. */
  sentry: sentrySpec.optional(),
  /** Prometheus Operator output: namespace, ruleSelector labels, ServiceMonitor. */
  kubernetes: kubernetesSpec.optional(),
  slos: z.record(slug, sloSpec).refine((slos) => Object.keys(slos).length > 0, 'must define at least one SLO'),
});

export type ObsConfig = z.input<typeof configSpec>;
/** A config after validation (same shape; zod has checked every field). */
export type ValidConfig = z.output<typeof configSpec>;
export type SloSpec = z.input<typeof sloSpec>;
export type SliSpec = z.input<typeof sliSpec>;
export type AlertingSpec = z.input<typeof alertingSpec>;
