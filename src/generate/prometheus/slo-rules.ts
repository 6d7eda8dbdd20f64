import { SLO_RECORDINGS } from '../../catalog/index.js';
import { formatDuration, formatNumber } from '../../model/duration.js';
import type { Slo } from '../../model/types.js';
import { alertWindows, RATE_WINDOW } from '../../model/windows.js';
import { eq, selector } from '../../promql/build.js';
import { parsePromQL } from '../../promql/parse.js';
import type { RecordingRule } from './rule-types.js';
import { sliQueries } from './sli/index.js';

/** `name{service="…",slo="…"}`: one series of this SLO's recordings. */
export function sloSeries(slo: Slo, name: string): string {
  return selector(name, [eq('service', slo.service.name), eq('slo', slo.name)]);
}

export function errorRatioName(window: number): string {
  return SLO_RECORDINGS.errorRatio(formatDuration(window));
}

/**
 * The SLO's recording rules, in dependency order (one group evaluates them top to bottom):
 *   5m error and total rates — the only rules that read raw series;
 *   an error ratio per alert window and for the whole period, each a ratio of *summed* 5m rates, so it
 *   is traffic-weighted and cheap, and a window without traffic is dropped instead of poisoning later
 *   sums with NaN;
 *   objective, current and period burn rate, remaining budget, and an info series.
 * Every rule states the SLO's labels, so rules of different SLOs never look like duplicates.
 */
export function sloRecordingRules(slo: Slo): RecordingRule[] {
  const queries = sliQueries(slo, formatDuration(RATE_WINDOW));
  const errors = sloSeries(slo, SLO_RECORDINGS.errorsRate.name);
  const total = sloSeries(slo, SLO_RECORDINGS.totalRate.name);
  const budget = formatNumber(slo.errorBudget);
  const ratio = (window: number) => sloSeries(slo, errorRatioName(window));

  const windowRatio = (window: number): RecordingRule => ({
    record: errorRatioName(window),
    labels: slo.labels,
    expr:
      window === RATE_WINDOW
        ? `${errors} / (${total} > 0)`
        : `sum_over_time(${errors}[${formatDuration(window)}]) / (sum_over_time(${total}[${formatDuration(window)}]) > 0)`,
  });

  return [
    // A missing error series while traffic exists means zero errors; without traffic it stays absent.
    {
      record: SLO_RECORDINGS.errorsRate.name,
      expr: `${parenthesise(queries.errors)} or 0 * ${parenthesise(queries.total)}`,
      labels: slo.labels,
    },
    { record: SLO_RECORDINGS.totalRate.name, expr: queries.total, labels: slo.labels },
    ...alertWindows(slo.windows).map(windowRatio),
    windowRatio(slo.period),
    { record: SLO_RECORDINGS.objective.name, expr: `vector(${formatNumber(slo.target)})`, labels: slo.labels },
    { record: SLO_RECORDINGS.currentBurnRate.name, expr: `${ratio(slo.windows[0]!.long)} / ${budget}`, labels: slo.labels },
    { record: SLO_RECORDINGS.periodBurnRate.name, expr: `${ratio(slo.period)} / ${budget}`, labels: slo.labels },
    {
      record: SLO_RECORDINGS.budgetRemaining.name,
      expr: `1 - ${sloSeries(slo, SLO_RECORDINGS.periodBurnRate.name)}`,
      labels: slo.labels,
    },
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

/** Wraps a binary expression so that `or` plainly applies to all of it. */
function parenthesise(expr: string): string {
  return parsePromQL(expr).split ? `(${expr})` : expr;
}
