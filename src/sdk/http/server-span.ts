import { trace } from '@opentelemetry/api';
import { OTHER_METHOD } from '../metrics/labels.js';

/**
 * Names the active HTTP server span after the route template (`GET /users/:id`) and sets `http.route`,
 * as instrumentation-express would: with obs's adapter that instrumentation's extra span per request is
 * not needed. Without a tracer (metrics only) there is no recording span and this does nothing.
 */
export function nameServerSpan(method: string, route: string): void {
  const span = trace.getActiveSpan();
  if (span === undefined || !span.isRecording()) return;
  span.updateName(`${method === OTHER_METHOD ? 'HTTP' : method} ${route}`);
  span.setAttribute('http.route', route);
}
