/**
 * Where the HTTP error handlers send a failed request: the running telemetry's logger and Sentry when
 * startObs/startTelemetry run, else a stdout JSON logger of their own (metrics-only `createObs` users).
 * A module of its own so the adapters reach the logger without loading OTel and Sentry.
 */
import type { Logger } from 'pino';
import { createLogging } from './logging.js';

export interface ErrorSink {
  readonly logger: Logger;
  /** Reports to Sentry when it is on; returns the event id. */
  captureException(error: unknown): string | undefined;
}

let installed: ErrorSink | undefined;
const fallbacks = new Map<string, ErrorSink>();

/** Called by startTelemetry (and with undefined by its shutdown). */
export function installErrorSink(sink: ErrorSink | undefined): void {
  installed = sink;
}

/** The running telemetry's sink, else a logger-only one for this service (created on first use). */
export function errorSink(service: string): ErrorSink {
  if (installed) return installed;
  let sink = fallbacks.get(service);
  if (sink === undefined) {
    sink = { logger: createLogging({ service }).logger, captureException: () => undefined };
    fallbacks.set(service, sink);
  }
  return sink;
}
