import { Counter, Gauge, type OpenMetricsContentType, type Registry as PromRegistry } from 'prom-client';

type Registry = PromRegistry<OpenMetricsContentType>;
import type { MetricDefinition } from '../../catalog/types.js';
import { FastHistogram, type HistogramChild } from './fast-histogram.js';
import type { GuardFactory, LabelGuard } from './labels.js';
import { SeriesCache } from './series-cache.js';

/**
 * Instruments are created only from catalog definitions (name, help, labels, buckets): no metric name
 * is typed in SDK code. Each wraps a label guard per label and caches bound children, so the hot path is
 * guard lookups + one Map lookup + an increment.
 */

const SEP = '\u001f';

function assertType(def: MetricDefinition, type: MetricDefinition['type']) {
  if (def.type !== type) throw new TypeError(`catalog metric ${def.name} is a ${def.type}, not a ${type}`);
}

function guardsFor(def: MetricDefinition, guards: GuardFactory, overrides: Readonly<Record<string, LabelGuard>>): LabelGuard[] {
  return def.labels.map((label) => overrides[label] ?? guards.guard(def.name, label));
}

function bounded(labelGuards: readonly LabelGuard[], raw: readonly unknown[]): string[] {
  const values = new Array<string>(labelGuards.length);
  for (let i = 0; i < labelGuards.length; i++) values[i] = labelGuards[i]!.value(raw[i]);
  return values;
}

/** Bound children (`metric.labels(...)`) cached by their bounded label values: the hot path's one lookup. */
function cachedChild<C>(children: Map<string, C>, labelGuards: readonly LabelGuard[], raw: readonly unknown[], bind: (values: string[]) => C): C {
  const values = bounded(labelGuards, raw);
  const key = values.join(SEP);
  let child = children.get(key);
  if (child === undefined) {
    child = bind(values);
    children.set(key, child);
  }
  return child;
}

/** prom-client constructor options from a catalog definition; `collect` runs before each scrape. */
function promOptions(def: MetricDefinition, registry: Registry, collect: (() => void) | undefined) {
  return { name: def.name, help: def.help, labelNames: [...def.labels], registers: [registry], ...(collect && { collect }) };
}

export class CatalogCounter {
  private readonly counter: Counter<string>;
  private readonly children = new Map<string, { inc(n?: number): void }>();
  private readonly labelGuards: LabelGuard[];

  /** `collect` runs before each scrape: for counters fed from elsewhere (e.g. the tracer's loss counts). */
  constructor(
    readonly def: MetricDefinition,
    registry: Registry,
    guards: GuardFactory,
    overrides: Readonly<Record<string, LabelGuard>> = {},
    collect?: () => void,
  ) {
    assertType(def, 'counter');
    this.counter = new Counter(promOptions(def, registry, collect));
    this.labelGuards = guardsFor(def, guards, overrides);
  }

  /** Label values in the catalog's label order; each is bounded by its guard. */
  inc(raw: readonly unknown[], amount = 1): void {
    if (!(amount >= 0) || amount === Infinity) return;
    cachedChild(this.children, this.labelGuards, raw, (values) => this.counter.labels(...values)).inc(amount);
  }
}

export class CatalogGauge {
  private readonly gauge: Gauge<string>;
  private readonly children = new Map<string, { inc(n?: number): void; dec(n?: number): void; set(v: number): void }>();
  private readonly labelGuards: LabelGuard[];

  /** `collect` runs before each scrape: for gauges whose values live elsewhere (cheap plain counts). */
  constructor(
    readonly def: MetricDefinition,
    registry: Registry,
    guards: GuardFactory,
    overrides: Readonly<Record<string, LabelGuard>> = {},
    collect?: () => void,
  ) {
    assertType(def, 'gauge');
    this.gauge = new Gauge(promOptions(def, registry, collect));
    this.labelGuards = guardsFor(def, guards, overrides);
  }

  child(raw: readonly unknown[]) {
    return cachedChild(this.children, this.labelGuards, raw, (values) => this.gauge.labels(...values));
  }
}

export class CatalogHistogram {
  readonly histogram: FastHistogram;
  private readonly labelGuards: LabelGuard[];

  constructor(
    readonly def: MetricDefinition,
    registry: Registry,
    guards: GuardFactory,
    options: { buckets?: readonly number[]; overrides?: Readonly<Record<string, LabelGuard>> } = {},
  ) {
    assertType(def, 'histogram');
    const buckets = options.buckets ?? def.buckets;
    if (!buckets) throw new TypeError(`catalog histogram ${def.name} has no buckets`);
    this.histogram = new FastHistogram(def.name, def.help, def.labels, buckets);
    registry.registerMetric(this.histogram as never);
    this.labelGuards = guardsFor(def, guards, options.overrides ?? {});
  }

  /** Label values in the catalog's label order, bounded by the guards. */
  child(raw: readonly unknown[]): HistogramChild {
    return this.histogram.child(bounded(this.labelGuards, raw));
  }

  /**
   * Combinations whose every value passed its guard unchanged, by their raw values: at most the series
   * the guards allow; the rest take the guarded path each time.
   */
  private readonly known = new SeriesCache();
  private knownGeneration = 0;

  observe(raw: readonly unknown[], value: number, traceId?: string): void {
    const h = this.histogram;
    if (this.knownGeneration !== h.generation) {
      this.known.clear();
      this.knownGeneration = h.generation;
    }
    h.observeAt(this.known.get(raw) ?? this.seriesOf(raw), value, traceId);
  }

  private seriesOf(raw: readonly unknown[]): number {
    const values = bounded(this.labelGuards, raw);
    const series = this.histogram.seriesIndex(values);
    if (values.every((v, i) => v === raw[i])) this.known.set(values, series);
    return series;
  }

  guard(label: string): LabelGuard {
    const i = this.def.labels.indexOf(label);
    if (i < 0) throw new TypeError(`${this.def.name} has no label ${label}`);
    return this.labelGuards[i]!;
  }
}
