import { GENAI_DURATION_BUCKETS, HTTP_DURATION_BUCKETS } from '../catalog/index.js';
import { ConfigError, type ConfigIssue, type FieldPath, type Locator } from '../spec/errors.js';
import type { SloSpec, ValidConfig } from '../spec/schema.js';
import { parsePromQL } from '../promql/parse.js';
import { withWindow } from '../promql/window.js';
import { parseDuration, roundFloat } from './duration.js';
import { type HistogramBuckets, type Labels, type Model, type SeverityAlert, type Service, type Sli, type Slo, TIME_WEIGHTED_KINDS } from './types.js';
import { resolveAlerting, resolveOps } from './ops.js';
import { burnRateWindows } from './windows.js';
import { resolveStack } from './stack.js';

/** One validated config document and where it came from, so resolution errors can point into it. */
export interface ConfigDocument {
  readonly config: ValidConfig;
  readonly document?: number;
  /** Written for obs (not imported from Sloth/OpenSLO): the service uses the obs SDK and gets operational alerts. */
  readonly native?: boolean;
}

const DEFAULT_PERIOD = '30d';
const DEFAULT_MISSING_DATA_FOR = 15 * 60;

/** Turns validated config documents (one per service) into the model. Throws ConfigError on conflicts. */
export function resolveModel(source: string, documents: readonly ConfigDocument[], locate?: Locator): Model {
  const issues: ConfigIssue[] = [];
  const histograms = resolveHistograms(documents, issues);
  const services = new Map<string, Service>();
  const slos: Slo[] = [];
  const seen = new Set<string>();

  for (const { config, document, native } of documents) {
    issues.push(...userQueryIssues(config, document));
    const service = services.get(config.service.name) ?? resolveService(config, native === true);
    services.set(service.name, service);
    for (const [name, spec] of Object.entries(config.slos)) {
      const id = `${service.name}/${name}`;
      if (seen.has(id)) {
        issues.push({ path: ['slos', name], message: `SLO "${name}" of service "${service.name}" is defined twice`, ...doc(document) });
        continue;
      }
      seen.add(id);
      slos.push(resolveSlo(service, name, spec));
    }
  }
  const alerting = documents.filter((d) => d.config.alerting !== undefined);
  for (const extra of alerting.slice(1)) {
    issues.push({ path: ['alerting'], message: 'is defined in more than one document; the Alertmanager config is one per bundle, define it once', ...doc(extra.document) });
  }
  const stack = resolveStack(documents, slos);
  issues.push(...stack.issues);
  if (issues.length > 0) throw new ConfigError(source, issues, locate);
  const first = alerting[0]?.config.alerting;
  return { source, services: [...services.values()], slos, histograms, ...(first && { alerting: resolveAlerting(first) }), ...(stack.stack && { stack: stack.stack }) };
}

/** Syntax errors in user PromQL (ratio, errorRatio, threshold), caught now rather than by Prometheus. */
function userQueryIssues(config: ValidConfig, document: number | undefined): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const [name, slo] of Object.entries(config.slos)) {
    for (const [kind, spec] of Object.entries(slo.sli)) {
      for (const field of ['errors', 'good', 'total', 'query'] as const) {
        const query = (spec as Partial<Record<typeof field, string>>)[field];
        if (query === undefined) continue;
        const filled = withWindow(query, '5m');
        const errorAt = parsePromQL(filled).errorAt;
        if (errorAt === undefined) continue;
        issues.push({
          path: ['slos', name, 'sli', kind, field],
          message: `is not valid PromQL: syntax error at character ${errorAt + 1} (${nearText(filled, errorAt)})`,
          got: query,
          ...doc(document),
        });
      }
    }
    const timeWeighted = Object.keys(slo.sli).some((kind) => TIME_WEIGHTED_KINDS.has(kind as Sli['kind']));
    if (timeWeighted && slo.alerting?.minEvents !== undefined) {
      issues.push({
        path: ['slos', name, 'alerting', 'minEvents'],
        message: 'needs an SLI that counts events (http, httpLatency, genaiLatency, genaiErrors or ratio); errorRatio and threshold SLIs count evaluations',
        ...doc(document),
      });
    }
  }
  return issues;
}

function nearText(query: string, at: number): string {
  const rest = query.slice(at, at + 20);
  return rest ? `near "${rest}"` : 'the expression ends too early';
}

function doc(document: number | undefined) {
  return document === undefined ? {} : { document };
}

function resolveService(config: ValidConfig, native: boolean): Service {
  const s = config.service;
  return {
    name: s.name,
    ...(s.team !== undefined && { team: s.team }),
    ...(s.owner !== undefined && { owner: s.owner }),
    ...(s.runbookBaseUrl !== undefined && { runbookBaseUrl: s.runbookBaseUrl.replace(/\/+$/, '') }),
    selector: s.selector ?? { job: s.name },
    labels: s.labels ?? {},
    ...(native && { ops: resolveOps(config) }),
  };
}

function resolveSlo(service: Service, name: string, spec: SloSpec): Slo {
  const period = parseDuration(spec.period ?? DEFAULT_PERIOD)!;
  const target = roundFloat(spec.objective / 100);
  const alerting = spec.alerting ?? {};
  const baseName = camelCase(service.name) + camelCase(name);
  const missingData = alerting.missingData;
  return {
    service,
    name,
    objective: roundFloat(spec.objective),
    target,
    errorBudget: roundFloat(1 - target),
    period,
    ...(spec.description !== undefined && { description: spec.description }),
    ...(spec.owner ?? service.owner ? { owner: (spec.owner ?? service.owner)! } : {}),
    ...(spec.team ?? service.team ? { team: (spec.team ?? service.team)! } : {}),
    ...runbook(spec),
    labels: { ...service.labels, ...spec.labels, service: service.name, slo: name },
    sli: resolveSli(spec),
    alerting: {
      name: alerting.name ?? `${baseName}BudgetBurn`,
      labels: alerting.labels ?? {},
      annotations: alerting.annotations ?? {},
      ...severityAlert('page', alerting.page, 'critical'),
      ...severityAlert('ticket', alerting.ticket, 'warning'),
      ...(alerting.minEvents !== undefined && { minEvents: alerting.minEvents }),
      ...(missingData !== false && { missingDataFor: missingData ? parseDuration(missingData.for)! : DEFAULT_MISSING_DATA_FOR }),
      missingDataName: `${baseName}SLIDataMissing`,
    },
    windows: burnRateWindows(period),
  };
}

function runbook(spec: SloSpec): { runbookUrl?: string } {
  // Without an explicit URL the generator links each alert's own runbook (<base>/<AlertName>).
  return spec.runbookUrl ? { runbookUrl: spec.runbookUrl } : {};
}

type SeveritySpec = false | { severity?: SeverityAlert['severity']; labels?: Labels; annotations?: Labels } | undefined;

function severityAlert<K extends 'page' | 'ticket'>(key: K, spec: SeveritySpec, fallback: SeverityAlert['severity']) {
  if (spec === false) return {};
  const alert: SeverityAlert = {
    severity: spec?.severity ?? fallback,
    labels: spec?.labels ?? {},
    annotations: spec?.annotations ?? {},
  };
  return { [key]: alert } as { [P in K]: SeverityAlert };
}

function resolveSli(spec: SloSpec): Sli {
  const sli = spec.sli;
  if (sli.http) return { kind: 'http', ...sli.http, errorStatus: sli.http.errorStatus ?? ['5xx'] };
  if (sli.httpLatency) return { kind: 'httpLatency', ...sli.httpLatency, threshold: seconds(sli.httpLatency.threshold) };
  if (sli.genaiLatency) return { kind: 'genaiLatency', ...sli.genaiLatency, threshold: seconds(sli.genaiLatency.threshold) };
  if (sli.genaiErrors) return { kind: 'genaiErrors', ...sli.genaiErrors };
  if (sli.ratio) return { kind: 'ratio', ...sli.ratio };
  if (sli.errorRatio) return { kind: 'errorRatio', ...sli.errorRatio };
  if (sli.threshold) return { kind: 'threshold', ...sli.threshold };
  throw new Error('unreachable: the schema requires exactly one SLI kind');
}

function seconds(threshold: number | string): number {
  return typeof threshold === 'number' ? threshold : parseDuration(threshold)!;
}

/** Which histogram each latency SLI kind queries, and where its bucket override lives in the config. */
const LATENCY_HISTOGRAMS = {
  httpLatency: { key: 'httpServerDuration', metric: 'http_server_request_duration_seconds', defaults: HTTP_DURATION_BUCKETS },
  genaiLatency: {
    key: 'genaiOperationDuration',
    metric: 'gen_ai_client_operation_duration_seconds',
    defaults: GENAI_DURATION_BUCKETS,
  },
} as const;

/**
 * The SDK's buckets: semconv's defaults plus every threshold an SLO names, so latency SLIs are exact.
 * With an explicit bucket list, a threshold that is not one of its boundaries is an error: the SLI
 * would silently measure the next boundary instead.
 */
function resolveHistograms(documents: readonly ConfigDocument[], issues: ConfigIssue[]): HistogramBuckets {
  const result: Record<string, number[]> = {};
  for (const [kind, { key, metric, defaults }] of Object.entries(LATENCY_HISTOGRAMS)) {
    const explicit = documents.find((d) => d.config.histograms?.[key])?.config.histograms?.[key]?.buckets;
    const buckets = new Set<number>(explicit ?? defaults);
    for (const { config, document } of documents) {
      for (const [name, slo] of Object.entries(config.slos)) {
        const spec = slo.sli[kind as keyof typeof LATENCY_HISTOGRAMS];
        if (!spec) continue;
        const threshold = seconds(spec.threshold);
        if (!explicit) buckets.add(threshold);
        else if (!buckets.has(threshold)) {
          const path: FieldPath = ['slos', name, 'sli', kind, 'threshold'];
          issues.push({
            path,
            message:
              `${threshold}s is not a bucket boundary of ${metric} (histograms.${key}.buckets: ${explicit.join(', ')}); ` +
              `add ${threshold} to those buckets or use one of them`,
            ...doc(document),
          });
        }
      }
    }
    result[key] = [...buckets].sort((a, b) => a - b);
  }
  return result as unknown as HistogramBuckets;
}

/** chat-api → ChatApi, llm_latency → LlmLatency. */
export function camelCase(text: string): string {
  return text
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
}
