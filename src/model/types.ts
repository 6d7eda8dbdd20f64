/** The validated model: defaults applied, units normalised, windows computed once. Generators read only this. */
import type { Alerting, ServiceOps } from './ops-types.js';
import type { Stack } from './stack-types.js';

export type * from './ops-types.js';

export type Labels = Readonly<Record<string, string>>;
export type Severity = 'critical' | 'warning' | 'info';

export interface Service {
  readonly name: string;
  readonly team?: string;
  readonly owner?: string;
  readonly runbookBaseUrl?: string;
  /** Matchers that select this service's own series (default job=<name>). */
  readonly selector: Labels;
  /** Added to every rule of the service. */
  readonly labels: Labels;
  /** Dependencies, thresholds and GenAI budgets for operational alerts; absent for imported Sloth/OpenSLO specs. */
  readonly ops?: ServiceOps;
}

interface HttpFilters {
  readonly routes?: readonly string[];
  readonly methods?: readonly string[];
}
interface GenaiFilters {
  readonly operations?: readonly string[];
  readonly providers?: readonly string[];
  readonly models?: readonly string[];
}

export type Sli =
  | ({ readonly kind: 'http'; readonly errorStatus: readonly string[] } & HttpFilters)
  | ({ readonly kind: 'httpLatency'; readonly threshold: number } & HttpFilters)
  | ({ readonly kind: 'genaiLatency'; readonly threshold: number } & GenaiFilters)
  | ({ readonly kind: 'genaiErrors'; readonly errorTypes?: readonly string[] } & GenaiFilters)
  /** User PromQL in events per second; `$window` marks the range. */
  | { readonly kind: 'ratio'; readonly errors?: string; readonly good?: string; readonly total: string }
  /** User PromQL that is an error ratio; averaged over time (each evaluation is one event). */
  | { readonly kind: 'errorRatio'; readonly query: string }
  /** OpenSLO thresholdMetric: each evaluation is one event, bad when `query <op> value` fails. */
  | { readonly kind: 'threshold'; readonly query: string; readonly op: ThresholdOp; readonly value: number };

/** SLI kinds whose events are evaluations, not requests: the SLI is a mean over time. */
export const TIME_WEIGHTED_KINDS: ReadonlySet<Sli['kind']> = new Set(['errorRatio', 'threshold']);

/** The comparison under which a threshold metric is *good* (OpenSLO `op`). */
export type ThresholdOp = 'lt' | 'lte' | 'gt' | 'gte';

export type BurnSeverity = 'page' | 'ticket';

/** One row of the multiwindow multi-burn-rate table, already scaled to the SLO's period. */
export interface BurnRateWindow {
  readonly severity: BurnSeverity;
  /** Burn rate (multiple of the sustainable error rate) both windows must exceed. */
  readonly factor: number;
  readonly long: number;
  readonly short: number;
  /** Share of the period's error budget spent when the alert fires (factor × long / period). */
  readonly budgetConsumed: number;
}

export interface SeverityAlert {
  readonly severity: Severity;
  readonly labels: Labels;
  readonly annotations: Labels;
}

export interface SloAlerting {
  readonly name: string;
  readonly labels: Labels;
  readonly annotations: Labels;
  readonly page?: SeverityAlert;
  readonly ticket?: SeverityAlert;
  readonly minEvents?: number;
  /** Seconds the SLI may have no data before the missing-data alert fires; undefined = disabled. */
  readonly missingDataFor?: number;
  readonly missingDataName: string;
}

export interface Slo {
  readonly service: Service;
  readonly name: string;
  /** Percentage, as written: 99.9. */
  readonly objective: number;
  /** Ratio: 0.999. */
  readonly target: number;
  /** 1 − target: 0.001. */
  readonly errorBudget: number;
  /** Seconds. */
  readonly period: number;
  readonly description?: string;
  readonly owner?: string;
  readonly team?: string;
  readonly runbookUrl?: string;
  /** service + slo + the service's and SLO's own labels: the identity of every series of this SLO. */
  readonly labels: Labels;
  readonly sli: Sli;
  readonly alerting: SloAlerting;
  readonly windows: readonly BurnRateWindow[];
}

/** Final bucket boundaries (seconds) of the SDK histograms that SLIs query. */
export interface HistogramBuckets {
  readonly httpServerDuration: readonly number[];
  readonly genaiOperationDuration: readonly number[];
}

export interface Model {
  /** The config file, as shown to users (relative path). */
  readonly source: string;
  readonly services: readonly Service[];
  readonly slos: readonly Slo[];
  readonly histograms: HistogramBuckets;
  /** Receivers, routing, maintenance windows and links; absent when no config document has `alerting`. */
  readonly alerting?: Alerting;
  /** The runnable stack (compose, Loki, Sentry, Kubernetes); absent when every document is an imported spec. */
  readonly stack?: Stack;
}
