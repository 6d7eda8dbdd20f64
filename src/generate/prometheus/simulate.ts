import type { BurnRateWindow, Slo } from '../../model/types.js';

/**
 * The ideal burn-rate maths, minute by minute, for choosing when a generated promtool test expects an
 * alert. Prometheus lags this by up to the 5m rate window, so tests leave a margin around each change.
 */

/** A stretch of constant traffic: `minutes` long, `badFraction` of its events bad. */
export interface Phase {
  readonly minutes: number;
  readonly badFraction: number;
}

const MINUTE = 60;

/** Whether any window pair's condition holds, minute by minute (index = minute = sample index). */
export function firingMinutes(slo: Slo, phases: readonly Phase[], windows: readonly BurnRateWindow[], stopAtFirst = false): boolean[] {
  const minutes = phases.reduce((sum, p) => sum + p.minutes, 0);
  // prefix[t] = bad events (as a share of one minute's traffic) in minutes 1..t.
  const prefix = new Float64Array(minutes + 1);
  let t = 0;
  for (const p of phases) for (let i = 0; i < p.minutes; i++, t++) prefix[t + 1] = prefix[t]! + p.badFraction;
  // Error ratio over the last `window` seconds at minute t, with traffic only since minute 1.
  const ratio = (at: number, window: number) => {
    const from = Math.max(0, at - window / MINUTE);
    return (prefix[at]! - prefix[from]!) / (at - from);
  };
  const limits = windows.map((w) => w.factor * slo.errorBudget);
  const fired = [false];
  for (let at = 1; at <= minutes; at++) {
    const firing = windows.some((w, i) => ratio(at, w.long) > limits[i]! && ratio(at, w.short) > limits[i]!);
    fired.push(firing);
    if (firing && stopAtFirst) break;
  }
  return fired;
}

/** First minute at which any of the windows fires, or undefined. */
export function firstFiring(slo: Slo, phases: readonly Phase[], windows: readonly BurnRateWindow[]): number | undefined {
  const minute = firingMinutes(slo, phases, windows, true).indexOf(true);
  return minute < 0 ? undefined : minute;
}
