/**
 * The error handler a service expects from its framework adapter: an exception thrown in a route becomes
 * one JSON log line (with the request's trace_id, through the scrubber like every line), a Sentry event
 * when Sentry is on, and a JSON response with a proper status, instead of a plain-text stack on stderr.
 */
import type { ErrorSink } from '../error-sink.js';
import { scrubString } from '../scrub.js';
import type { RequestState } from './core.js';

export interface ErrorResponseBody {
  readonly error: string;
  readonly status: number;
  /** Quote it to find the log line, the trace and the Sentry event of this failure. */
  readonly trace_id?: string;
  /** Client errors (4xx) that mark their message as safe to show (`expose`, as http-errors does). */
  readonly message?: string;
}

export interface HandledError {
  readonly status: number;
  readonly body: ErrorResponseBody;
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** `status`/`statusCode` of the error when it is an HTTP error status (body-parser, http-errors, Fastify), else 500. */
export function statusOf(error: unknown): number {
  if (typeof error === 'object' && error !== null) {
    const e = error as { status?: unknown; statusCode?: unknown };
    const status = typeof e.status === 'number' ? e.status : e.statusCode;
    if (typeof status === 'number' && Number.isInteger(status) && status >= 400 && status <= 599) return status;
  }
  return 500;
}

/**
 * Logs (and for 5xx, reports to Sentry) one failed request and says what to answer. Server errors are
 * logged at `error` and captured; client errors (a malformed body, a rejected token) at `warn`, not captured.
 * Never throws: when reporting fails, the answer is still a 500.
 */
export function handleRequestError(sink: ErrorSink, error: unknown, state: RequestState | undefined, method: string | undefined, route: string | undefined): HandledError {
  const status = statusOf(error);
  const traceId = state?.traceId;
  const body: ErrorResponseBody = {
    error: REASONS[status] ?? (status >= 500 ? 'Server Error' : 'Client Error'),
    status,
    ...(traceId && { trace_id: traceId }),
    ...(status < 500 && exposed(error) && { message: scrubString((error as Error).message) }),
  };
  try {
    const fields: Record<string, unknown> = {
      err: error,
      http_request_method: method,
      http_route: route ?? state?.route,
      http_response_status_code: status,
    };
    if (status >= 500) {
      const eventId = sink.captureException(error);
      if (eventId) fields['sentry_event_id'] = eventId;
      sink.logger.error(fields, 'request failed');
    } else {
      sink.logger.warn(fields, 'request rejected');
    }
  } catch {
    /* the answer below matters more than the report */
  }
  return { status, body };
}

function exposed(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { expose?: unknown }).expose === true && typeof (error as Error).message === 'string';
}
