/**
 * PromQL shapes every query builder repeats. A builder takes the selector (the series' matchers) and
 * the range as parameters: alerts pass their fixed window (`5m`), panels `$__rate_interval`, so a
 * dashboard panel and the alert that judges the same number are one function and cannot drift.
 */
import { formatNumber } from '../../model/duration.js';
import { type Matcher, selector } from '../../promql/build.js';

export type Selector = readonly Matcher[];

/** `sum by (a, b)` or `sum` when there is nothing to keep. */
export function sumBy(by: readonly string[]): string {
  return by.length ? `sum by (${by.join(', ')})` : 'sum';
}

/** `sum by (…) (rate(metric{sel}[range]))`: events per second. */
export function rateOf(metric: string, sel: Selector, range: string, by: readonly string[] = []): string {
  return `${sumBy(by)} (rate(${selector(metric, sel)}[${range}]))`;
}

/** `sum by (…) (increase(metric{sel}[range]))`: events over the range. */
export function increaseOf(metric: string, sel: Selector, range: string, by: readonly string[] = []): string {
  return `${sumBy(by)} (increase(${selector(metric, sel)}[${range}]))`;
}

/** Share of `bad` among `total` events per second, both summed by the same labels. */
export function ratioOf(bad: string, badSel: Selector, total: string, totalSel: Selector, range: string, by: readonly string[] = []): string {
  return `${rateOf(bad, badSel, range, by)} / ${rateOf(total, totalSel, range, by)}`;
}

/** `histogram_quantile(q, sum by (le, …) (rate(<histogram>_bucket{sel}[range])))`. */
export function quantileOf(q: number, histogram: string, sel: Selector, range: string, by: readonly string[] = []): string {
  return `histogram_quantile(${formatNumber(q)}, ${sumBy(['le', ...by])} (rate(${selector(`${histogram}_bucket`, sel)}[${range}])))`;
}

/**
 * The same range query `offset` earlier (`[5m]` → `[5m] offset 1h`): alerts compare a number with its own
 * past (traffic an hour ago, tokens a week ago). Only for builders whose every selector is under a range.
 */
export function earlier(expr: string, offset: string): string {
  const shifted = expr.replace(/\[([^\[\]]+)\]/g, `[$1] offset ${offset}`);
  if (shifted === expr) throw new Error(`earlier(): no range to shift in ${expr}`);
  return shifted;
}
