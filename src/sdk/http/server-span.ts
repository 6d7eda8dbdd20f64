import type { IncomingMessage } from 'node:http';
import { type Context, propagation, ROOT_CONTEXT, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { OTHER_METHOD } from '../metrics/labels.js';
import { pathOf } from './url.js';

/**
 * HTTP server spans made by obs's adapters, when obs owns them (under startObs): the adapters already
 * know the method, the route template and the status, so one span per request costs a fraction of what
 * instrumentation-http's incoming side does. Without a registered tracer the spans are non-recording.
 */
const tracer = trace.getTracer('obs');

const spanName = (method: string, route?: string) => `${method === OTHER_METHOD ? 'HTTP' : method}${route ? ` ${route}` : ''}`;

/** Starts the server span of a request, continuing the caller's trace from its W3C traceparent. */
export function startServerSpan(req: IncomingMessage, method: string): { span: Span; context: Context } {
  const parent = propagation.extract(ROOT_CONTEXT, req.headers);
  const span = tracer.startSpan(
    spanName(method),
    {
      kind: SpanKind.SERVER,
      attributes: {
        'http.request.method': method,
        'url.scheme': 'http',
        'url.path': pathOf(req.url),
        ...(req.headers['user-agent'] && { 'user_agent.original': req.headers['user-agent'] }),
        ...(req.socket?.remoteAddress && { 'client.address': req.socket.remoteAddress }),
      },
    },
    parent,
  );
  return { span, context: trace.setSpan(parent, span) };
}

/** Ends a server span: status code, route, and ERROR for 5xx (client errors are not server errors). */
export function endServerSpan(span: Span, method: string, route: string | undefined, status: number, error?: unknown): void {
  if (route) {
    span.updateName(spanName(method, route));
    span.setAttribute('http.route', route);
  }
  span.setAttribute('http.response.status_code', status);
  if (status >= 500) {
    span.setAttribute('error.type', error instanceof Error ? error.constructor.name : String(status));
    span.setStatus({ code: SpanStatusCode.ERROR });
  }
  if (error instanceof Error) span.recordException(error);
  span.end();
}

/**
 * Names the active HTTP server span after the route template (`GET /users/:id`) and sets `http.route`,
 * as instrumentation-express would, for server spans made by instrumentation-http.
 */
export function nameServerSpan(method: string, route: string): void {
  const span = trace.getActiveSpan();
  if (span === undefined || !span.isRecording()) return;
  span.updateName(spanName(method, route));
  span.setAttribute('http.route', route);
}
