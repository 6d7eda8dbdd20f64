import { z } from 'zod';
import type { ConfigIssue } from '../errors.js';
import type { AlertingSpec, ObsConfig, SliSpec, SloSpec } from '../schema.js';
import { queryProblem } from '../../promql/lint.js';
import { ALERT_NAME, LABEL_NAME, parseDocument, SLUG, SLUG_MESSAGE } from './common.js';
import type { ImportResult, SourceDocument, SpecImporter } from './types.js';

/**
 * Sloth `version: prometheus/v1` specs (https://sloth.dev/specs/prometheus-v1/). Each YAML document is one
 * spec; documents of the same service become one config. Sloth's `{{.window}}` is kept: our generator
 * substitutes it like `$window`.
 */

const VERSION = 'prometheus/v1';
/** How Sloth spells the window placeholder (`{{ .window }}` is accepted as well). */
const WINDOW = '{{.window}}';
const UNKNOWN_VERSION = `is an unknown Sloth spec version (obs imports Sloth's ${VERSION})`;
/** Sloth specs have no period; its CLI defaults to 30 days (--default-slo-period). */
const PERIOD = '30d';

/** Sloth reads labels as strings; YAML numbers and booleans (`tier: 2`) are taken as their text. */
const labels = z
  .record(z.string(), z.union([z.string(), z.number(), z.boolean()], { error: 'must be a string' }).transform(String), {
    error: 'must be a map of names to strings',
  })
  .superRefine((map, ctx) => {
    for (const name of Object.keys(map)) {
      if (!LABEL_NAME.test(name)) {
        ctx.addIssue({ code: 'custom', path: [name], message: 'is not a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*)' });
      }
    }
  });

const query = z.string({ error: 'must be a PromQL query' }).trim().min(1, 'must not be empty');

const severityAlert = z.strictObject({
  disable: z.boolean({ error: 'must be true or false' }).optional(),
  labels: labels.optional(),
  annotations: labels.optional(),
});

const alerting = z.strictObject({
  name: z.string({ error: 'must be a string' }).regex(ALERT_NAME, 'must be an alert name such as MyServiceHighErrorRate').optional(),
  labels: labels.optional(),
  annotations: labels.optional(),
  page_alert: severityAlert.optional(),
  ticket_alert: severityAlert.optional(),
});

const sli = z
  .strictObject({
    events: z.strictObject({ error_query: query, total_query: query }).optional(),
    raw: z.strictObject({ error_ratio_query: query }).optional(),
    plugin: z.unknown().optional(),
  })
  .superRefine((spec, ctx) => {
    if (spec.plugin !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['plugin'],
        message: 'SLI plugins are not supported; write the SLI as events (error_query, total_query) or raw (error_ratio_query)',
      });
    } else if (!spec.events && !spec.raw) {
      ctx.addIssue({ code: 'custom', message: 'needs events (error_query, total_query) or raw (error_ratio_query)' });
    } else if (spec.events && spec.raw) {
      ctx.addIssue({ code: 'custom', message: 'needs events or raw, not both' });
    }
    // Sloth refuses a query without its window placeholder; so do we, and events that are not rates.
    const check = (path: [string, string], query: string | undefined, events: boolean) => {
      const problem = query === undefined ? undefined : queryProblem(query, { placeholder: WINDOW, events });
      if (problem) ctx.addIssue({ code: 'custom', path, message: problem.message });
    };
    check(['events', 'error_query'], spec.events?.error_query, true);
    check(['events', 'total_query'], spec.events?.total_query, true);
    check(['raw', 'error_ratio_query'], spec.raw?.error_ratio_query, false);
  });

const slo = z.strictObject({
  name: z.string({ error: 'must be a string' }).regex(SLUG, SLUG_MESSAGE),
  objective: z
    .number({ error: 'must be a percentage such as 99.9' })
    .gt(0, 'must be > 0 and < 100')
    .lt(100, 'must be > 0 and < 100'),
  description: z.string({ error: 'must be a string' }).optional(),
  labels: labels.optional(),
  sli,
  alerting: alerting.optional(),
});

const slothSpec = z.strictObject({
  version: z.literal(VERSION, { error: UNKNOWN_VERSION }),
  service: z.string({ error: 'must be a string' }).regex(SLUG, SLUG_MESSAGE),
  labels: labels.optional(),
  slos: z.array(slo, { error: 'must be a list of SLOs' }).min(1, 'must list at least one SLO'),
});

type SlothSpec = z.output<typeof slothSpec>;
type SlothSlo = SlothSpec['slos'][number];
type SlothAlerting = z.output<typeof alerting>;

/** One service's config under construction, and where each of its SLOs was defined. */
interface ServiceConfig {
  readonly config: ObsConfig & { slos: Record<string, SloSpec> };
  readonly document: number;
  readonly origins: Map<string, { document: number; index: number }>;
}

export const slothImporter: SpecImporter = {
  format: 'sloth',
  // Any `prometheus/…` version is Sloth's, so that an unknown one is reported as such.
  detect: (doc) => typeof doc === 'object' && doc !== null && /^prometheus\//.test(String((doc as { version?: unknown }).version)),
  import: importSloth,
};

function importSloth(documents: readonly SourceDocument[]): ImportResult {
  const issues: ConfigIssue[] = [];
  const services = new Map<string, ServiceConfig>();
  for (const { data, index } of documents) {
    const version = (data as { version?: unknown } | null)?.version;
    if (typeof version === 'string' && version !== VERSION) {
      // Another version's fields mean other things: its version is the one problem worth reporting.
      issues.push({ path: ['version'], message: UNKNOWN_VERSION, got: version, document: index });
      continue;
    }
    const parsed = parseDocument(slothSpec, data, index);
    if (parsed.ok) addSpec(parsed.value, index, services, issues);
    else issues.push(...parsed.issues);
  }
  if (issues.length > 0) return { ok: false, issues };
  return { ok: true, configs: [...services.values()].map(({ config, document }) => ({ config, document })) };
}

/** Adds a spec's SLOs to its service's config (created on first sight); a repeated SLO name is an issue. */
function addSpec(spec: SlothSpec, document: number, services: Map<string, ServiceConfig>, issues: ConfigIssue[]): void {
  let service = services.get(spec.service);
  if (!service) {
    service = { config: { service: { name: spec.service }, slos: {} }, document, origins: new Map() };
    services.set(spec.service, service);
  }
  spec.slos.forEach((slo, index) => {
    const first = service.origins.get(slo.name);
    if (first) {
      const where = first.document === document ? `slos[${first.index}]` : `document ${first.document + 1}`;
      issues.push({
        path: ['slos', index, 'name'],
        message: `SLO "${slo.name}" of service "${spec.service}" is already defined (${where})`,
        document,
      });
      return;
    }
    service.origins.set(slo.name, { document, index });
    service.config.slos[slo.name] = toSlo(spec, slo);
  });
}

function toSlo(spec: SlothSpec, slo: SlothSlo): SloSpec {
  // Sloth puts the spec's labels on every SLO; so do we (our service labels would clash across documents).
  const labels = { ...spec.labels, ...slo.labels };
  return {
    objective: slo.objective,
    period: PERIOD,
    ...(slo.description !== undefined && { description: slo.description }),
    ...(Object.keys(labels).length > 0 && { labels }),
    sli: toSli(slo.sli),
    alerting: toAlerting(slo.alerting),
  };
}

function toSli(sli: SlothSlo['sli']): SliSpec {
  if (sli.events) return { ratio: { errors: sli.events.error_query, total: sli.events.total_query } };
  return { errorRatio: { query: sli.raw!.error_ratio_query } };
}

function toAlerting(alerting: SlothAlerting | undefined): AlertingSpec {
  return {
    ...(alerting?.name !== undefined && { name: alerting.name }),
    ...(alerting?.labels && { labels: alerting.labels }),
    ...(alerting?.annotations && { annotations: alerting.annotations }),
    page: toSeverity('page', alerting?.page_alert),
    ticket: toSeverity('ticket', alerting?.ticket_alert),
  };
}

/**
 * Sloth labels its alerts `sloth_severity: page|ticket`; we keep that label so existing Alertmanager
 * routes still match. A `severity` label of the user's wins over ours (the generator spreads it last).
 */
function toSeverity(severity: 'page' | 'ticket', alert: SlothAlerting['page_alert']): NonNullable<AlertingSpec['page']> {
  if (alert?.disable) return false;
  return {
    labels: { sloth_severity: severity, ...alert?.labels },
    ...(alert?.annotations && { annotations: alert.annotations }),
  };
}
