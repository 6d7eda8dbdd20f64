import type { MetricDefinition } from './types.js';

/**
 * Metrics the obs SDK exports, named the way the OpenTelemetry → Prometheus translation renders the
 * semantic conventions (unit suffix kept: `_seconds`). GenAI names follow semconv v1.41 (development).
 * Anything without a convention (cost, cache, budgets, security) carries the `obs_` prefix.
 */
export const SEMCONV_VERSION = '1.41.0';

/** semconv's advice for http.server.request.duration. */
export const HTTP_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10] as const;
/** semconv's advice for gen_ai.client.operation.duration: 0.01 s doubling to 81.92 s. */
export const GENAI_DURATION_BUCKETS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92] as const;
/** semconv's advice for gen_ai.client.token.usage: powers of 4 up to 4^13. */
export const GENAI_TOKEN_BUCKETS = Array.from({ length: 14 }, (_, i) => 4 ** i);

const GENAI_LABELS = ['gen_ai_operation_name', 'gen_ai_provider_name', 'gen_ai_request_model', 'obs_module'] as const;

export const httpServerRequestDuration = {
  name: 'http_server_request_duration_seconds',
  type: 'histogram',
  source: 'sdk',
  help: 'Duration of HTTP server requests.',
  unit: 'seconds',
  labels: ['http_request_method', 'http_route', 'http_response_status_code', 'error_type'],
  buckets: HTTP_DURATION_BUCKETS,
} as const satisfies MetricDefinition;

export const httpServerActiveRequests = {
  name: 'http_server_active_requests',
  type: 'gauge',
  source: 'sdk',
  help: 'Number of active HTTP server requests.',
  unit: '',
  labels: ['http_request_method'],
} as const satisfies MetricDefinition;

export const genaiOperationDuration = {
  name: 'gen_ai_client_operation_duration_seconds',
  type: 'histogram',
  source: 'sdk',
  help: 'GenAI operation duration.',
  unit: 'seconds',
  labels: [...GENAI_LABELS, 'error_type'],
  buckets: GENAI_DURATION_BUCKETS,
} as const satisfies MetricDefinition;

export const genaiTimeToFirstChunk = {
  name: 'gen_ai_client_operation_time_to_first_chunk_seconds',
  type: 'histogram',
  source: 'sdk',
  help: 'Time from the request to the first chunk of a streamed GenAI response.',
  unit: 'seconds',
  labels: GENAI_LABELS,
  buckets: GENAI_DURATION_BUCKETS,
} as const satisfies MetricDefinition;

export const genaiTokenUsage = {
  name: 'gen_ai_client_token_usage',
  type: 'histogram',
  source: 'sdk',
  help: 'Number of input and output tokens used per GenAI operation.',
  unit: 'tokens',
  labels: [...GENAI_LABELS, 'gen_ai_token_type'],
  buckets: GENAI_TOKEN_BUCKETS,
} as const satisfies MetricDefinition;

export const genaiCost = {
  name: 'obs_gen_ai_cost_usd_total',
  type: 'counter',
  source: 'sdk',
  help: 'Estimated cost of GenAI operations in USD, from the per-model price table given to the SDK.',
  unit: 'usd',
  labels: GENAI_LABELS,
} as const satisfies MetricDefinition;

export const genaiCacheRequests = {
  name: 'obs_gen_ai_cache_requests_total',
  type: 'counter',
  source: 'sdk',
  help: 'GenAI response cache lookups, by result (hit or miss).',
  unit: '',
  labels: ['obs_module', 'result'],
} as const satisfies MetricDefinition;

export const genaiFallbacks = {
  name: 'obs_gen_ai_fallbacks_total',
  type: 'counter',
  source: 'sdk',
  help: 'GenAI calls that fell back from one provider to another.',
  unit: '',
  labels: ['from_provider', 'to_provider', 'obs_module'],
} as const satisfies MetricDefinition;

export const genaiBudget = {
  name: 'obs_gen_ai_budget_usd',
  type: 'gauge',
  source: 'sdk',
  help: 'The GenAI spending budget per period (daily or monthly), in USD; compare with increase(obs_gen_ai_cost_usd_total[1d]).',
  unit: 'usd',
  labels: ['period'],
} as const satisfies MetricDefinition;

/** Database, cache and downstream HTTP calls: 1 ms to 10 s. */
export const DEPENDENCY_DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

export const dependencyRequestDuration = {
  name: 'obs_dependency_request_duration_seconds',
  type: 'histogram',
  source: 'sdk',
  help: 'Duration of calls to dependencies (databases, caches, downstream HTTP APIs).',
  unit: 'seconds',
  labels: ['dependency_system', 'dependency_name', 'operation', 'error_type'],
  buckets: DEPENDENCY_DURATION_BUCKETS,
} as const satisfies MetricDefinition;

export const cacheRequests = {
  name: 'obs_cache_requests_total',
  type: 'counter',
  source: 'sdk',
  help: 'Application cache lookups, by cache and result (hit or miss).',
  unit: '',
  labels: ['cache', 'result'],
} as const satisfies MetricDefinition;

export const securityEvents = {
  name: 'obs_security_events_total',
  type: 'counter',
  source: 'sdk',
  help: 'Security-relevant events: auth_failure, access_denied, rate_limited, config_error.',
  unit: '',
  labels: ['event', 'reason'],
} as const satisfies MetricDefinition;

export const labelOverflow = {
  name: 'obs_metric_label_overflow_total',
  type: 'counter',
  source: 'sdk',
  help: 'Observations whose label value was replaced by the overflow value because the label reached its cap.',
  unit: '',
  labels: ['metric', 'label'],
} as const satisfies MetricDefinition;

export const sdkErrors = {
  name: 'obs_sdk_errors_total',
  type: 'counter',
  source: 'sdk',
  help: 'Exceptions inside the obs SDK, swallowed so that they never reach the host application.',
  unit: '',
  labels: ['component'],
} as const satisfies MetricDefinition;

export const traceSpansDropped = {
  name: 'obs_trace_spans_dropped_total',
  type: 'counter',
  source: 'sdk',
  help: 'Spans that never reached the trace backend: batch queue full, or their export failed or timed out.',
  unit: '',
  labels: ['reason'],
} as const satisfies MetricDefinition;

/**
 * prom-client's event-loop lag gauges reset at every scrape (two scrapers see different numbers, and a
 * stall between scrapes can vanish). This histogram counts the worst delay of every second instead, so
 * `histogram_quantile(0.99, rate(..._bucket[5m]))` answers for any scraper.
 */
export const eventLoopDelay = {
  name: 'obs_nodejs_eventloop_delay_seconds',
  type: 'histogram',
  source: 'sdk',
  help: 'Worst event-loop delay of each second.',
  unit: 'seconds',
  labels: [],
  buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
} as const satisfies MetricDefinition;

/**
 * prom-client's default Node metrics (collectDefaultMetrics, names as prom-client 15 writes them without
 * a prefix) that the operational alerts query. A `defaultMetrics: { prefix }` option renames them and
 * those alerts then see nothing.
 */
export const processStartTime = {
  name: 'process_start_time_seconds',
  type: 'gauge',
  source: 'sdk',
  help: 'Start time of the process since unix epoch in seconds (prom-client default metric).',
  unit: 'seconds',
  labels: [],
} as const satisfies MetricDefinition;

export const processCpu = {
  name: 'process_cpu_seconds_total',
  type: 'counter',
  source: 'sdk',
  help: 'Total user and system CPU time spent in seconds (prom-client default metric).',
  unit: 'seconds',
  labels: [],
} as const satisfies MetricDefinition;

export const heapSizeUsed = {
  name: 'nodejs_heap_size_used_bytes',
  type: 'gauge',
  source: 'sdk',
  help: 'Process heap size used from Node.js in bytes (prom-client default metric).',
  unit: 'bytes',
  labels: [],
} as const satisfies MetricDefinition;

/** prom-client exports no heap limit; without it "heap near its limit" cannot be judged. */
export const heapSizeLimit = {
  name: 'obs_nodejs_heap_size_limit_bytes',
  type: 'gauge',
  source: 'sdk',
  help: "V8's heap size limit (v8.getHeapStatistics().heap_size_limit, set by --max-old-space-size) in bytes.",
  unit: 'bytes',
  labels: [],
} as const satisfies MetricDefinition;

/** Counts the lines of the audit logger, so that an audit trail gone silent is an alert. */
export const auditEvents = {
  name: 'obs_audit_events_total',
  type: 'counter',
  source: 'sdk',
  help: 'Security audit events written to the audit log.',
  unit: '',
  labels: [],
} as const satisfies MetricDefinition;

export const SDK_METRICS: readonly MetricDefinition[] = [
  httpServerRequestDuration,
  httpServerActiveRequests,
  genaiOperationDuration,
  genaiTimeToFirstChunk,
  genaiTokenUsage,
  genaiCost,
  genaiCacheRequests,
  genaiFallbacks,
  genaiBudget,
  dependencyRequestDuration,
  cacheRequests,
  securityEvents,
  labelOverflow,
  sdkErrors,
  traceSpansDropped,
  eventLoopDelay,
  processStartTime,
  processCpu,
  heapSizeUsed,
  heapSizeLimit,
  auditEvents,
];
