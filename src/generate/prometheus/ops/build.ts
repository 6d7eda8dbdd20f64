/**
 * Shared pieces of the service, GenAI and security alerts: selectors on the service's own SDK series (for
 * the runbooks' queries; the alerts' expressions come from src/generate/queries/) and the promtool input
 * series that prove them.
 */
import { formatNumber, parseDuration } from '../../../model/duration.js';
import type { Labels, Service } from '../../../model/types.js';
import { labelMatchers, type Matcher, selector } from '../../../promql/build.js';
import type { AlertCase, SeriesInput } from './types.js';

/** `metric{<service selector>, extra}`: the service's own series of an SDK metric. */
export function own(service: Service, metric: string, extra: readonly Matcher[] = []): string {
  return selector(metric, [...labelMatchers(service.selector), ...extra]);
}

/**
 * Events over the range, from a builder's per-second rate (increase = rate × range, exactly): the alert
 * judges the number the panel plots, and its description can still say how many.
 */
export function countOver(perSecond: string, range: string): string {
  const seconds = parseDuration(range);
  if (seconds === undefined) throw new Error(`countOver(): not a duration: ${range}`);
  return `(${perSecond}) * ${seconds}`;
}

/** Minutes of samples, 1 minute apart, in promtool's expanding notation. */
export type Segment = { readonly minutes: number; readonly perMinute: number };

/** formatNumber, without its float rounding for integers (most test values): it dominated the builders' time. */
const num = (value: number) => (Number.isInteger(value) ? String(value) : formatNumber(value));

/** A counter that grows `perMinute` for each segment in turn, starting at 0. */
export function counter(...segments: readonly Segment[]): string {
  let value = 0;
  const parts = ['0'];
  for (const { minutes, perMinute } of segments) {
    parts.push(perMinute === 0 ? `${num(value)}x${minutes - 1}` : `${num(value + perMinute)}+${num(perMinute)}x${minutes - 1}`);
    value += perMinute * minutes;
  }
  return parts.join(' ');
}

/** A gauge holding each value for its number of minutes. */
export function gauge(...segments: readonly { readonly minutes: number; readonly value: number }[]): string {
  return segments.map(({ minutes, value }) => `${num(value)}x${minutes - 1}`).join(' ');
}

export function input(service: Service, metric: string, labels: Labels, values: string): SeriesInput {
  return { series: selector(metric, labelMatchers({ ...service.selector, ...labels })), values };
}

/**
 * Histogram bucket series whose q-quantile comes out at `factor` × threshold (factor ≤ 1 by linear
 * interpolation inside (t/2, t]; factor > 1: every observation in (t, 2t], so the quantile is ≈ (1+q)·t).
 * `perMinute` observations a minute for `minutes`.
 */
export function histogramAt(
  service: Service,
  metric: string,
  labels: Labels,
  threshold: number,
  shape: 'fast' | 'justUnder' | 'slow',
  minutes: number,
  perMinute = 600,
): SeriesInput[] {
  const half = threshold / 2;
  // cumulative share of observations at or under each boundary
  const shares: Record<typeof shape, [number, number, number]> = {
    fast: [1, 1, 1],
    justUnder: [0.5, 1, 1],
    slow: [0, 0, 1],
  };
  const [atHalf, atThreshold, atDouble] = shares[shape];
  const bucket = (le: string, share: number) =>
    input(service, `${metric}_bucket`, { ...labels, le }, counter({ minutes, perMinute: perMinute * share }));
  return [
    bucket(formatNumber(half), atHalf),
    bucket(formatNumber(threshold), atThreshold),
    bucket(formatNumber(2 * threshold), atDouble),
    bucket('+Inf', 1),
    input(service, `${metric}_count`, labels, counter({ minutes, perMinute })),
  ];
}

export const fires = (name: string, inputs: readonly SeriesInput[], at: string): AlertCase => ({ kind: 'fires', name, input: inputs, at });
export const healthy = (name: string, inputs: readonly SeriesInput[], at: string): AlertCase => ({ kind: 'healthy', name, input: inputs, at });
export const belowThreshold = (name: string, inputs: readonly SeriesInput[], at: string): AlertCase => ({
  kind: 'belowThreshold',
  name,
  input: inputs,
  at,
});

/** 0.01 → '1%', 0.005 → '0.5%'. */
export function percent(ratio: number): string {
  return `${formatNumber(ratio * 100)}%`;
}

/** 2 → '2s', 0.5 → '500ms'. */
export function seconds(value: number): string {
  return value >= 1 ? `${formatNumber(value)}s` : `${formatNumber(value * 1000)}ms`;
}
