import type { Registry, RegistryContentType } from 'prom-client';
import { FastHistogram, type PromMetricObject, type PromMetricValue } from './fast-histogram.js';
import { escapeLabelValue } from './labels.js';

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

/** True when the scraper's Accept header asks for OpenMetrics (Prometheus 2.x does by default). */
export function wantsOpenMetrics(accept: string | undefined): boolean {
  if (!accept) return false;
  for (const part of accept.split(',')) {
    const [type, ...params] = part.trim().split(';');
    if (type?.trim().toLowerCase() !== 'application/openmetrics-text') continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (q === undefined || Number(q.slice(2)) > 0) return true;
  }
  return false;
}

export interface ExpositionOptions {
  readonly openMetrics: boolean;
  /** Work this long (ms) before handing a chunk to the caller, which yields to the event loop. Default 5. */
  readonly sliceMs?: number;
  /** Called when one metric's collection throws; the metric is skipped. */
  readonly onError?: (metric: string, error: unknown) => void;
}

/**
 * Histogram series per chunk. Lines are built as V8 ropes (cheap) and flattened by the join in flush()
 * (the real cost), so chunks are bounded by size as well as by time: 256 series ≈ 700 KB ≈ 3–5 ms of
 * work, few enough hand-backs to the event loop (~40 for 10,000 series) to keep the whole scrape short.
 */
export const SERIES_PER_CHUNK = 256;

/**
 * Renders every metric of the registry in the Prometheus text format (0.0.4) or OpenMetrics 1.0, as
 * chunks of at most ~sliceMs of work each. FastHistograms render from their arrays; other prom-client
 * metrics through their get(). Counters are always exposed as `<base>_total` (in both formats), so a
 * series has the same name whatever the scraper negotiated.
 */
export async function* exposition(registry: Registry<RegistryContentType>, options: ExpositionOptions): AsyncGenerator<string> {
  const om = options.openMetrics;
  const sliceMs = options.sliceMs ?? 5;
  let out: string[] = [];
  let started = performance.now();
  const flush = () => {
    const chunk = out.join('');
    out = [];
    started = performance.now();
    return chunk;
  };

  for (const metric of registry.getMetricsAsArray() as unknown[]) {
    if (metric instanceof FastHistogram) {
      out.push(header(metric.name, metric.help, 'histogram', om));
      const end = metric.snapshot();
      let next = 0;
      while (next !== -1) {
        next = metric.renderSeries(om, end, next, SERIES_PER_CHUNK, out);
        yield flush();
      }
      continue;
    }
    let data: PromMetricObject;
    try {
      data = (await (metric as { get(): Promise<PromMetricObject> | PromMetricObject }).get()) as PromMetricObject;
    } catch (error) {
      options.onError?.((metric as { name?: string }).name ?? 'unknown', error);
      continue;
    }
    out.push(renderGeneric(data, om));
    if (performance.now() - started >= sliceMs) yield flush();
  }
  if (om) out.push('# EOF\n');
  yield flush();
}

/** The whole exposition as one string (tests, and callers that do not stream). */
export async function renderAll(registry: Registry<RegistryContentType>, options: ExpositionOptions): Promise<string> {
  let text = '';
  for await (const chunk of exposition(registry, options)) {
    text += chunk;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return text;
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function familyName(name: string, type: string, om: boolean): string {
  if (type !== 'counter') return name;
  const base = name.endsWith('_total') ? name.slice(0, -'_total'.length) : name;
  return om ? base : `${base}_total`;
}

function header(name: string, help: string, type: string, om: boolean): string {
  const family = familyName(name, type, om);
  return `# HELP ${family} ${escapeHelp(help)}\n# TYPE ${family} ${type}\n`;
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

function renderGeneric(metric: PromMetricObject, om: boolean): string {
  const counter = metric.type === 'counter';
  const family = familyName(metric.name, metric.type, om);
  const sample = counter ? (om ? `${family}_total` : family) : metric.name;
  // OpenMetrics has no "untyped"; prom-client never emits it, but be safe.
  const type = om && metric.type === 'untyped' ? 'unknown' : metric.type;
  let text = header(metric.name, metric.help, type, om);
  for (const v of metric.values ?? []) text += renderValue(v, counter ? sample : (v.metricName ?? sample), om);
  return text;
}

function renderValue(v: PromMetricValue, name: string, om: boolean): string {
  let labels = '';
  for (const [key, value] of Object.entries(v.labels ?? {})) {
    if (value === undefined) continue;
    labels += `${labels === '' ? '' : ','}${key}="${escapeLabelValue(typeof value === 'number' ? formatValue(value) : String(value))}"`;
  }
  let line = `${name}${labels === '' ? '' : `{${labels}}`} ${formatValue(v.value)}`;
  if (om && v.exemplar) {
    const ex = Object.entries(v.exemplar.labelSet)
      .map(([k, val]) => `${k}="${escapeLabelValue(String(val))}"`)
      .join(',');
    line += ` # {${ex}} ${formatValue(v.exemplar.value)} ${v.exemplar.timestamp}`;
  }
  return `${line}\n`;
}
