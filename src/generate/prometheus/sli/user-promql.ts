import type { Sli } from '../../../model/types.js';
import { isSingleSeriesAggregate, parsePromQL } from '../../../promql/parse.js';
import { withWindow } from '../../../promql/window.js';
import { synthesizeSeries } from './synthesize.js';
import type { SliKindModule } from './types.js';


/** Keeps a sample only when it is a real number: NaN and ±Inf would poison every sum over it. */
function finite(expr: string): string {
  return `${expr} > -Inf < Inf`;
}

/** One series of events per second: the user's aggregation as written, or wrapped in sum(). */
function summed(query: string, window: string): string {
  const filled = withWindow(query, window);
  return isSingleSeriesAggregate(filled) ? filled : `sum(${filled})`;
}

type Ratio = Extract<Sli, { kind: 'ratio' }>;

/** Events per second from user PromQL. With `good`, bad = total − good (missing good counts as 0). */
export const ratio: SliKindModule<Ratio> = {
  queries(sli, _slo, window) {
    const total = summed(sli.total, window);
    const errors = sli.errors ? summed(sli.errors, window) : `${total} - (${summed(sli.good!, window)} or vector(0))`;
    return { errors: finite(errors), total: finite(total) };
  },
  testSeries(sli) {
    const total = withWindow(sli.total, '5m');
    return sli.errors
      ? synthesizeSeries(withWindow(sli.errors, '5m'), total, 'bad')
      : synthesizeSeries(withWindow(sli.good!, '5m'), total, 'good');
  },
};

/**
 * An error ratio written as one expression. Each evaluation is one event weighted by the ratio, so the
 * SLI is a mean over time. Several series are reduced to the worst (max).
 */
export const errorRatio: SliKindModule<Extract<Sli, { kind: 'errorRatio' }>> = {
  queries(sli, _slo, window) {
    const ratioNow = `clamp_max(${finite(`max(${withWindow(sli.query, window)})`)}, 1)`;
    return { errors: ratioNow, total: `${ratioNow} * 0 + 1` };
  },
  testSeries(sli) {
    // `errors / total` is the common shape; anything else is not synthesised.
    const split = parsePromQL(withWindow(sli.query, '5m')).split;
    return split?.op === '/' ? synthesizeSeries(split.left, split.right, 'bad') : undefined;
  },
};

const BAD_WHEN = { lt: '>=', lte: '>', gt: '<=', gte: '<' } as const;

/**
 * OpenSLO thresholdMetric: each evaluation is one event, bad when `query <op> value` does not hold.
 * Several series are reduced to the worst one for the comparison (max for lt/lte, min for gt/gte).
 */
export const threshold: SliKindModule<Extract<Sli, { kind: 'threshold' }>> = {
  queries(sli, _slo, window) {
    const worst = sli.op.startsWith('l') ? 'max' : 'min';
    const value = finite(`${worst}(${withWindow(sli.query, window)})`);
    return {
      errors: `(${value}) ${BAD_WHEN[sli.op]} bool ${sli.value}`,
      total: `(${value}) * 0 + 1`,
    };
  },
  testSeries: () => undefined,
};
