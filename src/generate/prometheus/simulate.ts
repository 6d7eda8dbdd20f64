import type { BurnRateWindow, Slo } from '../../model/types.js';

/**
 * The exact multiwindow model (SRE Workbook ch.5) on the series a generated promtool test feeds: at every
 * minute, each window's error ratio from the true event counts of that window, and whether any window
 * pair's condition holds. The rules under test are not consulted: this is what they are judged against.
 */

/** A stretch of constant traffic: `minutes` long, `badFraction` of its events bad. */
export interface Phase {
  readonly minutes: number;
  readonly badFraction: number;
}

const MINUTE = 60;

/**
 * The model over a timeline. The fed counters start at 0 at minute 0 and grow at a constant number of
 * events per minute, so a window (t − w, t] holds the events of minutes max(1, t − w + 1) … t.
 */
class Model {
  /** prefix[t] = bad events (as a share of one minute's traffic) in minutes 1..t. */
  private readonly prefix: Float64Array;
  private readonly pairs: { long: number; short: number; limit: number }[];
  readonly minutes: number;

  constructor(slo: Slo, phases: readonly Phase[], windows: readonly BurnRateWindow[]) {
    this.minutes = phases.reduce((sum, p) => sum + p.minutes, 0);
    this.prefix = new Float64Array(this.minutes + 1);
    let t = 0;
    for (const p of phases) for (let i = 0; i < p.minutes; i++, t++) this.prefix[t + 1] = this.prefix[t]! + p.badFraction;
    this.pairs = windows.map((w) => ({ long: w.long / MINUTE, short: w.short / MINUTE, limit: w.factor * slo.errorBudget }));
  }

  private ratio(at: number, window: number): number {
    const from = Math.max(0, at - window);
    return (this.prefix[at]! - this.prefix[from]!) / (at - from);
  }

  firing(at: number): boolean {
    if (at === 0) return false;
    return this.pairs.some((p) => this.ratio(at, p.long) > p.limit && this.ratio(at, p.short) > p.limit);
  }

  /** First minute at or after `from` whose state is `state`, or undefined. */
  find(state: boolean, from: number): number | undefined {
    for (let at = from; at <= this.minutes; at++) if (this.firing(at) === state) return at;
    return undefined;
  }
}

/** Whether the model fires at each minute of the timeline (index = minute = sample index). */
export function modelFiring(slo: Slo, phases: readonly Phase[], windows: readonly BurnRateWindow[]): boolean[] {
  const model = new Model(slo, phases, windows);
  return Array.from({ length: model.minutes + 1 }, (_, at) => model.firing(at));
}

/** First minute at or after `from` at which the model fires, or undefined. */
export function modelFires(slo: Slo, phases: readonly Phase[], windows: readonly BurnRateWindow[], from = 0): number | undefined {
  return find(true, slo, phases, windows, from);
}

/** First minute at or after `from` at which the model is not firing, or undefined. */
export function modelResets(slo: Slo, phases: readonly Phase[], windows: readonly BurnRateWindow[], from: number): number | undefined {
  return find(false, slo, phases, windows, from);
}

/**
 * Answers by everything they depend on: SLOs with the same objective and windows (most of a large
 * config) ask the same questions, and each answer walks days of minutes.
 */
const answers = new Map<string, number | undefined>();

function find(state: boolean, slo: Slo, phases: readonly Phase[], windows: readonly BurnRateWindow[], from: number): number | undefined {
  const key = `${state}|${from}|${slo.errorBudget}|${phases.map((p) => `${p.minutes}:${p.badFraction}`).join(',')}|${windows.map((w) => `${w.long}:${w.short}:${w.factor}`).join(',')}`;
  if (answers.has(key)) return answers.get(key);
  const answer = new Model(slo, phases, windows).find(state, from);
  if (answers.size >= 10_000) answers.clear();
  answers.set(key, answer);
  return answer;
}
