import type { BurnRateWindow, BurnSeverity } from './types.js';
import { roundFloat } from './duration.js';

const MINUTE = 60;
const HOUR = 3_600;
const DAY = 86_400;

/** The shortest alert window, and the rate window of the samples that long windows are stitched from. */
export const RATE_WINDOW = 5 * MINUTE;

/**
 * Alert windows up to this length read raw series with `rate()`, so their edges are exact (as in Sloth);
 * a few hours of raw samples is cheap. Longer windows are stitched: raw for the newest part, recorded
 * 5m rates for the rest (see slo-rules.ts), so no rule reads days of raw series.
 */
export const RAW_WINDOW_LIMIT = 6 * HOUR;

/**
 * The period SLI is summed from 5m rates that a group of their own records every 5m: non-overlapping
 * samples, 12× fewer than one per 30s evaluation, and exact at the period's edge to within this step.
 */
export const PERIOD_STEP = 5 * MINUTE;

/** The period the SRE Workbook's table is written for. */
const REFERENCE_PERIOD = 30 * DAY;

/** SRE Workbook ch.5, for a 30-day period: budget spent when each alert fires, and its windows. */
const REFERENCE_TABLE: readonly { severity: BurnSeverity; budgetConsumed: number; long: number; short: number }[] = [
  { severity: 'page', budgetConsumed: 0.02, long: HOUR, short: 5 * MINUTE },
  { severity: 'page', budgetConsumed: 0.05, long: 6 * HOUR, short: 30 * MINUTE },
  { severity: 'ticket', budgetConsumed: 0.1, long: DAY, short: 2 * HOUR },
  { severity: 'ticket', budgetConsumed: 0.1, long: 3 * DAY, short: 6 * HOUR },
];

/**
 * The burn-rate table for a period. Windows scale with the period (rounded to whole minutes, never below
 * the 5m rate window) and each factor is recomputed from the rounded window, so every alert still fires
 * after the same share of budget is spent: factor × long = budgetConsumed × period. At constant burn b
 * the detection time f·L/b is therefore identical to the fixed-window tables of Sloth and the Workbook.
 */
export function burnRateWindows(period: number): BurnRateWindow[] {
  const scale = period / REFERENCE_PERIOD;
  const scaled = (seconds: number) => Math.max(RATE_WINDOW, Math.round((seconds * scale) / MINUTE) * MINUTE);
  return REFERENCE_TABLE.map(({ severity, budgetConsumed, long, short }) => {
    const longWindow = scaled(long);
    return {
      severity,
      budgetConsumed,
      factor: roundFloat((budgetConsumed * period) / longWindow),
      long: longWindow,
      short: scaled(short),
    };
  });
}

/** Every distinct window the alerts read, shortest first: these get an error-ratio recording each. */
export function alertWindows(windows: readonly BurnRateWindow[]): number[] {
  return [...new Set(windows.flatMap((w) => [w.long, w.short]))].sort((a, b) => a - b);
}

/**
 * How each alert window is computed: from raw series, or stitched onto the longest raw window (`head`).
 * The 5m rate is always raw: stitching and the missing-data alert read it. An SLI whose query has a
 * fixed range (user PromQL without the window placeholder) can only be read raw over that range: pass
 * `rawLimit` = RATE_WINDOW and every longer window is stitched onto the 5m rate.
 */
export interface WindowPlan {
  readonly raw: readonly number[];
  readonly stitched: readonly number[];
  readonly head: number;
}

export function windowPlan(windows: readonly BurnRateWindow[], rawLimit = RAW_WINDOW_LIMIT): WindowPlan {
  const all = alertWindows(windows);
  const raw = [...new Set([RATE_WINDOW, ...all.filter((w) => w <= rawLimit)])];
  return { raw, stitched: all.filter((w) => w > rawLimit), head: Math.max(...raw) };
}
