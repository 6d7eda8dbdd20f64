/**
 * Runbooks of the SLO alerts: the burn-rate alert (slo.alerting.name) and the missing-data alert
 * (slo.alerting.missingDataName), written from the SLO model so their numbers are the rules' numbers.
 */
import { SLO_RECORDINGS } from '../../catalog/index.js';
import { formatDuration, formatNumber } from '../../model/duration.js';
import type { Model, Slo } from '../../model/types.js';
import { labelMatchers, selector } from '../../promql/build.js';
import { sloAlertingRules } from '../prometheus/slo-alerts.js';
import { errorRatioName, sloSeries } from '../prometheus/slo-rules.js';
import type { RunbookEntry } from './index.js';

/** Only for services written for obs (with `ops`): imported Sloth/OpenSLO bundles stay as they were. */
export function sloRunbooks(model: Model): RunbookEntry[] {
  return model.slos.filter((slo) => slo.service.ops).flatMap((slo) => [...burnEntries(slo), ...missingDataEntries(slo)]);
}

const describeSlo = (slo: Slo) =>
  `the ${slo.name} SLO of ${slo.service.name} (${formatNumber(slo.objective)}% over ${formatDuration(slo.period)}, an error budget of ${formatNumber(slo.errorBudget * 100)}% of events)`;

function owner(slo: Slo): string {
  const who = slo.team ?? slo.owner;
  return who ? `the ${who} team` : `the owners of ${slo.service.name}`;
}

/** What a bad event is, for the user, per SLI kind. */
function impact(slo: Slo): string {
  const sli = slo.sli;
  switch (sli.kind) {
    case 'http':
      return `Users get server errors (status ${sli.errorStatus.join(', ')}) from ${slo.service.name}.`;
    case 'httpLatency':
      return `Requests to ${slo.service.name} take longer than ${formatDuration(sli.threshold)}.`;
    case 'genaiLatency':
      return `Model calls of ${slo.service.name} take longer than ${formatDuration(sli.threshold)}: slow AI answers.`;
    case 'genaiErrors':
      return `Model calls of ${slo.service.name} fail: AI features error out or degrade.`;
    default:
      return `More events of ${slo.service.name} than the objective allows are bad, as the SLI's own query defines them.`;
  }
}

function burnEntries(slo: Slo): RunbookEntry[] {
  const severities = (['page', 'ticket'] as const).filter((s) => slo.alerting[s]);
  if (severities.length === 0) return [];
  const remaining = sloSeries(slo, SLO_RECORDINGS.budgetRemaining.name);
  const budget = formatNumber(slo.errorBudget);
  const windows = slo.windows.filter((w) => severities.includes(w.severity));
  // The rules exactly as slo-alerts.ts writes them (one per window pair, same order as the windows).
  const burnRules = sloAlertingRules(slo).filter((r) => r.alert === slo.alerting.name);
  const rules = windows.map((w, i) => ({
    who: `${slo.service.name}, ${w.severity} (${formatNumber(w.factor)}× over ${formatDuration(w.long)} and ${formatDuration(w.short)}; ${formatNumber(w.budgetConsumed * 100)}% of the budget spent when it fires)`,
    severity: slo.alerting[w.severity]!.severity,
    expr: burnRules[i]!.expr,
  }));
  const longWindows = [...new Set(windows.map((w) => w.long))];
  return [
    {
      name: slo.alerting.name,
      summary: `The ${slo.name} SLO of ${slo.service.name} is burning its error budget too fast.`,
      rules,
      runbook: {
        meaning:
          `Bad events are eating the error budget of ${describeSlo(slo)} faster than the period can afford, over both a long and a short window ` +
          `(multiwindow multi-burn-rate alerting: the long window proves it matters, the short one that it is still happening). ` +
          `A burn rate of 1 spends exactly the budget in ${formatDuration(slo.period)}; the page fires on fast burns, the ticket on slow ones.`,
        impact: impact(slo),
        confirm: [
          ...longWindows.map((w) => ({ query: `${sloSeries(slo, errorRatioName(w))} / ${budget}`, look: `The burn rate over ${formatDuration(w)} (above 1 spends the budget early).` })),
          { query: remaining, look: `The share of this ${formatDuration(slo.period)} budget left (negative: overspent).` },
          { query: sloSeries(slo, SLO_RECORDINGS.errorsRate.name), look: 'Bad events per second over 5 minutes: when did it start?' },
        ],
        causes: ['A deploy that broke or slowed part of the service.', 'A dependency failing (database, cache, model provider).', 'A traffic surge beyond capacity.'],
        mitigation: [
          'Check the operational alerts of the service firing at the same time: they name the component.',
          'Roll back a recent deploy.',
          'Shed or redirect load if capacity is the cause.',
          'Once stable, review how much budget is left and whether to freeze risky changes for the period.',
        ],
        escalation: `Pages and tickets go to ${owner(slo)}. If the budget is spent, agree with the product owner on a change freeze.`,
      },
    },
  ];
}

function missingDataEntries(slo: Slo): RunbookEntry[] {
  const after = slo.alerting.missingDataFor;
  if (after === undefined) return [];
  const total = sloSeries(slo, SLO_RECORDINGS.totalRate.name);
  return [
    {
      name: slo.alerting.missingDataName,
      summary: `The ${slo.name} SLO of ${slo.service.name} has no data.`,
      rules: sloAlertingRules(slo)
        .filter((r) => r.alert === slo.alerting.missingDataName)
        .map((r) => ({ who: slo.service.name, severity: r.labels['severity'] ?? 'warning', expr: r.expr, for: r.for ?? formatDuration(after) })),
      runbook: {
        meaning: `The SLI of ${describeSlo(slo)} has had no series for ${formatDuration(after)}: its burn-rate alerts cannot fire. No traffic is different: it records a zero rate.`,
        impact: 'None directly; the SLO is unobserved, so an outage would not page.',
        confirm: [
          { query: total, look: 'Empty: the recording has no input.' },
          { query: selector('up', labelMatchers(slo.service.selector)), look: 'The service targets: 0 or missing means Prometheus does not scrape them.' },
        ],
        causes: ['The service is not scraped (target down, relabelling or service discovery changed).', 'The service no longer exports the SLI metric (renamed, SDK removed or not started).', 'The SLO rule file is not loaded by Prometheus.'],
        mitigation: ['Open the Prometheus targets page for the service.', "Query the SLI's raw metric on the service's /metrics endpoint.", 'Check that Prometheus loads the SLO rule file (Rules page).'],
        escalation: `Ticket for ${owner(slo)}.`,
      },
    },
  ];
}
