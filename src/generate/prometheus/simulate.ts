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

/** Minutes (1-based, as sample indexes) at which a window pair's condition holds. */
export function firingMinutes(slo: Slo, phases: readonly Phase[], windows: readonly BurnRateWindow[]): boolean[] {
  const bad = phases.flatMap((p) => Array<number>(p.minutes).fill(p.badFraction));
  const prefix = [0];
  for (const b of bad) prefix.push(prefix[prefix.length - 1]! + b);
  // Error ratio over the last `window` seconds at minute t, with traffic only since minute 1.
  const ratio = (t: number, window: number) => {
    const from = Math.max(0, t - window / MINUTE);
    return (prefix[t]! - prefix[from]!) / (t - from);
  };
  const fired = [false];
  for (let t = 1; t <= bad.length; t++) {
    fired.push(
      windows.some((w) => {
        const limit = w.factor * slo.errorBudget;
        return ratio(t, w.long) > limit && ratio(t, w.short) > limit;
      }),
    );
  }
  return fired;
}

/** First minute at which any of the windows fires, or undefined. */
export function firstFiring(slo: Slo, phases: readonly Phase[], windows: readonly BurnRateWindow[]): number | undefined {
  const minute = firingMinutes(slo, phases, windows).indexOf(true);
  return minute < 0 ? undefined : minute;
}

/** True when no window fires in minutes [from, to]. */
export function silentBetween(firing: readonly boolean[], from: number, to: number): boolean {
  return firing.slice(Math.max(0, from), to + 1).every((f) => !f);
}
