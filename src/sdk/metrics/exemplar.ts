import { isSpanContextValid, type Span, TraceFlags, trace } from '@opentelemetry/api';

/**
 * The trace id of the active OpenTelemetry span, when there is one and it is sampled (an exemplar that
 * points at a trace nobody kept is a dead link). Uses the one global @opentelemetry/api; without a
 * registered tracer or context manager it simply finds nothing.
 */
export function activeTraceId(): string | undefined {
  const span = trace.getActiveSpan();
  return span === undefined ? undefined : sampledTraceId(span);
}

/** The span's trace id when it is valid and sampled (an unsampled trace is not exported: no exemplar). */
export function sampledTraceId(span: Span): string | undefined {
  const ctx = span.spanContext();
  if (!isSpanContextValid(ctx) || (ctx.traceFlags & TraceFlags.SAMPLED) === 0) return undefined;
  return ctx.traceId;
}
