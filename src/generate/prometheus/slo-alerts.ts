import { SLO_RECORDINGS } from '../../catalog/index.js';
import { remembered } from '../remembered.js';
import { runbookUrl } from './runbook-url.js';
import { formatDuration, formatNumber } from '../../model/duration.js';
import type { BurnRateWindow, SeverityAlert, Slo } from '../../model/types.js';
import type { AlertingRule } from './rule-types.js';
import { errorRatioName, sloSeries, totalRateName } from './slo-rules.js';

/**
 * Multiwindow multi-burn-rate alerts (SRE Workbook ch.5), one rule per window pair so each alert says
 * which pair fired. The value of every alert is the burn rate over its long window.
 */
export function sloAlertingRules(slo: Slo): readonly AlertingRule[] {
  return remembered(alertingRules, slo, buildAlertingRules);
}

const alertingRules = new WeakMap<Slo, readonly AlertingRule[]>();

function buildAlertingRules(slo: Slo): AlertingRule[] {
  const rules: AlertingRule[] = [];
  for (const window of slo.windows) {
    const severity = slo.alerting[window.severity];
    if (severity) rules.push(burnRateAlert(slo, window, severity));
  }
  if (slo.alerting.missingDataFor !== undefined) rules.push(missingDataAlert(slo, slo.alerting.missingDataFor));
  return rules;
}

function burnRateAlert(slo: Slo, window: BurnRateWindow, severity: SeverityAlert): AlertingRule {
  const budget = formatNumber(slo.errorBudget);
  const factor = formatNumber(window.factor);
  const burn = (w: number) => `${sloSeries(slo, errorRatioName(w))} / ${budget} > ${factor}`;
  const conditions = [burn(window.long), burn(window.short)];
  if (slo.alerting.minEvents !== undefined) {
    // Low-traffic guard: a handful of failures among a handful of requests is not an outage.
    const events = `${sloSeries(slo, totalRateName(window.long))} * ${window.long}`;
    conditions.push(`${events} >= ${slo.alerting.minEvents}`);
  }
  return {
    alert: slo.alerting.name,
    expr: conditions.join('\nand\n'),
    labels: {
      severity: severity.severity,
      ...slo.alerting.labels,
      ...severity.labels,
      long_window: formatDuration(window.long),
      short_window: formatDuration(window.short),
    },
    annotations: {
      summary: `The ${slo.name} SLO of ${slo.service.name} is burning its error budget ${window.severity === 'page' ? 'fast' : 'steadily'}.`,
      description: burnDescription(slo, window),
      ...runbook(slo, slo.alerting.name),
      ...slo.alerting.annotations,
      ...severity.annotations,
    },
  };
}

/** What fired, how bad it is and how long the budget lasts: rendered by Prometheus when the alert fires. */
function burnDescription(slo: Slo, window: BurnRateWindow): string {
  const remaining = sloSeries(slo, SLO_RECORDINGS.budgetRemaining.name);
  const long = formatDuration(window.long);
  const consumed = formatNumber(window.budgetConsumed * 100);
  return [
    `The ${slo.name} SLO of ${slo.service.name} (${formatNumber(slo.objective)}% over ${formatDuration(slo.period)}) is burning its error budget ` +
      `{{ printf "%.1f" $value }}× faster than sustainable over the last ${long} and ${formatDuration(window.short)}; ` +
      `this alert fires once ${consumed}% of the period's budget is spent within ${long}.`,
    `{{ with query \`${remaining}\` }}Budget left this period: {{ . | first | value | humanizePercentage }}.{{ end }}`,
    `{{ with printf \`${remaining} * ${slo.period} / %f > 0\` $value | query }}At this rate the rest lasts {{ . | first | value | humanizeDuration }}.` +
      `{{ else }}At this rate the budget for this period is already spent.{{ end }}`,
  ].join('\n');
}

/**
 * The SLI's total has no series at all: the target is not scraped or the metric is gone. No traffic is
 * different (a zero rate, silent) and so is all-errors (a page from the burn-rate alerts).
 */
function missingDataAlert(slo: Slo, after: number): AlertingRule {
  const total = sloSeries(slo, SLO_RECORDINGS.totalRate.name);
  return {
    alert: slo.alerting.missingDataName,
    expr: `absent(${total})`,
    for: formatDuration(after),
    labels: { ...slo.labels, severity: 'warning', ...slo.alerting.labels },
    annotations: {
      summary: `The ${slo.name} SLO of ${slo.service.name} has no data.`,
      description:
        `${total} has had no series for ${formatDuration(after)}: the service is not scraped or no longer exports the SLI's metrics, ` +
        `so its burn-rate alerts cannot fire. A service without traffic shows a zero rate, not missing data.`,
      ...runbook(slo, slo.alerting.missingDataName),
    },
  };
}

/** The SLO's own runbook URL if it names one; else the alert's runbook, when one exists (base URL or bundle). */
function runbook(slo: Slo, alertName: string): { runbook_url?: string } {
  if (slo.runbookUrl) return { runbook_url: slo.runbookUrl };
  if (slo.service.runbookBaseUrl || slo.service.ops) return { runbook_url: runbookUrl(alertName, slo.service) };
  return {};
}
