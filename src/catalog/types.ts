export type MetricType = 'counter' | 'gauge' | 'histogram' | 'info';

/** Exporters whose metrics we query; each is proven against the real exporter where Debian ships it. */
export type ExporterName =
  | 'node_exporter'
  | 'postgres_exporter'
  | 'redis_exporter'
  | 'nginx_exporter'
  | 'blackbox_exporter'
  | 'cadvisor';

/**
 * Who puts a series into Prometheus: our SDK, one of our recording rules, Prometheus or Alertmanager
 * about themselves, a named exporter, or a backup job honouring the documented contract.
 */
export type MetricSource = 'sdk' | 'recording' | 'prometheus' | 'alertmanager' | 'backup_job' | ExporterName;

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
