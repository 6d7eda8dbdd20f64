/**
 * What the log pipeline (Alloy and Promtail alike) takes from the SDK's JSON lines (src/sdk/logging.ts):
 * which fields become labels — only those with a small, known set of values — which travel as
 * structured metadata, and where the timestamp is. Both builders read this one definition.
 */

/** pino's string levels, as the SDK writes them (`formatters.level`). */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;

/** The label audit lines carry (`audit: true`, from the SDK's audit child logger): their own stream. */
export const AUDIT_LABEL = 'audit';

/**
 * Fields promoted to labels, with the values each may take. `service` is one value per service of the
 * bundle; nothing here may be per-request (trace ids, routes, users): each label value is a stream.
 */
export const LABEL_FIELDS = {
  level: LOG_LEVELS,
  service: 'one per service',
  [AUDIT_LABEL]: ['true'],
} as const;

/** Per-line correlation: searchable without being labels (Loki structured metadata). */
export const METADATA_FIELDS = ['trace_id', 'span_id'] as const;

/** The SDK writes ISO-8601 UTC with milliseconds: `"time":"2026-12-02T04:37:13.123Z"`. */
export const TIMESTAMP_FIELD = 'time';
export const TIMESTAMP_FORMAT = 'RFC3339Nano';

/** Every field the JSON stage extracts. */
export const EXTRACTED_FIELDS = [TIMESTAMP_FIELD, ...Object.keys(LABEL_FIELDS), ...METADATA_FIELDS] as const;

/** Containers whose logs are collected carry this Docker label (the stack's own containers do not). */
export const DOCKER_LOGS_LABEL = 'obs.logs=true';

/** Log files the SDK writes when given a `destination` path, mounted into the collector. */
export const LOG_FILES_GLOB = '/var/log/obs/**/*.log';

export const LOKI_PUSH_URL = 'http://loki:3100/loki/api/v1/push';
