/** The answers of the Prometheus and Alertmanager HTTP APIs that verify reads (the fields it uses). */

/** GET /api/v1/targets → data. */
export interface TargetsAnswer {
  readonly activeTargets: readonly {
    readonly labels: Readonly<Record<string, string>>;
    readonly scrapePool: string;
    readonly scrapeUrl: string;
    readonly health: 'up' | 'down' | 'unknown';
    readonly lastError: string;
  }[];
}

/** GET /api/v1/rules → data. */
export interface RulesAnswer {
  readonly groups: readonly {
    readonly name: string;
    readonly file: string;
    readonly rules: readonly {
      readonly name: string;
      readonly type: 'recording' | 'alerting';
      readonly health: 'ok' | 'err' | 'unknown';
      readonly lastError?: string;
    }[];
  }[];
}

/** GET /api/v1/metadata → data: what scraped targets declare (# TYPE/# HELP), samples or not. */
export type MetadataAnswer = Readonly<Record<string, readonly { readonly type: string; readonly help: string }[]>>;

/** A query's outcome: how many series it returned, or Prometheus' error. */
export type QueryOutcome = { readonly series: number } | { readonly error: string };

/**
 * Everything verify asks a live Prometheus (and Alertmanager), fetched once; the checks are pure functions
 * of this and the bundle's expectations.
 */
export interface LiveState {
  readonly targets: TargetsAnswer;
  readonly rules: RulesAnswer;
  readonly metadata: MetadataAnswer;
  /** Metric name → series it has now (instant query, 5m lookback); names absent here have none. */
  readonly metricSeries: Readonly<Record<string, number>>;
  /** A recording's inputs: selector → series now. */
  readonly selectorSeries: Readonly<Record<string, number>>;
  /**
   * A recording's expression → series it returns now. A group evaluated before its inputs had series
   * records nothing until its next evaluation (up to its interval, 5m for the period groups): this tells
   * that wait from an expression that matches nothing. Absent in answers recorded before it existed.
   */
  readonly recordingExprSeries?: Readonly<Record<string, number>>;
  /**
   * A recording a recording rule reads → its series with a non-zero value now. A ratio of recordings that
   * are all 0 (no traffic counted in its window yet, or at all) is absent by design, never NaN.
   */
  readonly recordedInputsNonZero?: Readonly<Record<string, number>>;
  /** A dashboard target, variables substituted → its outcome. */
  readonly panelQueries: Readonly<Record<string, QueryOutcome>>;
  /** Grafana's $__rate_interval for this Prometheus (4 × its scrape interval). */
  readonly rateInterval: string;
  /** Alertmanager's GET /api/v2/status → config.original, or why it could not be read; absent when not asked. */
  readonly alertmanager?: { readonly config: string } | { readonly unreachable: string };
}

/** One line of the report: a check, whether it passed, what fails it and what is only worth knowing. */
export interface CheckResult {
  readonly name: string;
  readonly ok: boolean;
  /** One line summing the check up. */
  readonly summary: string;
  /** Failures, each naming what is wrong. */
  readonly problems: readonly string[];
  /** Report-only findings (e.g. a panel with no samples yet): never fail the check. */
  readonly notes: readonly string[];
  /** How to fix the problems, when the check failed. */
  readonly fix?: string;
}

export interface VerifyReport {
  readonly ok: boolean;
  readonly checks: readonly CheckResult[];
}
