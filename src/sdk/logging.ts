/**
 * Structured JSON logs for Loki: string levels, ISO time, `msg`, base fields service/env/version,
 * trace_id/span_id of the active OpenTelemetry span, secrets redacted (scrub.ts), plus an audit logger.
 */
import { isSpanContextValid, trace } from '@opentelemetry/api';
import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { batchedDestination } from './log-destination.js';
import { REDACT_PATHS, REDACTED, scrub, scrubString } from './scrub.js';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface LoggingOptions {
  /** Minimum level (default: LOG_LEVEL env var, else `info`). */
  readonly level?: LogLevel | string;
  /**
   * Where lines go: a stream (anything with `write(line)`), a file descriptor, or a file path.
   * Default: stdout. Descriptors and paths get one write per event-loop turn (log-destination.ts).
   */
  readonly destination?: DestinationStream | number | string;
}

export interface LoggingIdentity {
  readonly service: string;
  readonly env?: string | undefined;
  readonly version?: string | undefined;
}

export interface Logging {
  readonly logger: Logger;
  /** Child logger for the security audit trail: every line carries `audit: true`. */
  readonly audit: Logger;
  /** Flushes buffered output (async destinations); resolves within `timeoutMs`. */
  flush(timeoutMs?: number): Promise<void>;
  /** Lines written so far by `audit` and its children: feeds obs_audit_events_total. */
  auditEvents(): number;
}

/** Marks the audit logger; pino children inherit it through their prototype (pino's child is Object.create). */
const AUDIT = Symbol('obs.audit');

/** pino mixin: correlation fields from the active OTel span. Returns a fresh object (pino mutates it). */
export function traceMixin(): Record<string, string> {
  const span = trace.getActiveSpan();
  if (span === undefined) return {};
  const ctx = span.spanContext();
  if (!isSpanContextValid(ctx)) return {};
  return { trace_id: ctx.traceId, span_id: ctx.spanId, trace_flags: ctx.traceFlags & 1 ? '01' : '00' };
}

let cachedSecond = Number.NaN;
let cachedPrefix = '';

/**
 * pino timestamp `,"time":"2026-12-02T04:37:13.123Z"` (what pino's isoTime writes) for the epoch-ms `now`.
 * The date part is formatted once per second: toISOString on every line was 1.3% of a traced request.
 */
export function isoTimeAt(now: number): string {
  const second = Math.floor(now / 1000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedPrefix = `,"time":"${new Date(second * 1000).toISOString().slice(0, 20)}`;
  }
  const ms = now - second * 1000;
  return `${cachedPrefix}${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}Z"`;
}

const isoTime = (): string => isoTimeAt(Date.now());

/** Formatters redact by key only: the patterns run once over the whole serialized line (streamWrite). */
const KEYS_ONLY = { patterns: false } as const;

/** The pino options obs uses; exported so services that build their own pino get the same shape. */
export function loggerOptions(identity: LoggingIdentity, level: string): LoggerOptions {
  const base: Record<string, string> = { service: identity.service };
  if (identity.env) base['env'] = identity.env;
  if (identity.version) base['version'] = identity.version;
  return {
    level,
    base,
    messageKey: 'msg',
    timestamp: isoTime,
    formatters: {
      // Loki (and humans) read "info", not 30.
      level: (label) => ({ level: label }),
      // by-key redaction of child bindings (patterns are handled per line by streamWrite)
      bindings: (bindings) => scrub(bindings, KEYS_ONLY),
      // by-key redaction of the logged object: credentials and GenAI prompt/completion text
      log: (obj) => scrub(obj, KEYS_ONLY),
    },
    mixin: traceMixin,
    redact: { paths: [...REDACT_PATHS], censor: REDACTED },
    hooks: {
      // last line of defence: secret patterns anywhere in the serialized line (msg, interpolations, stacks)
      streamWrite: scrubString,
    },
  };
}

function resolveDestination(dest: LoggingOptions['destination']): DestinationStream {
  return dest === undefined ? batchedDestination(1) : typeof dest === 'object' ? dest : batchedDestination(dest);
}

export function createLogging(identity: LoggingIdentity, options: LoggingOptions = {}): Logging {
  const level = options.level ?? process.env['LOG_LEVEL'] ?? 'info';
  const destination = resolveDestination(options.destination);
  const opts = loggerOptions(identity, level);
  let auditLines = 0;
  const logger = pino(
    {
      ...opts,
      hooks: {
        ...opts.hooks,
        // pino calls this only for enabled levels: what it counts is what the audit trail received
        logMethod(args, method) {
          if ((this as unknown as Record<symbol, unknown>)[AUDIT]) auditLines++;
          method.apply(this, args);
        },
      },
    },
    destination,
  );
  const audit = logger.child({ audit: true });
  Object.defineProperty(audit, AUDIT, { value: true });
  return {
    logger,
    audit,
    auditEvents: () => auditLines,
    flush(timeoutMs = 2000) {
      return new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        timer.unref();
        try {
          logger.flush(() => {
            clearTimeout(timer);
            resolve();
          });
        } catch {
          clearTimeout(timer);
          resolve();
        }
      });
    },
  };
}
