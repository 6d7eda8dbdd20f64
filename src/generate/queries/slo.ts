/**
 * SLO numbers read from our recording rules only (cheap: no raw series over 30 days). Names come from
 * the catalog (SLO_RECORDINGS), so panels follow the recording rules when they change.
 */
import { SLO_RECORDINGS } from '../../catalog/recordings.js';
import { formatDuration, formatNumber } from '../../model/duration.js';
import { eq, selector } from '../../promql/build.js';
import type { Selector } from './common.js';

/** The series of one SLO's recordings: `{service="…", slo="…"}`. */
export function sloSelector(service: string, slo: string): Selector {
  return [eq('service', service), eq('slo', slo)];
}

/** The objective as a ratio (0.999). */
export function sloObjective(sel: Selector): string {
  return selector(SLO_RECORDINGS.objective.name, sel);
}

/** Error ratio over an alert window (seconds), as the burn-rate alerts read it. */
export function sloErrorRatio(sel: Selector, window: number): string {
  return selector(SLO_RECORDINGS.errorRatio(formatDuration(window)), sel);
}

/** The SLI over the whole period: 1 − the period's traffic-weighted error ratio. */
export function sloPeriodSli(sel: Selector, period: number): string {
  return `1 - ${sloErrorRatio(sel, period)}`;
}

/** Burn rate over an alert window: the error ratio as a multiple of the error budget (the alerts' factor is the threshold). */
export function sloBurnRate(sel: Selector, window: number, errorBudget: number): string {
  return `${sloErrorRatio(sel, window)} / ${formatNumber(errorBudget)}`;
}

/** Share of the period's error budget left (negative when overspent). */
export function sloBudgetRemaining(sel: Selector): string {
  return selector(SLO_RECORDINGS.budgetRemaining.name, sel);
}

/** Burn rate over the fastest paging window. */
export function sloCurrentBurnRate(sel: Selector): string {
  return selector(SLO_RECORDINGS.currentBurnRate.name, sel);
}

/**
 * Seconds until the budget is gone if the current burn rate holds: remaining share × period / burn rate.
 * Absent while nothing burns (never exhausted); 0 once overspent.
 */
export function sloTimeToExhaustion(sel: Selector, period: number): string {
  return `clamp_min(${sloBudgetRemaining(sel)}, 0) * ${period} / (${sloCurrentBurnRate(sel)} > 0)`;
}

/** The SLO's alerts firing now, by name and severity (Prometheus writes ALERTS). */
export function sloAlertsFiring(sel: Selector): string {
  return `sum by (alertname, severity) (${selector('ALERTS', [...sel, eq('alertstate', 'firing')])})`;
}
