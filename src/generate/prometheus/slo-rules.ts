import { SLO_RECORDINGS } from '../../catalog/index.js';
import { formatDuration, formatNumber } from '../../model/duration.js';
import type { Slo } from '../../model/types.js';
import { alertWindows, PERIOD_STEP, RATE_WINDOW, RAW_WINDOW_LIMIT, windowPlan } from '../../model/windows.js';
import { eq, selector } from '../../promql/build.js';
import { parsePromQL } from '../../promql/parse.js';
import type { RecordingRule } from './rule-types.js';
import { type SliQueries, sliQueries, sliTakesWindow } from './sli/index.js';

/** `name{service="…",slo="…"}`: one series of this SLO's recordings. */
export function sloSeries(slo: Slo, name: string): string {
  return selector(name, [eq('service', slo.service.name), eq('slo', slo.name)]);
}

export function errorRatioName(window: number): string {
  return SLO_RECORDINGS.errorRatio(formatDuration(window));
}

export const errorsRateName = (window: number) => SLO_RECORDINGS.errorsRateOver(formatDuration(window));
export const totalRateName = (window: number) => SLO_RECORDINGS.totalRateOver(formatDuration(window));

/**
 * The recordings the alerts read, in dependency order (one group evaluates them top to bottom), per alert
 * window: bad and all events per second, and their ratio (absent without traffic, never NaN).
 *
 * Windows up to 6h are `rate()` over raw series, exact at both edges. A longer window W is stitched
 * (see `stitched`): the raw rate over the longest raw window H for the newest part, the recorded 5m
 * rate sampled W − 5m ago for the oldest 5 minutes, both exact, and the recorded 5m rates in between,
 * whose samples are centred on the middle so that its seams are smeared by ±2.5m around the right place
 * instead of lagging. The middle's samples are summed and converted to events with the seconds each
 * sample stands for (H / samples in the last H): no assumption about the evaluation interval, and a
 * window longer than the history counts only what happened, as the exact model does. An SLI query with
 * a fixed range is raw over 5m only, and every longer window is stitched onto it.
 */
export function sloRecordingRules(slo: Slo): RecordingRule[] {
  const plan = windowPlan(slo.windows, sliTakesWindow(slo) ? RAW_WINDOW_LIMIT : RATE_WINDOW);
  const rate = (record: string, expr: string): RecordingRule => ({ record, expr, labels: slo.labels });
  const rules: RecordingRule[] = [];
  for (const window of plan.raw) {
    const queries = sliQueries(slo, formatDuration(window));
    // A missing error series while traffic exists means zero errors; without traffic it stays absent.
    rules.push(rate(errorsRateName(window), errorsOrZero(slo, queries)));
    rules.push(rate(totalRateName(window), queries.total));
  }
  for (const window of plan.stitched) {
    rules.push(rate(errorsRateName(window), stitched(slo, window, plan.head, errorsRateName)));
    rules.push(rate(totalRateName(window), stitched(slo, window, plan.head, totalRateName)));
  }
  for (const window of alertWindows(slo.windows)) {
    const errors = sloSeries(slo, errorsRateName(window));
    const total = sloSeries(slo, totalRateName(window));
    rules.push(rate(errorRatioName(window), `${errors} / (${total} > 0)`));
  }
  const budget = formatNumber(slo.errorBudget);
  rules.push(rate(SLO_RECORDINGS.currentBurnRate.name, `${sloSeries(slo, errorRatioName(slo.windows[0]!.long))} / ${budget}`));
  return rules;
}

/**
 * Events per second over `window`, in up to three parts: the raw `head` window (the newest, exact); the
 * oldest 5 minutes, which are exactly the span of the recorded 5m rate sampled `window − 5m` ago (so the
 * old edge is exact too, and a burst leaves the window when the model says it does); and the recorded
 * 5m rates of the middle, summed. A part without history that old counts nothing (not absent).
 */
function stitched(slo: Slo, window: number, head: number, name: (w: number) => string): string {
  const newest = sloSeries(slo, name(head));
  const fiveMinutes = sloSeries(slo, name(RATE_WINDOW));
  const parts = [`${newest} * ${head}`];
  const none = `${newest} * 0`;
  const oldestTile = window - head >= RATE_WINDOW;
  if (oldestTile) parts.push(`(${fiveMinutes} offset ${formatDuration(window - RATE_WINDOW)} * ${RATE_WINDOW} or ${none})`);
  const middle = window - head - (oldestTile ? RATE_WINDOW : 0);
  if (middle > 0) {
    // A 5m rate covers the 5 minutes before its sample: samples from 2.5m after the middle's start to
    // 2.5m after its end are centred on it. Ranges end 1s short so that Prometheus 2 (both ends
    // included) and 3 (start excluded) count the same samples.
    const samples = `sum_over_time(${fiveMinutes}[${formatDuration(middle - 1)}] offset ${formatDuration(head - RATE_WINDOW / 2)})`;
    const secondsPerSample = `${head} / count_over_time(${sloSeries(slo, totalRateName(RATE_WINDOW))}[${formatDuration(head - 1)}])`;
    parts.push(`(${samples} * ${secondsPerSample} or ${none})`);
  }
  return `(${parts.join(' + ')}) / ${window}`;
}

/**
 * The period group, evaluated every 5m: 5m rates sampled every 5m (spans that tile time), the period's
 * error ratio as a ratio of their sums (traffic-weighted; a window without traffic adds nothing), the
 * budget left, and the constant series. Reading 30 days of 5m-apart samples is 12× cheaper than 30
 * days of samples recorded at every 30s evaluation, and it runs 10× less often.
 */
export function sloPeriodRules(slo: Slo): RecordingRule[] {
  const queries = sliQueries(slo, formatDuration(PERIOD_STEP));
  const errors = sloSeries(slo, SLO_RECORDINGS.periodErrorsRate.name);
  const total = sloSeries(slo, SLO_RECORDINGS.periodTotalRate.name);
  const period = formatDuration(slo.period);
  const budget = formatNumber(slo.errorBudget);
  return [
    { record: SLO_RECORDINGS.periodErrorsRate.name, expr: errorsOrZero(slo, queries), labels: slo.labels },
    { record: SLO_RECORDINGS.periodTotalRate.name, expr: queries.total, labels: slo.labels },
    {
      record: errorRatioName(slo.period),
      expr: `sum_over_time(${errors}[${period}]) / (sum_over_time(${total}[${period}]) > 0)`,
      labels: slo.labels,
    },
    { record: SLO_RECORDINGS.periodBurnRate.name, expr: `${sloSeries(slo, errorRatioName(slo.period))} / ${budget}`, labels: slo.labels },
    {
      record: SLO_RECORDINGS.budgetRemaining.name,
      expr: `1 - ${sloSeries(slo, SLO_RECORDINGS.periodBurnRate.name)}`,
      labels: slo.labels,
    },
    { record: SLO_RECORDINGS.objective.name, expr: `vector(${formatNumber(slo.target)})`, labels: slo.labels },
    { record: SLO_RECORDINGS.info.name, expr: 'vector(1)', labels: infoLabels(slo) },
  ];
}

function infoLabels(slo: Slo): Record<string, string> {
  return {
    ...slo.labels,
    objective: formatNumber(slo.objective),
    period: formatDuration(slo.period),
    ...(slo.owner !== undefined && { owner: slo.owner }),
    ...(slo.team !== undefined && { team: slo.team }),
  };
}

/**
 * Bad events per second, or 0 while traffic exists and no error series does. The SLI's queries have the
 * same shape at every window, so whether each needs parentheses is decided once per SLO (parsing is the
 * costliest step of generation).
 */
function errorsOrZero(slo: Slo, queries: SliQueries): string {
  let wrap = WRAP.get(slo);
  if (!wrap) {
    const shape = sliQueries(slo, formatDuration(RATE_WINDOW));
    wrap = { errors: parsePromQL(shape.errors).split !== undefined, total: parsePromQL(shape.total).split !== undefined };
    WRAP.set(slo, wrap);
  }
  const paren = (expr: string, yes: boolean) => (yes ? `(${expr})` : expr);
  return `${paren(queries.errors, wrap.errors)} or 0 * ${paren(queries.total, wrap.total)}`;
}

const WRAP = new WeakMap<Slo, { errors: boolean; total: boolean }>();
