export type MetricType = 'counter' | 'gauge' | 'histogram' | 'info';

/** Who puts a series into Prometheus: our SDK, one of our recording rules, or a named exporter. */
export type MetricSource = 'sdk' | 'recording' | 'prometheus';

export interface MetricDefinition {
  /** The name as Prometheus stores it (histograms: the base name, without _bucket/_count/_sum). */
  readonly name: string;
  readonly type: MetricType;
  readonly source: MetricSource;
  readonly help: string;
  /** Base unit, as in the name's suffix: seconds, bytes, tokens, usd, ratio, or '' for counts. */
  readonly unit: string;
  readonly labels: readonly string[];
  /** Default bucket boundaries of a histogram; SLO thresholds are added by the model. */
  readonly buckets?: readonly number[];
}
