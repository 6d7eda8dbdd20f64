/**
 * SLOs and error budgets: one row per SLO, read from the SLO recording rules only (cheap; never raw
 * series over the period). Windows and factors come from the model, names from the catalog.
 */
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { formatDuration, formatNumber } from '../../../model/duration.js';
import type { Service, Slo } from '../../../model/types.js';
import {
  sloAlertsFiring,
  sloBudgetRemaining,
  sloBurnRate,
  sloObjective,
  sloPeriodSli,
  sloSelector,
  sloTimeToExhaustion,
} from '../../queries/index.js';
import { badAbove, badBelow, buildDashboard, prometheusDatasourceVariable, type Row, type Step, statPanel, timeseriesPanel } from '../kit.js';
import { percent } from '../words.js';

const DAY = 86_400;

export function sloDashboard(service: Service, slos: readonly Slo[]): Dashboard {
  return buildDashboard({
    service,
    kind: 'slo',
    title: `${service.name} / SLOs and error budgets`,
    description: `Objectives, error budgets and burn rates of ${service.name}'s SLOs, read from the obs SLO recording rules.`,
    from: 'now-7d',
    variables: [prometheusDatasourceVariable()],
    rows: slos.map(sloRow),
  });
}

function sloRow(slo: Slo): Row {
  const sel = sloSelector(slo.service.name, slo.name);
  const period = formatDuration(slo.period);
  const objective = `${formatNumber(slo.objective)}% over ${period}`;
  // Every distinct alert window, shortest first, with the factor its alert compares the burn rate to.
  const windows = new Map<number, { factor: number; severity: string }>();
  for (const w of slo.windows) {
    for (const window of [w.long, w.short]) {
      const known = windows.get(window);
      if (!known || known.factor < w.factor) windows.set(window, { factor: w.factor, severity: w.severity });
    }
  }
  const factors: Step[] = [...new Set(slo.windows.map((w) => w.factor))]
    .sort((a, b) => a - b)
    .map((factor) => ({ value: factor, color: slo.windows.some((w) => w.factor === factor && w.severity === 'page') ? 'red' : 'orange' }));
  return {
    title: `${slo.name}: ${objective}${slo.description ? ` (${slo.description.replace(/\.$/, '')})` : ''}`,
    panels: [
      statPanel({
        title: `${slo.name}: objective`,
        description: `The objective of the ${slo.name} SLO: ${objective}.`,
        unit: 'percentunit',
        width: 4,
        queries: [{ expr: sloObjective(sel), legend: 'objective' }],
      }),
      statPanel({
        title: `${slo.name}: SLI over ${period}`,
        description: `Share of good events over the SLO period (${period}), traffic-weighted. Good: at or above the objective (${formatNumber(slo.objective)}%).`,
        unit: 'percentunit',
        width: 4,
        thresholds: badBelow(slo.target),
        queries: [{ expr: sloPeriodSli(sel, slo.period), legend: 'SLI' }],
      }),
      statPanel({
        title: `${slo.name}: error budget left`,
        description: `Share of the ${period} error budget not yet spent (negative when overspent). Good: above 25%; under 0 the SLO is missed.`,
        unit: 'percentunit',
        width: 4,
        thresholds: badBelow(0, 0.25),
        queries: [{ expr: sloBudgetRemaining(sel), legend: 'budget left' }],
      }),
      statPanel({
        title: `${slo.name}: time to exhaustion`,
        description: 'How long the remaining budget lasts if the current burn rate (fastest paging window) holds. Good: longer than the period; empty while nothing burns.',
        unit: 's',
        width: 4,
        noValue: 'not burning',
        thresholds: badBelow(DAY, 7 * DAY),
        queries: [{ expr: sloTimeToExhaustion(sel, slo.period), legend: 'time left' }],
      }),
      statPanel({
        title: `${slo.name}: alerts firing`,
        description: `The SLO's burn-rate and missing-data alerts firing now, from ALERTS. Good: none.`,
        unit: 'none',
        width: 8,
        noValue: 'none firing',
        thresholds: badAbove(1),
        queries: [{ expr: sloAlertsFiring(sel), legend: '{{alertname}} ({{severity}})' }],
      }),
      timeseriesPanel({
        title: `${slo.name}: error budget burn-down`,
        description: `Error budget left over the whole period (${period}, whatever the time picker says). Good: a slow, steady descent that stays above 0 at the period's end.`,
        unit: 'percentunit',
        max: 1,
        timeFrom: period,
        thresholds: badBelow(0, 0.25),
        queries: [{ expr: sloBudgetRemaining(sel), legend: 'budget left' }],
      }),
      timeseriesPanel({
        title: `${slo.name}: burn rate by alert window`,
        description:
          `Error ratio over each alert window as a multiple of the error budget (${percent(slo.errorBudget)}); 1 spends the budget exactly over ${period}. ` +
          `Dashed lines are the alert factors (${factors.map((f) => `×${formatNumber(f.value)}`).join(', ')}): an alert fires when both its long and short window are above its factor. Good: under 1.`,
        unit: 'x',
        min: 0,
        thresholds: { base: 'green', steps: factors },
        queries: [...windows].sort(([a], [b]) => a - b).map(([window, { factor, severity }]) => ({
          expr: sloBurnRate(sel, window, slo.errorBudget),
          legend: `${formatDuration(window)} (${severity} ×${formatNumber(factor)})`,
        })),
      }),
    ],
  };
}
