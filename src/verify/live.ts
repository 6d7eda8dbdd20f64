import { parse as parseYaml } from 'yaml';
import { formatDuration, parseDuration } from '../model/duration.js';
import { type Expectations, inputMetrics, recordedInputs } from './bundle.js';
import { substitute } from './dashboard-targets.js';
import { recordingQueries } from './prometheus-checks.js';
import type { LiveState, MetadataAnswer, QueryOutcome, RulesAnswer, TargetsAnswer } from './types.js';

/** The I/O of `obs verify`: what it asks Prometheus and Alertmanager, each request bounded in time. */

const REQUEST_TIMEOUT_MS = 15_000;
/** Queries in flight at once: enough to be quick, few enough not to load a small Prometheus. */
const CONCURRENCY = 8;
/** Metric names per presence query (one regex matcher each). */
const NAMES_PER_QUERY = 100;

/** A server verify cannot use: the message is the whole story (one line, no stack trace). */
export class UnreachableError extends Error {}

function why(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code) return cause.code;
  if ((error as Error).name === 'TimeoutError') return `no answer within ${REQUEST_TIMEOUT_MS / 1000}s`;
  return cause?.message ?? (error as Error).message;
}

/** GETs (or POSTs a form to) an API path; returns its JSON. */
async function request(server: string, base: string, path: string, form?: Record<string, string>): Promise<unknown> {
  const url = `${base.replace(/\/+$/, '')}${path}`;
  let response: Response;
  try {
    response = await fetch(url, {
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      ...(form && { method: 'POST', body: new URLSearchParams(form) }),
    });
  } catch (error) {
    throw new UnreachableError(`cannot reach ${server} at ${base}: ${why(error)}`);
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new UnreachableError(`${server} at ${base} answered ${path} with HTTP ${response.status} and no JSON: is ${base} really ${server}?`);
  }
  if (!response.ok && (body as { status?: string }).status !== 'error') throw new UnreachableError(`${server} at ${base} answered ${path} with HTTP ${response.status}`);
  return body;
}

/** A Prometheus HTTP API answer's data, or its error as a message. */
async function prometheusData<T>(base: string, path: string, form?: Record<string, string>): Promise<T> {
  const body = (await request('Prometheus', base, path, form)) as { status?: string; data?: T; error?: string };
  if (body.status !== 'success') throw new UnreachableError(`Prometheus at ${base}: ${path} failed: ${body.error ?? 'no data'}`);
  return body.data as T;
}

interface QueryData {
  readonly resultType: string;
  readonly result: unknown;
}

async function query(base: string, expr: string): Promise<QueryOutcome> {
  const body = (await request('Prometheus', base, '/api/v1/query', { query: expr })) as { status?: string; data?: QueryData; error?: string };
  if (body.status !== 'success') return { error: body.error ?? 'no data' };
  const result = body.data!.result;
  // A scalar or string answer is one value; a vector or matrix has one entry per series.
  return { series: Array.isArray(result) && (body.data!.resultType === 'vector' || body.data!.resultType === 'matrix') ? result.length : 1 };
}

/** Runs `work` over `items`, a few at a time. */
async function pool<T, R>(items: readonly T[], work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, items.length) }, worker));
  return out;
}

/** Series each metric name has now, asked in batches: `count by (__name__) ({__name__=~"a|b"})`. */
async function metricSeries(base: string, names: readonly string[]): Promise<Record<string, number>> {
  const batches: string[][] = [];
  for (let i = 0; i < names.length; i += NAMES_PER_QUERY) batches.push(names.slice(i, i + NAMES_PER_QUERY) as string[]);
  const answers = await pool(batches, (batch) =>
    prometheusData<{ result: { metric: { __name__: string }; value: [number, string] }[] }>(base, '/api/v1/query', {
      query: `count by (__name__) ({__name__=~"${batch.join('|')}"})`,
    }),
  );
  return Object.fromEntries(answers.flatMap((a) => a.result.map((r) => [r.metric.__name__, Number(r.value[1])])));
}

/** Grafana's $__rate_interval for this Prometheus: 4 × its global scrape interval (1m when it says none). */
async function rateInterval(base: string): Promise<string> {
  const { yaml } = await prometheusData<{ yaml: string }>(base, '/api/v1/status/config');
  const scrape = (parseYaml(yaml) as { global?: { scrape_interval?: string } } | null)?.global?.scrape_interval;
  return formatDuration(4 * (parseDuration(scrape ?? '') ?? 15));
}

export interface Endpoints {
  readonly prometheus: string;
  readonly alertmanager?: string;
}

async function alertmanagerConfig(base: string): Promise<LiveState['alertmanager']> {
  try {
    const status = (await request('Alertmanager', base, '/api/v2/status')) as { config?: { original?: string } };
    if (typeof status.config?.original !== 'string') return { unreachable: `Alertmanager at ${base}: /api/v2/status has no config.original (is it an Alertmanager?)` };
    return { config: status.config.original };
  } catch (error) {
    if (error instanceof UnreachableError) return { unreachable: error.message };
    throw error;
  }
}

/** Everything the checks need, fetched from the live stack. Throws UnreachableError when Prometheus cannot answer. */
export async function fetchLiveState(expected: Expectations, endpoints: Endpoints): Promise<LiveState> {
  const base = endpoints.prometheus;
  const [targets, rules, metadata, interval] = await Promise.all([
    prometheusData<TargetsAnswer>(base, '/api/v1/targets?state=active'),
    prometheusData<RulesAnswer>(base, '/api/v1/rules'),
    prometheusData<MetadataAnswer>(base, '/api/v1/metadata'),
    rateInterval(base),
  ]);
  const panelExprs = [...new Set(expected.panels.filter((t) => t.language === 'promql').map((t) => substitute(t.expr, interval)))];
  const consumers = [...expected.alerts.map((a) => a.expr), ...panelExprs];
  const names = [...new Set(consumers.flatMap((e) => inputMetrics(e, expected.recordings)))].sort();
  const selectors = recordingQueries(expected);
  const recordingExprs = [...new Set(expected.recordings.map((r) => r.expr))];
  const recorded = [...new Set(recordingExprs.flatMap((e) => recordedInputs(e, expected.recordings)))];
  const [series, selectorCounts, exprCounts, nonZeroCounts, panelOutcomes, alertmanager] = await Promise.all([
    metricSeries(base, names),
    pool(selectors, (s) => query(base, `count(${s})`)),
    pool(recordingExprs, (e) => query(base, `count((${e}))`)),
    pool(recorded, (s) => query(base, `count(${s} != 0)`)),
    pool(panelExprs, (e) => query(base, e)),
    endpoints.alertmanager === undefined ? undefined : alertmanagerConfig(endpoints.alertmanager),
  ]);
  const count = (o: QueryOutcome) => ('series' in o ? o.series : 0);
  return {
    targets,
    rules,
    metadata,
    metricSeries: series,
    // count() of nothing is an empty vector: 1 result means the selector has series.
    selectorSeries: Object.fromEntries(selectors.map((s, i) => [s, count(selectorCounts[i]!)])),
    recordingExprSeries: Object.fromEntries(recordingExprs.map((e, i) => [e, count(exprCounts[i]!)])),
    recordedInputsNonZero: Object.fromEntries(recorded.map((s, i) => [s, count(nonZeroCounts[i]!)])),
    panelQueries: Object.fromEntries(panelExprs.map((e, i) => [e, panelOutcomes[i]!])),
    rateInterval: interval,
    ...(alertmanager && { alertmanager }),
  };
}
