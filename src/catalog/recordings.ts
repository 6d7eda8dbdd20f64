import type { MetricDefinition } from './types.js';

/**
 * Series that our own recording rules create. Alerts and panels may query these because the same
 * bundle defines them. Every one carries `service` and `slo` (plus the SLO's own labels).
 */
const SLO_LABELS = ['service', 'slo'] as const;

function recording(name: string, help: string, unit = 'ratio', labels: readonly string[] = SLO_LABELS): MetricDefinition {
  return { name, type: 'gauge', source: 'recording', help, unit, labels };
}

export const SLO_RECORDINGS = {
  errorsRate: recording('slo:sli_errors:rate5m', 'Bad events per second over 5m (0 when traffic exists but no error series does).', 'per_second'),
  totalRate: recording('slo:sli_total:rate5m', 'Events per second over 5m; absent when the SLI has no data.', 'per_second'),
  /** Bad and all events per second over an alert window, e.g. slo:sli_errors:rate1h (rate5m is the one above). */
  errorsRateOver: (window: string) => `slo:sli_errors:rate${window}`,
  totalRateOver: (window: string) => `slo:sli_total:rate${window}`,
  /** Name of the error ratio over a window, e.g. slo:sli_error:ratio_rate1h. */
  errorRatio: (window: string) => `slo:sli_error:ratio_rate${window}`,
  periodErrorsRate: recording(
    'slo:sli_errors:step_rate5m',
    'Bad events per second over 5m, recorded every 5m by the period group (samples do not overlap).',
    'per_second',
  ),
  periodTotalRate: recording('slo:sli_total:step_rate5m', 'Events per second over 5m, recorded every 5m by the period group.', 'per_second'),
  objective: recording('slo:objective:ratio', 'The SLO objective as a ratio (0.999 for 99.9%).'),
  currentBurnRate: recording('slo:current_burn_rate:ratio', 'Error budget burn rate over the fastest paging window (1 = on budget).'),
  periodBurnRate: recording('slo:period_burn_rate:ratio', 'Error budget burn rate over the whole SLO period.'),
  budgetRemaining: recording('slo:period_error_budget_remaining:ratio', 'Share of the period error budget left (negative when overspent).'),
  info: recording('obs_slo_info', 'Constant 1, carrying objective, period, owner and team as labels.', '', [
    ...SLO_LABELS,
    'objective',
    'period',
    'owner',
    'team',
  ]),
} as const;

export const ERROR_RATIO_PREFIX = 'slo:sli_error:ratio_rate';
const WINDOW_PREFIXES = [ERROR_RATIO_PREFIX, 'slo:sli_errors:rate', 'slo:sli_total:rate'];

/** Recording rule names are open-ended (one per window); this says whether a name is one of ours. */
export function isSloRecording(name: string): boolean {
  if (WINDOW_PREFIXES.some((prefix) => name.startsWith(prefix) && /^\d+[smhd]/.test(name.slice(prefix.length)))) return true;
  return Object.values(SLO_RECORDINGS).some((r) => typeof r !== 'function' && r.name === name);
}
