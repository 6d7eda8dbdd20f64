import { EXPORTER_METRICS } from './exporters.js';
import { QUEUE_METRICS } from './queues.js';
import { isSloRecording } from './recordings.js';
import { SDK_METRICS } from './sdk-metrics.js';
import { STACK_METRICS } from './stack.js';
import type { MetricDefinition } from './types.js';

export * from './types.js';
export * from './sdk-metrics.js';
export * from './recordings.js';
export * from './exporters.js';
export * from './stack.js';
export * from './queues.js';

/** Every metric with a known producer besides our recording rules. */
export const ALL_METRICS: readonly MetricDefinition[] = [...SDK_METRICS, ...QUEUE_METRICS, ...EXPORTER_METRICS, ...STACK_METRICS];

/** Series Prometheus itself writes when it evaluates alerts; promtool tests query them. */
const PROMETHEUS_SERIES = new Set(['ALERTS', 'ALERTS_FOR_STATE', 'up']);

const HISTOGRAM_SUFFIXES = ['_bucket', '_count', '_sum'] as const;

const byName = new Map<string, MetricDefinition>(ALL_METRICS.map((m) => [m.name, m]));

/** Finds the catalog entry behind a series name, resolving histogram _bucket/_count/_sum series. */
export function lookupMetric(series: string): MetricDefinition | undefined {
  const direct = byName.get(series);
  if (direct && direct.type !== 'histogram') return direct;
  for (const suffix of HISTOGRAM_SUFFIXES) {
    if (!series.endsWith(suffix)) continue;
    const base = byName.get(series.slice(0, -suffix.length));
    if (base?.type === 'histogram') return base;
  }
  return undefined;
}

/** True when an expression may query this series: the SDK, an exporter, Prometheus or our rules make it. */
export function isKnownSeries(series: string): boolean {
  return lookupMetric(series) !== undefined || isSloRecording(series) || PROMETHEUS_SERIES.has(series);
}
