/**
 * startTelemetry(): traces (OTel → OTLP/HTTP), errors (Sentry, sharing the OTel trace id) and logs (pino JSON)
 * from one call, with one idempotent, bounded shutdown. Nothing happens at import time.
 */
import { context, ROOT_CONTEXT, type Context, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import * as Sentry from '@sentry/node';
import type { Logger } from 'pino';
import { installErrorSink } from './error-sink.js';
import { createLogging, type LoggingOptions } from './logging.js';
import { startSentry, type SentryOptions } from './sentry.js';
import {
  countingBatchProcessor,
  SpanCounters,
  startTracing,
  type ServiceIdentity,
  type SpanLossStats,
  type TracingOptions,
} from './tracing.js';

export type { ServiceIdentity, SpanLossStats, TracingOptions } from './tracing.js';
export type { SentryOptions } from './sentry.js';
export type { LoggingOptions, LogLevel } from './logging.js';

export interface TelemetryOptions {
  readonly service: ServiceIdentity;
  readonly tracing?: TracingOptions;
  readonly sentry?: SentryOptions;
  readonly logging?: LoggingOptions;
  /** Upper bound for shutdown() (span flush + Sentry flush run in parallel, then logs). Default 5000 ms. */
  readonly shutdownTimeoutMs?: number;
}

export interface Telemetry {
  readonly tracer: Tracer;
  readonly logger: Logger;
  /** Security audit trail: a child of `logger`, every line carries `audit: true`. */
  readonly audit: Logger;
  /** Lines the audit trail has received so far — feeds `obs_audit_events_total`. */
  auditEvents(): number;
  /** Spans lost so far (queue full + failed/timed-out exports) — feed `obs_trace_spans_dropped_total`. */
  readonly droppedSpans: number;
  /** Breakdown of span loss by reason, plus exported count. */
  spanStats(): SpanLossStats;
  readonly tracingEnabled: boolean;
  /** Where spans are exported (OTLP/HTTP URL); undefined when no endpoint is configured: spans carry trace ids, go nowhere. */
  readonly tracesEndpoint: string | undefined;
  readonly sentryEnabled: boolean;
  /** Reports an error to Sentry (no-op when Sentry is off); returns the event id. */
  captureException(error: unknown): string | undefined;
  /** Flushes spans, Sentry events and logs. Idempotent; resolves within shutdownTimeoutMs; never rejects. */
  shutdown(): Promise<void>;
}

let current: Telemetry | undefined;

/** The running instance, if any (e.g. for the HTTP adapters to reach the logger). */
export function activeTelemetry(): Telemetry | undefined {
  return current;
}

const LOSS_LOG_INTERVAL_MS = 30_000;

/**
 * Runs one of obs's own log calls outside any request: an export callback or a timer runs in the async
 * context of whichever request scheduled it, and its line must not carry that request's trace_id.
 */
function sdkLog(log: () => void): void {
  context.with(ROOT_CONTEXT, log);
}

/** Forwards only spans of a deterministic share of traces (by trace id), so whole traces are kept or not. */
class TraceRatioProcessor implements SpanProcessor {
  private readonly threshold: number;
  private readonly inner: SpanProcessor;
  constructor(inner: SpanProcessor, ratio: number) {
    this.inner = inner;
    this.threshold = Math.floor(Math.min(1, Math.max(0, ratio)) * 0xffffffff);
  }
  private keep(traceId: string): boolean {
    return Number.parseInt(traceId.slice(-8), 16) <= this.threshold;
  }
  onStart(span: Span, parentContext: Context): void {
    if (this.keep(span.spanContext().traceId)) this.inner.onStart(span, parentContext);
  }
  onEnd(span: ReadableSpan): void {
    if (this.keep(span.spanContext().traceId)) this.inner.onEnd(span);
  }
  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }
  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}

function withTimeout(p: Promise<unknown>, ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    timer.unref();
    p.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      () => {
        clearTimeout(timer);
        resolve();
      },
    );
  });
}

export function startTelemetry(options: TelemetryOptions): Telemetry {
  if (current) {
    const running = current;
    sdkLog(() => running.logger.warn('startTelemetry called twice; returning the running instance'));
    return running;
  }
  const { service } = options;
  const shutdownTimeoutMs = options.shutdownTimeoutMs ?? 5000;
  const logging = createLogging(
    { service: service.name, env: service.environment, version: service.version },
    options.logging,
  );
  const { logger } = logging;

  // span loss → one warn line per interval, with counts accumulated in between
  const pendingLoss = { queue_full: 0, export_failed: 0 };
  let lastLossLog = 0;
  let lastError: string | undefined;
  const flushLossLog = (): void => {
    if (pendingLoss.queue_full === 0 && pendingLoss.export_failed === 0) return;
    const fields = { spans_dropped_queue_full: pendingLoss.queue_full, spans_dropped_export_failed: pendingLoss.export_failed, error: lastError };
    sdkLog(() => logger.warn(fields, 'trace spans dropped'));
    pendingLoss.queue_full = 0;
    pendingLoss.export_failed = 0;
    lastError = undefined;
    lastLossLog = Date.now();
  };
  const onSpanLoss = (reason: 'queue_full' | 'export_failed', count: number, error?: Error): void => {
    pendingLoss[reason] += count;
    if (error) lastError = error.message;
    if (Date.now() - lastLossLog >= LOSS_LOG_INTERVAL_MS) flushLossLog();
  };

  const sentryDsn = (options.sentry?.dsn ?? process.env['SENTRY_DSN'] ?? '').trim();
  const sentryHost = hostOf(sentryDsn);

  // optional second span pipeline: a share of OTel traces to Sentry's OTLP endpoint
  const extraProcessors: SpanProcessor[] = [];
  const sentryRate = sentryTracesRate(options.sentry?.tracesSampleRate, process.env['OBS_SENTRY_TRACES_SAMPLE_RATE']);
  if (sentryDsn !== '' && sentryRate > 0) {
    const endpoint = Sentry.getOtlpTracesEndpoint(sentryDsn);
    if (endpoint) {
      const exporter = new OTLPTraceExporter({
        url: endpoint.url,
        headers: endpoint.headers,
        timeoutMillis: options.tracing?.exportTimeoutMillis ?? 10_000,
      });
      const sentryCounters = new SpanCounters();
      const { processor } = countingBatchProcessor(exporter, sentryCounters, {
        ...options.tracing?.batch,
        exportTimeoutMillis: options.tracing?.exportTimeoutMillis ?? 10_000,
      });
      extraProcessors.push(new TraceRatioProcessor(processor, sentryRate));
    }
  }

  const tracing = startTracing(service, options.tracing, {
    onSpanLoss,
    ...(sentryHost ? { ignoreOutgoing: (url: URL) => url.host === sentryHost } : {}),
    extraProcessors,
  });

  const sentry = startSentry(service, { ...options.sentry, dsn: sentryDsn });
  if (tracing.enabled && tracing.endpoint === undefined) {
    sdkLog(() => logger.info('traces are not exported: set OTEL_EXPORTER_OTLP_ENDPOINT (e.g. http://otel-collector:4318) to export them'));
  }

  let shutdownPromise: Promise<void> | undefined;
  const telemetry: Telemetry = {
    tracer: tracing.tracer,
    logger,
    audit: logging.audit,
    auditEvents: () => logging.auditEvents(),
    get droppedSpans() {
      const s = tracing.stats();
      return s.queueFull + s.exportFailed;
    },
    spanStats: () => tracing.stats(),
    tracingEnabled: tracing.enabled,
    tracesEndpoint: tracing.endpoint,
    sentryEnabled: sentry.enabled,
    captureException: (error) => sentry.captureException(error),
    shutdown() {
      shutdownPromise ??= (async () => {
        const deadline = Date.now() + shutdownTimeoutMs;
        await withTimeout(
          Promise.allSettled([
            tracing.shutdown(Math.max(1, shutdownTimeoutMs - 100)),
            sentry.close(Math.max(1, shutdownTimeoutMs - 100)),
          ]),
          shutdownTimeoutMs,
        );
        try {
          flushLossLog();
        } catch {
          /* logging must not break shutdown */
        }
        await logging.flush(Math.max(50, Math.min(1000, deadline - Date.now())));
        if (current === telemetry) {
          current = undefined;
          installErrorSink(undefined);
        }
      })();
      return shutdownPromise;
    },
  };
  current = telemetry;
  installErrorSink(telemetry);
  return telemetry;
}

function hostOf(dsn: string): string | undefined {
  if (dsn === '') return undefined;
  try {
    return new URL(dsn).host;
  } catch {
    return undefined;
  }
}

/**
 * Share of traces also sent to Sentry: the option, else OBS_SENTRY_TRACES_SAMPLE_RATE (what the bundle's
 * sentry/<service>.env sets from the config), else 0. Anything but a number in 0..1 counts as 0.
 */
export function sentryTracesRate(option: number | undefined, env: string | undefined): number {
  const rate = option ?? (env === undefined || env.trim() === '' ? 0 : Number(env));
  return Number.isFinite(rate) && rate >= 0 && rate <= 1 ? rate : 0;
}
