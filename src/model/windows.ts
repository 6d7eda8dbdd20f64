import type { BurnRateWindow, BurnSeverity } from './types.js';
import { roundFloat } from './duration.js';

const MINUTE = 60;
const HOUR = 3_600;
const DAY = 86_400;

/** The window every SLI rate is recorded over; all longer windows are sums of it. */
export const RATE_WINDOW = 5 * MINUTE;

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
