/**
 * Traces: OpenTelemetry NodeSDK with OTLP/HTTP export, a lean instrumentation set, and an export pipeline
 * that counts every span it loses (queue full, failed or timed-out export) instead of dropping it silently.
 * prom-client owns metrics, so no MeterProvider is created; no OTel log export either.
 */
import { createRequire } from 'node:module';
import * as nodeModule from 'node:module';
import type { IncomingMessage, RequestOptions } from 'node:http';
import { context, propagation, trace, TraceFlags, type Context, type Tracer } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter as OTLPJsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OTLPProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { ExpressInstrumentation, ExpressLayerType } from '@opentelemetry/instrumentation-express';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { RedisInstrumentation } from '@opentelemetry/instrumentation-redis';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import {
  defaultResource,
  detectResources,
  envDetector,
  hostDetector,
  osDetector,
  resourceFromAttributes,
  serviceInstanceIdDetector,
} from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import {
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type ReadableSpan,
  type Span,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { scrub, scrubString } from './scrub.js';

import type { ServiceIdentity } from './identity.js';

export type { ServiceIdentity } from './identity.js';

export type OtlpProtocol = 'http/protobuf' | 'http/json';

/** The trace exporter's encoding: the option, else the standard env vars, else http/json (see TracingOptions). */
export function otlpProtocol(option?: string): OtlpProtocol {
  const env = process.env['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL'] ?? process.env['OTEL_EXPORTER_OTLP_PROTOCOL'];
  const chosen = (option ?? env ?? 'http/json').trim().toLowerCase();
  return chosen === 'http/json' ? 'http/json' : 'http/protobuf';
}

export interface BatchOptions {
  /** Spans buffered before new ones are dropped (and counted). Default 2048. */
  readonly maxQueueSize?: number;
  readonly maxExportBatchSize?: number;
  readonly scheduledDelayMillis?: number;
}

export interface TracingOptions {
  /** Default true. Also off when OTEL_SDK_DISABLED=true. */
  readonly enabled?: boolean;
  /**
   * OTLP/HTTP base endpoint (e.g. `http://otel-collector:4318`; `/v1/traces` is appended unless present).
   * Default: the standard OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (used as is) / OTEL_EXPORTER_OTLP_ENDPOINT env
   * vars (headers from OTEL_EXPORTER_OTLP_(TRACES_)HEADERS too). With none of them, spans are still made (so
   * logs, exemplars and Sentry events carry trace ids) but exported nowhere: not to the OTLP default
   * localhost:4318, where nothing listens unless you run a collector there (and every batch would fail).
   */
  readonly endpoint?: string;
  readonly headers?: Record<string, string>;
  /**
   * OTLP/HTTP encoding. Default: OTEL_EXPORTER_OTLP_TRACES_PROTOCOL / OTEL_EXPORTER_OTLP_PROTOCOL, else
   * `http/json`. The OTLP spec's default is http/protobuf (40% of JSON's bytes), but in obs's HTTP
   * benchmark it cost the traced server 18% more CPU per request than JSON (BENCHMARKS.md), so the app
   * keeps the cheaper one unless you ask. `grpc` is not spoken: it falls back to http/protobuf, so point
   * the endpoint at the collector's HTTP port (4318).
   */
  readonly protocol?: OtlpProtocol;
  /** Root sampling ratio 0..1 (parent-based). Default: OTEL_TRACES_SAMPLER env, else always on. */
  readonly sampleRatio?: number;
  /** `recommended` (default): http, express, fastify (if @fastify/otel is installed), pg, ioredis, redis, undici. */
  readonly instrumentations?: 'recommended' | 'all' | 'none';
  /**
   * A span per Express route handler, from instrumentation-express (default true). obs's Express adapter
   * names the HTTP server span and sets `http.route` itself, so with it installed these spans only repeat
   * the server span: `startObs` turns them off (one span per request instead of two).
   */
  readonly routeSpans?: boolean;
  /**
   * Server spans from instrumentation-http's incoming side (default true). `startObs` turns them off and
   * lets obs's HTTP adapters make them instead; outgoing (client) spans stay either way.
   */
  readonly incomingSpans?: boolean;
  /** Per-export timeout; a hanging collector costs at most this per batch. Default 10 000 ms. */
  readonly exportTimeoutMillis?: number;
  readonly batch?: BatchOptions;
  /** Incoming paths never traced. Default: /health*, /metrics, /livez, /readyz. */
  readonly ignoreIncomingPaths?: readonly (string | RegExp)[];
  /**
   * Register the ESM loader hook (import-in-the-middle, synchronous `module.registerHooks`) so `import`ed
   * modules are instrumented too. Default true; only effective on Node versions that support sync hooks.
   */
  readonly esmHooks?: boolean;
}

/** Why spans were lost. */
export interface SpanLossStats {
  /** Batch queue full: the span was never queued. */
  readonly queueFull: number;
  /** Export failed or timed out: the whole batch was lost. */
  readonly exportFailed: number;
  /** Successfully exported (informational). */
  readonly exported: number;
}

export interface TracingHooks {
  /** Called (rate limited by the caller) when spans are lost. */
  readonly onSpanLoss?: (reason: 'queue_full' | 'export_failed', count: number, error?: Error) => void;
  /** Outgoing requests never traced (e.g. the Sentry ingest host). */
  readonly ignoreOutgoing?: (url: URL) => boolean;
  /** Additional span processors (e.g. a second pipeline to Sentry's OTLP endpoint). */
  readonly extraProcessors?: readonly SpanProcessor[];
}

export interface Tracing {
  readonly tracer: Tracer;
  readonly enabled: boolean;
  /** The OTLP/HTTP URL spans are exported to; undefined when none is configured (spans are not exported). */
  readonly endpoint: string | undefined;
  stats(): SpanLossStats;
  /** Flushes and stops; resolves within about `timeoutMs`; lost spans are counted before it resolves. */
  shutdown(timeoutMs?: number): Promise<void>;
}

const DEFAULT_IGNORED_PATHS: readonly (string | RegExp)[] = [/^\/health(?:[/?]|$|z)/, '/metrics', '/livez', '/readyz'];

const REDACTED_QUERY_PARAMS = [
  'sig',
  'Signature',
  'AWSAccessKeyId',
  'X-Goog-Signature',
  'X-Amz-Signature',
  'X-Amz-Credential',
  'X-Amz-Security-Token',
  'api_key',
  'apikey',
  'api-key',
  'key',
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'password',
  'secret',
  'client_secret',
  'code',
];

// ---------------------------------------------------------------------------------------------------------
// Counting pipeline

/** Mutable counters shared by the processor and exporter wrappers. */
export class SpanCounters {
  pending = 0;
  queueFull = 0;
  exportFailed = 0;
  exported = 0;
  snapshot(): SpanLossStats {
    return { queueFull: this.queueFull, exportFailed: this.exportFailed, exported: this.exported };
  }
}

/**
 * Exporter wrapper: counts exported/failed spans, reports failures, scrubs secrets from span attributes,
 * events and status messages, and turns a throwing exporter into a failed result (never an exception).
 */
export class CountingExporter implements SpanExporter {
  private readonly inner: SpanExporter;
  private readonly counters: SpanCounters;
  private readonly onLoss: TracingHooks['onSpanLoss'];
  /** Exports handed to the inner exporter whose callback has not fired yet. */
  private readonly inFlight = new Set<InFlight>();

  constructor(inner: SpanExporter, counters: SpanCounters, onLoss?: TracingHooks['onSpanLoss']) {
    this.inner = inner;
    this.counters = counters;
    this.onLoss = onLoss;
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    const n = spans.length;
    this.counters.pending = Math.max(0, this.counters.pending - n);
    let resolveDone!: () => void;
    const record: InFlight = { n, settled: false, done: new Promise<void>((r) => (resolveDone = r)) };
    this.inFlight.add(record);
    const finish = (result: ExportResult): void => {
      if (record.settled) return; // late callback after finalize(), or a double callback
      record.settled = true;
      this.inFlight.delete(record);
      resolveDone();
      if (result.code === ExportResultCode.SUCCESS) {
        this.counters.exported += n;
      } else {
        this.counters.exportFailed += n;
        safe(() => this.onLoss?.('export_failed', n, result.error));
      }
      safe(() => resultCallback(result));
    };
    try {
      this.inner.export(spans.map(scrubSpan), finish);
    } catch (err) {
      finish({ code: ExportResultCode.FAILED, error: err instanceof Error ? err : new Error(String(err)) });
    }
  }

  /**
   * Waits (bounded) for in-flight exports, then counts whatever is still unsettled, plus spans still queued
   * in the batch processor, as lost: after shutdown nothing is left uncounted.
   */
  async finalize(timeoutMs: number): Promise<void> {
    if (this.inFlight.size > 0) {
      await raceTimeout(Promise.all([...this.inFlight].map((r) => r.done)), timeoutMs);
    }
    let lost = this.counters.pending;
    this.counters.pending = 0;
    for (const record of this.inFlight) {
      record.settled = true;
      lost += record.n;
    }
    this.inFlight.clear();
    if (lost > 0) {
      this.counters.exportFailed += lost;
      safe(() => this.onLoss?.('export_failed', lost, new Error('export unfinished at shutdown')));
    }
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown().catch(() => undefined);
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.().catch(() => undefined) ?? Promise.resolve();
  }
}

interface InFlight {
  readonly n: number;
  settled: boolean;
  readonly done: Promise<void>;
}

/** Resolves when `p` settles or after `ms`, whichever comes first; never rejects. */
export function raceTimeout(p: Promise<unknown>, ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, Math.max(0, ms));
    timer.unref?.();
    const done = (): void => {
      clearTimeout(timer);
      resolve();
    };
    p.then(done, done);
  });
}

/**
 * Processor wrapper in front of a BatchSpanProcessor: mirrors its queue bound so that a span that would be
 * dropped for a full queue is counted here (the BSP itself only logs a debug line).
 */
export class CountingProcessor implements SpanProcessor {
  private readonly inner: SpanProcessor;
  private readonly counters: SpanCounters;
  private readonly maxQueueSize: number;
  private readonly onLoss: TracingHooks['onSpanLoss'];
  private shutdownCalled = false;

  constructor(
    inner: SpanProcessor,
    counters: SpanCounters,
    maxQueueSize: number,
    onLoss?: TracingHooks['onSpanLoss'],
  ) {
    this.inner = inner;
    this.counters = counters;
    this.maxQueueSize = maxQueueSize;
    this.onLoss = onLoss;
  }

  onStart(span: Span, parentContext: Context): void {
    this.inner.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    // like the BatchSpanProcessor: spans ending after shutdown began are ignored, not queued
    if (this.shutdownCalled) return;
    if ((span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
    if (this.counters.pending >= this.maxQueueSize) {
      this.counters.queueFull += 1;
      safe(() => this.onLoss?.('queue_full', 1));
      return;
    }
    this.counters.pending += 1;
    this.inner.onEnd(span);
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }

  shutdown(): Promise<void> {
    this.shutdownCalled = true;
    return this.inner.shutdown();
  }
}

/** Builds the counted batch pipeline around an exporter. */
export function countingBatchProcessor(
  exporter: SpanExporter,
  counters: SpanCounters,
  options: BatchOptions & { exportTimeoutMillis?: number } = {},
  onLoss?: TracingHooks['onSpanLoss'],
): { processor: SpanProcessor; exporter: CountingExporter } {
  const maxQueueSize = options.maxQueueSize ?? 2048;
  const counting = new CountingExporter(exporter, counters, onLoss);
  const bsp = new BatchSpanProcessor({
    exporter: counting,
    maxQueueSize,
    maxExportBatchSize: Math.min(options.maxExportBatchSize ?? 512, maxQueueSize),
    scheduledDelayMillis: options.scheduledDelayMillis ?? 1000,
    // the exporter's own timeout fires first; this is the backstop
    exportTimeoutMillis: (options.exportTimeoutMillis ?? 10_000) + 1000,
  });
  return { processor: new CountingProcessor(bsp, counters, maxQueueSize, onLoss), exporter: counting };
}

/** Returns the span itself when clean, else a view of it with scrubbed attributes/events/status. */
export function scrubSpan(span: ReadableSpan): ReadableSpan {
  const attributes = scrub(span.attributes);
  let eventsChanged = false;
  const events = span.events.map((e) => {
    if (e.attributes === undefined) return e;
    const a = scrub(e.attributes);
    if (a === e.attributes) return e;
    eventsChanged = true;
    return { ...e, attributes: a };
  });
  const message = span.status.message === undefined ? undefined : scrubString(span.status.message);
  const statusChanged = message !== span.status.message;
  if (attributes === span.attributes && !eventsChanged && !statusChanged) return span;
  const overrides: PropertyDescriptorMap = {};
  if (attributes !== span.attributes) overrides['attributes'] = { value: attributes };
  if (eventsChanged) overrides['events'] = { value: events };
  if (statusChanged) overrides['status'] = { value: { ...span.status, message } };
  return Object.create(span, overrides) as ReadableSpan;
}

function safe(fn: () => void): void {
  try {
    fn();
  } catch {
    /* a reporting hook must never break the pipeline */
  }
}

// ---------------------------------------------------------------------------------------------------------
// Instrumentations

function pathMatches(path: string, patterns: readonly (string | RegExp)[]): boolean {
  const bare = path.split('?', 1)[0] ?? path;
  return patterns.some((p) => (typeof p === 'string' ? bare === p : p.test(bare)));
}

function outgoingUrl(req: RequestOptions): URL | undefined {
  try {
    const protocol = req.protocol ?? 'http:';
    const host = req.hostname ?? req.host ?? 'localhost';
    const port = req.port ? `:${req.port}` : '';
    return new URL(`${protocol}//${host}${port}${req.path ?? '/'}`);
  } catch {
    return undefined;
  }
}

const requireHere = createRequire(import.meta.url);

/** @fastify/otel is Fastify's own OTel instrumentation; optional (not a dependency of obs). */
function fastifyInstrumentation(ignorePaths: readonly (string | RegExp)[]): Instrumentation | undefined {
  try {
    const mod = requireHere('@fastify/otel') as {
      FastifyOtelInstrumentation?: new (config: Record<string, unknown>) => Instrumentation;
    };
    if (typeof mod.FastifyOtelInstrumentation !== 'function') return undefined;
    return new mod.FastifyOtelInstrumentation({
      registerOnInitialization: true,
      ignorePaths: (opts: { url?: string }) => pathMatches(opts.url ?? '', ignorePaths),
    });
  } catch {
    return undefined;
  }
}

function httpConfig(options: TracingOptions, hooks: TracingHooks) {
  const ignorePaths = options.ignoreIncomingPaths ?? DEFAULT_IGNORED_PATHS;
  return {
    disableIncomingRequestInstrumentation: options.incomingSpans === false,
    ignoreIncomingRequestHook: (req: IncomingMessage) => pathMatches(req.url ?? '/', ignorePaths),
    ignoreOutgoingRequestHook: (req: RequestOptions) => {
      if (!hooks.ignoreOutgoing) return false;
      const url = outgoingUrl(req);
      return url !== undefined && hooks.ignoreOutgoing(url);
    },
    redactedQueryParams: REDACTED_QUERY_PARAMS,
    redactedQueryParamsServer: REDACTED_QUERY_PARAMS,
  };
}

/**
 * The lean set. Express: one span per route handler, no span per middleware/router layer, and no
 * @opentelemetry/instrumentation-router (Express 5 runs on `router`, which would span every layer again);
 * the HTTP server span gets `http.route` from the Express instrumentation either way.
 * DB clients: no statement values (pg without parameter values, redis command names only).
 */
export function recommendedInstrumentations(options: TracingOptions, hooks: TracingHooks): Instrumentation[] {
  const ignorePaths = options.ignoreIncomingPaths ?? DEFAULT_IGNORED_PATHS;
  const list: Instrumentation[] = [
    new HttpInstrumentation(httpConfig(options, hooks)),
    ...(options.routeSpans === false
      ? []
      : [new ExpressInstrumentation({ ignoreLayersType: [ExpressLayerType.MIDDLEWARE, ExpressLayerType.ROUTER] })]),
    new PgInstrumentation({ requireParentSpan: true, enhancedDatabaseReporting: false }),
    new IORedisInstrumentation({ requireParentSpan: true, dbStatementSerializer: (cmd) => cmd }),
    new RedisInstrumentation({ requireParentSpan: true, dbStatementSerializer: (cmd) => cmd }),
    new UndiciInstrumentation({
      ignoreRequestHook: (req) => {
        if (!hooks.ignoreOutgoing) return false;
        try {
          return hooks.ignoreOutgoing(new URL(req.path, req.origin));
        } catch {
          return false;
        }
      },
    }),
  ];
  const fastify = fastifyInstrumentation(ignorePaths);
  if (fastify) list.push(fastify);
  return list;
}

/** Everything in @opentelemetry/auto-instrumentations-node, with our http/express settings and the duplicates off. */
function allInstrumentations(options: TracingOptions, hooks: TracingHooks): Instrumentation[] {
  const auto = requireHere('@opentelemetry/auto-instrumentations-node') as {
    getNodeAutoInstrumentations(config: Record<string, unknown>): Instrumentation[];
  };
  const list = auto.getNodeAutoInstrumentations({
    '@opentelemetry/instrumentation-http': httpConfig(options, hooks),
    '@opentelemetry/instrumentation-express': {
      enabled: options.routeSpans !== false,
      ignoreLayersType: [ExpressLayerType.MIDDLEWARE, ExpressLayerType.ROUTER],
    },
    '@opentelemetry/instrumentation-router': { enabled: false },
    // our pino mixin already correlates; OTel log sending stays off
    '@opentelemetry/instrumentation-pino': { enabled: false },
    '@opentelemetry/instrumentation-fs': { enabled: false },
    '@opentelemetry/instrumentation-runtime-node': { enabled: false },
    '@opentelemetry/instrumentation-host-metrics': { enabled: false },
  });
  const fastify = fastifyInstrumentation(options.ignoreIncomingPaths ?? DEFAULT_IGNORED_PATHS);
  if (fastify) list.push(fastify);
  return list;
}

let esmHooksRegistered = false;

function registerEsmHooks(instrumentations: readonly Instrumentation[]): void {
  if (esmHooksRegistered) return;
  if (typeof (nodeModule as { registerHooks?: unknown }).registerHooks !== 'function') return;
  try {
    const iitm = requireHere('import-in-the-middle/register-hooks.mjs') as {
      register(options?: { include?: string[] }): void;
      supportsSyncHooks(): boolean;
    };
    if (!iitm.supportsSyncHooks()) return;
    const include = new Set<string>();
    for (const inst of instrumentations) {
      const defs = (inst as { getModuleDefinitions?: () => { name: string }[] }).getModuleDefinitions?.() ?? [];
      for (const d of defs) include.add(d.name);
    }
    if (include.size === 0) return;
    iitm.register({ include: [...include] });
    esmHooksRegistered = true;
  } catch {
    /* CJS apps do not need it; ESM apps can still use --import @opentelemetry/instrumentation/hook.mjs */
  }
}

// ---------------------------------------------------------------------------------------------------------

function tracesUrl(endpoint: string): string {
  const trimmed = endpoint.replace(/\/+$/, '');
  return trimmed.endsWith('/v1/traces') ? trimmed : `${trimmed}/v1/traces`;
}

/**
 * Where spans go: the option, else OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (a full URL, as the spec says), else
 * OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces; undefined when none is set.
 */
export function tracesEndpoint(option?: string): string | undefined {
  const given = option?.trim();
  if (given) return tracesUrl(given);
  const traces = process.env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']?.trim();
  if (traces) return traces;
  const base = process.env['OTEL_EXPORTER_OTLP_ENDPOINT']?.trim();
  return base ? tracesUrl(base) : undefined;
}

/** Spans are made and ended, and go nowhere: trace context without an export pipeline. */
class NoExportProcessor implements SpanProcessor {
  onStart(): void {}
  onEnd(): void {}
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

function envDisabled(): boolean {
  return /^true$/i.test(process.env['OTEL_SDK_DISABLED'] ?? '') || process.env['OTEL_TRACES_EXPORTER'] === 'none';
}

const NOOP_STATS: SpanLossStats = { queueFull: 0, exportFailed: 0, exported: 0 };

export function startTracing(service: ServiceIdentity, options: TracingOptions = {}, hooks: TracingHooks = {}): Tracing {
  if (options.enabled === false || envDisabled()) {
    return {
      tracer: trace.getTracer(service.name, service.version),
      enabled: false,
      endpoint: undefined,
      stats: () => NOOP_STATS,
      shutdown: () => Promise.resolve(),
    };
  }
  const exportTimeoutMillis = options.exportTimeoutMillis ?? 10_000;
  const endpoint = tracesEndpoint(options.endpoint);
  const counters = new SpanCounters();
  let processor: SpanProcessor = new NoExportProcessor();
  let counting: CountingExporter | undefined;
  if (endpoint !== undefined) {
    const Exporter = otlpProtocol(options.protocol) === 'http/json' ? OTLPJsonTraceExporter : OTLPProtoTraceExporter;
    const exporter = new Exporter({
      url: endpoint,
      ...(options.headers ? { headers: options.headers } : {}),
      timeoutMillis: exportTimeoutMillis,
    });
    ({ processor, exporter: counting } = countingBatchProcessor(
      exporter,
      counters,
      { ...options.batch, exportTimeoutMillis },
      hooks.onSpanLoss,
    ));
  }

  const attributes: Record<string, string> = { [ATTR_SERVICE_NAME]: service.name };
  if (service.version) attributes[ATTR_SERVICE_VERSION] = service.version;
  if (service.environment) attributes['deployment.environment.name'] = service.environment;
  if (service.namespace) attributes['service.namespace'] = service.namespace;
  // options win over OTEL_RESOURCE_ATTRIBUTES; no process detector (command lines can carry secrets)
  const resource = defaultResource()
    .merge(detectResources({ detectors: [envDetector, hostDetector, osDetector, serviceInstanceIdDetector] }))
    .merge(resourceFromAttributes(attributes));

  const mode = options.instrumentations ?? 'recommended';
  const instrumentations =
    mode === 'none' ? [] : mode === 'all' ? allInstrumentations(options, hooks) : recommendedInstrumentations(options, hooks);
  if (options.esmHooks !== false) registerEsmHooks(instrumentations);

  const sdk = new NodeSDK({
    resource,
    autoDetectResources: false,
    instrumentations,
    spanProcessors: [processor, ...(hooks.extraProcessors ?? [])],
    // prom-client owns metrics; no OTLP metrics, no OTLP logs (an empty list means "none", not "from env")
    metricReaders: [],
    logRecordProcessors: [],
    ...(options.sampleRatio !== undefined
      ? { sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(clampRatio(options.sampleRatio)) }) }
      : {}),
  });
  sdk.start();

  let shutdownPromise: Promise<void> | undefined;
  return {
    tracer: trace.getTracer(service.name, service.version),
    enabled: true,
    endpoint,
    stats: () => counters.snapshot(),
    shutdown(timeoutMs = 5000) {
      shutdownPromise ??= (async () => {
        const deadline = Date.now() + timeoutMs;
        try {
          // flushes the queue; rejects early when one batch fails, so in-flight exports are awaited below
          await raceTimeout(sdk.shutdown(), timeoutMs);
          await counting?.finalize(deadline - Date.now());
        } catch {
          /* export errors are counted, not thrown */
        } finally {
          for (const inst of instrumentations) safe(() => inst.disable());
          // release the globals so a later start (tests, hot reload) registers cleanly
          trace.disable();
          propagation.disable();
          context.disable();
        }
      })();
      return shutdownPromise;
    },
  };
}

function clampRatio(r: number): number {
  return Number.isFinite(r) ? Math.min(1, Math.max(0, r)) : 1;
}
