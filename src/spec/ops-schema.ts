import { z } from 'zod';
import { parseDuration } from '../model/duration.js';

/**
 * The operational sections of the config: `dependencies`, `thresholds` and `alerting`. Same rules as the
 * SLO schema: every object strict, every message says what is expected. Secrets are accepted only as file
 * references (Alertmanager's *_file fields): an inline secret is an error that says which field to use.
 */

const SLUG = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const HOST_PORT = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9a-fA-F:]+\]):(\d{1,5})$/;
const PERCENT = /^(\d+(?:\.\d+)?)%$/;

const slug = z.string().regex(SLUG, 'must be letters, digits, dots, dashes or underscores, starting with a letter or digit');
const labels = z.record(
  z.string().regex(LABEL_NAME, 'must be a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*)'),
  z.string({ error: 'must be a string' }),
);
const nonEmpty = z.string({ error: 'must be a string' }).min(1, 'must not be empty');
const nonEmptyList = z.array(nonEmpty).min(1, 'must list at least one value');

const duration = z
  .string({ error: 'must be a duration such as 500ms, 2s or 14d' })
  .refine((text) => parseDuration(text) !== undefined, { message: 'must be a duration such as 500ms, 2s or 14d', abort: true });

/** A latency or age: a duration string, or a number of seconds. '80%' is not one. */
const seconds = z.union([z.number().positive('must be > 0'), duration], {
  error: 'must be a duration such as 500ms, 2s or 14d, or a number of seconds',
});

/** A share written as a percentage, so 80 and 0.8 cannot be confused: '80%'. */
const percent = z
  .string({ error: "must be a percentage such as '80%'" })
  .refine((text) => PERCENT.test(text) && Number(PERCENT.exec(text)![1]) <= 100, {
    message: "must be a percentage from '0%' to '100%', such as '80%'",
    abort: true,
  });

const hostPort = z
  .string({ error: 'must be host:port, such as api.example.com:443' })
  .refine((text) => HOST_PORT.test(text) && Number(HOST_PORT.exec(text)![1]) <= 65_535, {
    message: 'must be host:port, such as api.example.com:443 (the port is required)',
    abort: true,
  });

const exporterTarget = z.strictObject({
  /** Prometheus job that scrapes the exporter. */
  job: slug.optional(),
  /** Extra matchers for the exporter's series. */
  selector: labels.optional(),
});

export const dependenciesSpec = z.strictObject({
  postgres: exporterTarget.optional(),
  redis: exporterTarget.optional(),
  nginx: exporterTarget.optional(),
  /** node_exporter on the hosts the service runs on. */
  host: exporterTarget.optional(),
  /** cAdvisor for the service's containers. */
  containers: exporterTarget.optional(),
  /** The SDK's queue and job metrics (obs.queue). */
  queues: z.strictObject({ names: nonEmptyList.optional() }).optional(),
  /** TLS endpoints whose certificates blackbox_exporter checks. */
  certificates: z.array(hostPort).optional(),
  /** HTTP(S) URLs blackbox_exporter probes. */
  endpoints: z.array(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' })).optional(),
  blackboxJob: slug.optional(),
  /** The backup contract: the job exposes obs_backup_last_success_timestamp_seconds{backup}. */
  backups: z.strictObject({ rpo: duration, names: nonEmptyList.optional(), job: slug.optional() }).optional(),
});

const factor = z.number({ error: 'must be a number such as 3' }).gt(1, 'must be > 1 (a multiple of the usual value)');

export const thresholdsSpec = z.strictObject({
  http: z
    .strictObject({ errorRatio: percent.optional(), latencyP95: seconds.optional(), latencyP99: seconds.optional(), rateLimitedRatio: percent.optional() })
    .optional(),
  runtime: z.strictObject({ eventLoopDelayP99: seconds.optional(), heapUsedRatio: percent.optional() }).optional(),
  genai: z
    .strictObject({
      latencyP95: seconds.optional(),
      ragLatencyP95: seconds.optional(),
      errorRatio: percent.optional(),
      cacheHitRatio: percent.optional(),
      tokenSpikeFactor: factor.optional(),
    })
    .optional(),
  budget: z.strictObject({ warning: percent.optional(), critical: percent.optional() }).optional(),
  database: z
    .strictObject({
      latencyP95: seconds.optional(),
      connectionsRatio: percent.optional(),
      replicationLag: seconds.optional(),
      longTransaction: seconds.optional(),
    })
    .optional(),
  redis: z.strictObject({ memoryRatio: percent.optional() }).optional(),
  host: z
    .strictObject({ cpuRatio: percent.optional(), memoryRatio: percent.optional(), diskRatio: percent.optional(), clockSkew: seconds.optional() })
    .optional(),
  containers: z.strictObject({ cpuThrottledRatio: percent.optional(), memoryRatio: percent.optional() }).optional(),
  certificates: z.strictObject({ warning: seconds.optional(), critical: seconds.optional() }).optional(),
  queues: z.strictObject({ backlogGrowingFor: seconds.optional() }).optional(),
});

/** A field that must never be given: the secret belongs in a file named by `fileField`. */
const inlineSecret = (fileField: string) =>
  z.never({ error: `is an inline secret; put it in a file readable by Alertmanager and give its path as ${fileField}` });

const filePath = z.string({ error: 'must be a file path' }).min(1, 'must not be empty');

/** Query parameters and userinfo that carry credentials in webhook URLs. */
const SECRET_IN_URL = /\/\/[^/@]*:[^/@]*@|[?&](?:token|key|api_?key|secret|password|sig|signature|access_token)=/i;

export const receiversSpec = z.strictObject({
  pagerduty: z
    .strictObject({ routingKeyFile: filePath, routingKey: inlineSecret('routingKeyFile').optional(), serviceKey: inlineSecret('routingKeyFile').optional() })
    .optional(),
  slack: z
    .strictObject({
      apiUrlFile: filePath,
      apiUrl: inlineSecret('apiUrlFile').optional(),
      channel: z.string({ error: 'must be a channel such as #alerts' }).regex(/^[#@]?[a-z0-9._-]+$/i, 'must be a channel such as #alerts'),
    })
    .optional(),
  email: z
    .strictObject({
      to: z.email('must be an e-mail address'),
      from: z.email('must be an e-mail address'),
      smarthost: hostPort,
      authUsername: nonEmpty.optional(),
      authPasswordFile: filePath.optional(),
      authPassword: inlineSecret('authPasswordFile').optional(),
    })
    .optional(),
  webhook: z
    .strictObject({
      url: z
        .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
        .refine((url) => !SECRET_IN_URL.test(url), 'carries a credential in the URL; use a receiver that reads it from a file'),
    })
    .optional(),
});

export const RECEIVER_KINDS = ['pagerduty', 'slack', 'email', 'webhook'] as const;
const receiverKind = z.enum(RECEIVER_KINDS, { error: `must be one of ${RECEIVER_KINDS.join(', ')}` });

export const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;
const weekday = z.string({ error: 'must be a weekday such as saturday, or a range such as monday:friday' }).refine(
  (text) => text.split(':').length <= 2 && text.split(':').every((day) => (WEEKDAYS as readonly string[]).includes(day.toLowerCase())),
  { message: `must be a weekday (${WEEKDAYS.join(', ')}) or a range such as monday:friday`, abort: true },
);
const clock = z.string({ error: 'must be a time such as 02:00' }).regex(/^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'must be a time such as 02:00 (24-hour HH:MM)');

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Labels a maintenance window may mute by: the ones every obs alert carries. */
export const MUTE_LABELS = ['alertname', 'service', 'slo', 'domain', 'component', 'severity'] as const;

const maintenanceSpec = z.strictObject({
  name: slug,
  timeZone: z.string().refine(isTimeZone, 'must be an IANA time zone such as Europe/Paris or UTC').optional(),
  weekdays: z.array(weekday).min(1, 'must list at least one weekday'),
  times: z
    .array(z.strictObject({ start: clock, end: clock }).refine((t) => t.start < t.end, 'start must be before end'))
    .optional(),
  mute: z
    .strictObject(Object.fromEntries(MUTE_LABELS.map((label) => [label, nonEmptyList.optional()])) as Record<
      (typeof MUTE_LABELS)[number],
      z.ZodOptional<typeof nonEmptyList>
    >)
    .refine((m) => Object.values(m).some((v) => v !== undefined), `must name what to mute by ${MUTE_LABELS.join(', ')}`),
});

export const alertingSpec = z
  .strictObject({
    receivers: receiversSpec,
    /** Severity → receivers. Default: critical → pagerduty, warning → slack and email, info → none. */
    routes: z
      .strictObject({ critical: z.array(receiverKind).optional(), warning: z.array(receiverKind).optional(), info: z.array(receiverKind).optional() })
      .optional(),
    maintenance: z.array(maintenanceSpec).optional(),
    links: z
      .strictObject({
        grafanaUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
        sentry: z
          .strictObject({
            url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
            org: slug,
            project: slug,
            environment: nonEmpty.optional(),
          })
          .optional(),
      })
      .optional(),
  })
  .superRefine((alerting, ctx) => {
    for (const [severity, kinds] of Object.entries(alerting.routes ?? {})) {
      (kinds ?? []).forEach((kind, index) => {
        if (alerting.receivers[kind] !== undefined) return;
        ctx.addIssue({
          code: 'custom',
          path: ['routes', severity, index],
          message: `names the receiver ${kind}, which alerting.receivers does not define; add alerting.receivers.${kind} or remove it`,
        });
      });
    }
    const names = new Set<string>();
    (alerting.maintenance ?? []).forEach((window, index) => {
      if (names.has(window.name)) ctx.addIssue({ code: 'custom', path: ['maintenance', index, 'name'], message: 'is used by another maintenance window' });
      names.add(window.name);
    });
  });
