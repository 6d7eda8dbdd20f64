/**
 * An operational alert as the domain builders define it: the rule, the words on-call reads, the runbook,
 * and the unit-test cases that prove it. One definition feeds the rule file, its promtool test file and
 * runbooks/<AlertName>.md, so none of them can drift from the others.
 */
import type { DashboardKind, Severity } from '../../../model/types.js';

/** One rule file per domain: rules/<service>-<domain>.rules.yml. */
export type AlertDomain = 'service' | 'genai' | 'security' | 'dependencies' | 'infrastructure' | 'stack';

/** A promtool input series: `metric{labels}` and its expanding notation, e.g. `0+60x30`. */
export interface SeriesInput {
  readonly series: string;
  readonly values: string;
}

/**
 * One unit-test case. `fires`: the alert must be firing at `at`; `healthy`: normal traffic, no alert;
 * `belowThreshold`: just under the threshold, no alert (required for alerts with a `threshold`).
 */
export interface AlertCase {
  readonly kind: 'fires' | 'healthy' | 'belowThreshold';
  /** What the case shows, for the test's name: 'at 2% 5xx for 10m'. */
  readonly name: string;
  readonly input: readonly SeriesInput[];
  /** Evaluation time (promtool duration, e.g. '20m'); past the alert's `for`. */
  readonly at: string;
}

export interface Runbook {
  /** What the alert means, in one or two sentences. */
  readonly meaning: string;
  /** What users of the service experience. */
  readonly impact: string;
  /** Exact PromQL or LogQL to paste, each with a sentence saying what to look for. */
  readonly confirm: readonly { readonly query: string; readonly look: string }[];
  readonly causes: readonly string[];
  readonly mitigation: readonly string[];
  readonly escalation: string;
}

export interface OpsAlert {
  /** CamelCase; the same name with two severities is allowed (warning, then critical). */
  readonly name: string;
  readonly domain: AlertDomain;
  /** What it watches: http, runtime, sdk, provider, budget, postgres, redis, host, certificate, … */
  readonly component: string;
  readonly severity: Severity;
  readonly expr: string;
  /** Prometheus duration; long enough not to flap. */
  readonly for: string;
  /** Static sentence ending with a period. */
  readonly summary: string;
  /** Templated; values in human units (humanizePercentage, humanizeDuration, humanize1024). */
  readonly description: string;
  /** The threshold the expression compares with, in base units; such alerts need a belowThreshold case. */
  readonly threshold?: number;
  /** The dashboard on-call opens next (dashboard_url, when links.grafanaUrl is set). */
  readonly dashboard: DashboardKind;
  /** An error alert: links the Sentry issue search for the service (when links.sentry is set). */
  readonly sentry?: boolean;
  readonly runbook: Runbook;
  readonly cases: readonly AlertCase[];
}
