import { escapeLabelValue, renderLabelPairs } from './labels.js';

/**
 * A classic Prometheus histogram with compact per-series state: the (non-cumulative) bucket counts,
 * sum and count of every label combination live in one shared Float64Array, and each combination's
 * rendered label string is cached once.
 *
 * It is a prom-client-compatible collector (name, help, type, get(), reset()), so it lives in a normal
 * prom-client Registry and `registry.metrics()` still works; the obs exposition writer uses the fast path
 * `renderSeries` instead, which writes lines straight from the arrays in time-sliced chunks.
 * Exemplars (trace_id) are kept per bucket, the latest one wins, and are only rendered in OpenMetrics.
 */

export interface Exemplar {
  readonly traceId: string;
  readonly value: number;
  /** Seconds since the epoch, as OpenMetrics writes it. */
  readonly timestamp: number;
}

export interface HistogramChild {
  observe(value: number, traceId?: string): void;
}

/** The shape prom-client's Registry reads from a metric's get(). */
export interface PromMetricValue {
  value: number;
  labels: Record<string, string | number>;
  metricName?: string;
  exemplar?: { labelSet: Record<string, string>; value: number; timestamp: number };
}
export interface PromMetricObject {
  name: string;
  help: string;
  type: string;
  values: PromMetricValue[];
  aggregator: string;
}

const SEP = '\u001f';
const INITIAL_SERIES = 16;

export class FastHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly bounds: readonly number[];
  /** `le="0.005"} ` per bucket, shared by every series. */
  private readonly leText: readonly string[];
  /** Slots per series in `data`: one count per bucket (non-cumulative, +Inf last), then sum, then count. */
  private readonly stride: number;
  /** All series' numbers in one growable array: no per-series typed array, little per-series overhead. */
  private data: Float64Array;
  private readonly index = new Map<string, number>();
  /** Per series: its rendered, escaped label pairs (`a="x",b="y"`). */
  private labelTexts: string[] = [];
  /** Per series, per bucket: the latest exemplar (allocated only for series that ever had one). */
  private exemplars: ((Exemplar | undefined)[] | undefined)[] = [];

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
    buckets: readonly number[],
  ) {
    this.bounds = [...new Set(buckets)].filter((b) => Number.isFinite(b)).sort((a, b) => a - b);
    this.leText = [...this.bounds.map((b) => String(b)), '+Inf'].map((le) => `le="${le}"} `);
    this.stride = this.bounds.length + 3;
    this.data = new Float64Array(INITIAL_SERIES * this.stride);
  }

  /** Bumped by reset(): series indexes handed out before it are void. */
  generation = 0;

  /** The series index of these (bounded) label values, in labelNames order; created on first use. */
  seriesIndex(values: readonly string[]): number {
    const key = values.length === 1 ? values[0]! : values.join(SEP);
    let i = this.index.get(key);
    if (i === undefined) {
      i = this.labelTexts.length;
      if ((i + 1) * this.stride > this.data.length) {
        const grown = new Float64Array(this.data.length * 2);
        grown.set(this.data);
        this.data = grown;
      }
      this.index.set(key, i);
      this.labelTexts.push(renderLabelPairs(this.labelNames, values));
      this.exemplars.push(undefined);
    }
    return i;
  }

  /** One observation into a series from seriesIndex() (of the current generation). */
  observeAt(series: number, value: number, traceId: string | undefined): void {
    if (!(value >= 0) || value === Infinity) return; // NaN, negative and infinite durations are not observations
    const bounds = this.bounds;
    const n = bounds.length;
    let b = 0;
    while (b < n && value > bounds[b]!) b++;
    const base = series * this.stride;
    const data = this.data;
    data[base + b]!++;
    data[base + n + 1]! += value;
    data[base + n + 2]!++;
    if (traceId !== undefined) {
      const exemplars = (this.exemplars[series] ??= new Array<Exemplar | undefined>(n + 1));
      exemplars[b] = { traceId, value, timestamp: Date.now() / 1000 };
    }
  }

  /** A handle on the series for these label values (in labelNames order), for callers that cache it. */
  child(values: readonly string[]): HistogramChild {
    const series = this.seriesIndex(values);
    return { observe: (value, traceId) => this.observeAt(series, value, traceId) };
  }

  observe(values: readonly string[], value: number, traceId?: string): void {
    this.observeAt(this.seriesIndex(values), value, traceId);
  }

  get seriesCount(): number {
    return this.labelTexts.length;
  }

  reset(): void {
    this.generation++;
    this.index.clear();
    this.labelTexts = [];
    this.exemplars = [];
    this.data = new Float64Array(INITIAL_SERIES * this.stride);
  }

  /** How many series exist now: render [0, snapshot) across event-loop turns; later series wait for the next scrape. */
  snapshot(): number {
    return this.labelTexts.length;
  }

  /**
   * Appends the exposition lines of series [from, from+max) (up to `end`) to `out`; returns the next
   * index, or -1 when done. The caller writes the HELP/TYPE header and decides when to yield.
   */
  renderSeries(openMetrics: boolean, end: number, from: number, max: number, out: string[]): number {
    const name = this.name;
    const le = this.leText;
    const n = this.bounds.length;
    const stride = this.stride;
    const data = this.data;
    const last = Math.min(end, from + max, this.labelTexts.length);
    for (let s = from; s < last; s++) {
      const labels = this.labelTexts[s]!;
      const bucketBase = labels === '' ? `${name}_bucket{` : `${name}_bucket{${labels},`;
      const suffix = labels === '' ? ' ' : `{${labels}} `;
      const exemplars = openMetrics ? this.exemplars[s] : undefined;
      const base = s * stride;
      let cumulative = 0;
      let text = '';
      for (let b = 0; b <= n; b++) {
        cumulative += data[base + b]!;
        const ex = exemplars?.[b];
        text +=
          ex === undefined
            ? `${bucketBase}${le[b]}${cumulative}\n`
            : `${bucketBase}${le[b]}${cumulative} # {trace_id="${escapeLabelValue(ex.traceId)}"} ${ex.value} ${ex.timestamp.toFixed(3)}\n`;
      }
      out.push(`${text}${name}_sum${suffix}${data[base + n + 1]}\n${name}_count${suffix}${data[base + n + 2]}\n`);
    }
    return last >= end ? -1 : last;
  }

  /** prom-client's view (slow with many series; the obs writer does not use it). */
  get(): PromMetricObject {
    const values: PromMetricValue[] = [];
    const n = this.bounds.length;
    for (const [key, s] of this.index) {
      const labelValues = this.labelNames.length === 1 ? [key] : key.split(SEP);
      const labels: Record<string, string> = {};
      this.labelNames.forEach((label, i) => {
        const v = labelValues[i];
        if (v !== undefined && v !== '') labels[label] = v;
      });
      const base = s * this.stride;
      let cumulative = 0;
      for (let b = 0; b <= n; b++) {
        cumulative += this.data[base + b]!;
        const ex = this.exemplars[s]?.[b];
        values.push({
          labels: { ...labels, le: b < n ? this.bounds[b]! : '+Inf' },
          value: cumulative,
          metricName: `${this.name}_bucket`,
          ...(ex && { exemplar: { labelSet: { trace_id: ex.traceId }, value: ex.value, timestamp: ex.timestamp } }),
        });
      }
      values.push({ labels, value: this.data[base + n + 1]!, metricName: `${this.name}_sum` });
      values.push({ labels, value: this.data[base + n + 2]!, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }
}
