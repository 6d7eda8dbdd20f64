import { lookupMetric } from '../catalog/index.js';
import type { MetricSource } from '../catalog/types.js';
import { DEBIAN_PACKAGES } from '../dev/processes.js';
import { type Expectations, type ExpectedRecording, inputAlternatives, inputSelectors, missingInputs, panelLabel, recordedInputs, selectorText } from './bundle.js';
import { substitute } from './dashboard-targets.js';
import type { CheckResult, LiveState } from './types.js';
import { parsePromQL } from '../promql/parse.js';

/**
 * The checks of a live Prometheus against the bundle: pure functions of the expectations and of the
 * API answers, so each can be shown to fail on a crafted answer.
 */

/** Series Prometheus writes only while an alert is pending or firing: absent on a healthy stack. */
const ALERT_STATE_SERIES = new Set(['ALERTS', 'ALERTS_FOR_STATE']);

const MAX_LISTED = 6;

function result(name: string, problems: string[], notes: string[], summary: string, fix: string): CheckResult {
  return { name, ok: problems.length === 0, summary, problems, notes, ...(problems.length > 0 && { fix }) };
}

function listed(all: readonly string[]): string {
  const items = [...new Set(all)];
  const shown = items.slice(0, MAX_LISTED).join(', ');
  return items.length > MAX_LISTED ? `${shown} and ${items.length - MAX_LISTED} more` : shown;
}

export function checkTargets(state: LiveState): CheckResult {
  const targets = state.targets.activeTargets;
  const name = (t: (typeof targets)[number]) => `${t.scrapePool} ${t.scrapeUrl}`;
  const problems = targets.filter((t) => t.health === 'down').map((t) => `${name(t)}: down (${t.lastError || 'no error given'})`);
  if (targets.length === 0) problems.push('Prometheus has no scrape targets');
  const notes = targets.filter((t) => t.health === 'unknown').map((t) => `${name(t)}: not scraped yet`);
  const up = targets.filter((t) => t.health === 'up').length;
  return result('targets', problems, notes, `${up} of ${targets.length} scrape targets up`, 'start what each down target scrapes, or correct its address in prometheus.yml');
}

/** The live groups by name (the same name loaded twice counts once: the first). */
function liveGroups(state: LiveState) {
  const byName = new Map<string, LiveState['rules']['groups'][number]>();
  for (const g of state.rules.groups) if (!byName.has(g.name)) byName.set(g.name, g);
  return byName;
}

export function checkRules(expected: Expectations, state: LiveState): CheckResult {
  const live = liveGroups(state);
  const problems: string[] = [];
  const unevaluated: string[] = [];
  for (const group of expected.groups) {
    const loaded = live.get(group.name);
    if (!loaded) {
      problems.push(`group ${group.name} (${group.file}): not loaded`);
      continue;
    }
    const names = loaded.rules.map((r) => r.name);
    if (names.length !== group.rules.length || names.some((n, i) => n !== group.rules[i])) {
      const missing = group.rules.filter((n) => !names.includes(n));
      const extra = names.filter((n) => !group.rules.includes(n));
      const diff = [missing.length > 0 && `missing ${listed(missing)}`, extra.length > 0 && `not in the bundle: ${listed(extra)}`].filter(Boolean).join('; ');
      problems.push(`group ${group.name} (${group.file}): ${names.length} rules loaded, the bundle has ${group.rules.length}${diff ? ` (${diff})` : ' (in another order)'}`);
    }
    for (const rule of loaded.rules) {
      if (rule.health === 'err') problems.push(`group ${group.name}: rule ${rule.name} fails to evaluate: ${rule.lastError || 'no error given'}`);
      else if (rule.health === 'unknown') unevaluated.push(`${group.name}/${rule.name}`);
    }
  }
  const notes = unevaluated.length > 0 ? [`${unevaluated.length} rules not evaluated yet (a group evaluates once per interval after it loads): ${listed(unevaluated)}`] : [];
  const rules = expected.groups.reduce((n, g) => n + g.rules.length, 0);
  return result(
    'rules',
    problems,
    notes,
    `${expected.groups.length} rule groups (${rules} rules) of the bundle checked against the ${state.rules.groups.length} loaded`,
    'load the rules/*.rules.yml of a fresh `obs generate` (rule_files in prometheus.yml), then reload Prometheus (POST /-/reload or SIGHUP); an evaluation error names the rule to look at',
  );
}

/** The selector of one recording rule's own series: its name and the labels its rule adds. */
export function recordingSelector(r: ExpectedRecording): string {
  return selectorText({ metric: r.name, matchers: Object.entries(r.labels ?? {}).map(([label, value]) => ({ label, op: '=' as const, value })) });
}

/** Every selector verify must ask about for a recording: its own series, then what its inputs read. */
export function recordingQueries(expected: Expectations): string[] {
  return [...new Set(expected.recordings.flatMap((r) => [recordingSelector(r), ...inputSelectors(r.expr, expected.recordings)]))];
}

/**
 * Whether every recording the rule reads is 0 or absent now: its ratio is then absent by design (no
 * traffic counted in the window, e.g. a period group that last ran before the first request). Unknown
 * (an answer recorded before verify asked) counts as traffic.
 */
function countsNoTraffic(recording: ExpectedRecording, expected: Expectations, state: LiveState): boolean {
  const inputs = recordedInputs(recording.expr, expected.recordings);
  return inputs.length > 0 && inputs.every((s) => state.recordedInputsNonZero?.[s] === 0);
}

export function checkRecordings(expected: Expectations, state: LiveState): CheckResult {
  const live = liveGroups(state);
  const problems: string[] = [];
  const waiting: string[] = [];
  const other: string[] = [];
  let producing = 0;
  for (const recording of expected.recordings) {
    const selector = recordingSelector(recording);
    if ((state.selectorSeries[selector] ?? 0) > 0) {
      producing++;
      continue;
    }
    const rule = live.get(recording.group)?.rules.find((r) => r.name === recording.name);
    if (!rule) other.push(`${selector}: not loaded (see rules)`);
    else if (rule.health === 'err') other.push(`${selector}: fails to evaluate (see rules)`);
    else if (rule.health === 'unknown') other.push(`${selector}: not evaluated yet`);
    else {
      const alternatives = inputAlternatives(recording.expr, expected.recordings, 'selector');
      const empty = missingInputs(alternatives, (sel) => (state.selectorSeries[sel] ?? 0) > 0);
      if (empty.length > 0) waiting.push(`${selector}: no series yet, waiting on ${listed(empty)}`);
      else if ((state.recordingExprSeries?.[recording.expr] ?? 0) > 0)
        waiting.push(`${selector}: its expression has series now; recorded at the group's next evaluation`);
      else if (countsNoTraffic(recording, expected, state))
        waiting.push(`${selector}: no series while every recording it reads is 0 or absent (no traffic counted in its window yet)`);
      else problems.push(`${selector}: no series although its inputs have series (the expression matches nothing: check its labels against the SDK's)`);
    }
  }
  return result(
    'recordings',
    problems,
    [...other, ...waiting],
    `${producing} of ${expected.recordings.length} recording rules producing series${waiting.length ? `, ${waiting.length} waiting on input metrics` : ''}`,
    "compare the recording's expression with the series its inputs have (labels, job names)",
  );
}

const SOURCES: Partial<Record<MetricSource, string>> = {
  sdk: 'the obs SDK (createObs in the service, scraped at its /metrics)',
  prometheus: 'Prometheus itself (a scrape job for Prometheus)',
  alertmanager: 'Alertmanager (a scrape job for Alertmanager)',
  backup_job: 'the backup job (pushed to a Pushgateway, see the backup contract)',
  cadvisor: 'cadvisor (no Debian package: run it as a container)',
};

/** Who exports a metric, as the catalog says, and how to get it. */
export function exporterOf(metric: string): string {
  const source = lookupMetric(metric)?.source;
  if (source === undefined) return 'no exporter in the obs catalog';
  const known = SOURCES[source];
  if (known) return known;
  const pkg = DEBIAN_PACKAGES[`prometheus-${source.replace(/_exporter$/, '')}-exporter`];
  return pkg ? `${source} (Debian package ${pkg})` : source;
}

interface Consumer {
  readonly label: string;
  readonly expr: string;
}

/** Every consumer of the bundle: its alerts and its PromQL panels (variables substituted). */
function consumersOf(expected: Expectations, rateInterval: string): Consumer[] {
  return [
    ...expected.alerts,
    ...expected.panels.filter((t) => t.language === 'promql').map((t) => ({ label: panelLabel(t), expr: substitute(t.expr, rateInterval) })),
  ];
}

const hasSeries = (state: LiveState) => (metric: string) => ALERT_STATE_SERIES.has(metric) || (state.metricSeries[metric] ?? 0) > 0;

/** The metrics a consumer lacks: of its alternatives (`a or b`), the one closest to having data. */
function missingMetrics(expr: string, expected: Expectations, state: LiveState): string[] {
  return missingInputs(inputAlternatives(expr, expected.recordings, 'metric'), hasSeries(state));
}

/**
 * Whether a scraped target declares the metric (# TYPE) though it has no samples. Metadata is keyed by
 * family: a histogram's `_bucket`/`_count`/`_sum` by its base name, and a counter scraped as OpenMetrics
 * (what Prometheus asks for first, and what the SDK serves) by its name without `_total`.
 */
function declared(state: LiveState, metric: string): boolean {
  const family = metric.replace(/_(bucket|count|sum|total)$/, '');
  return metric in state.metadata || family in state.metadata;
}

export function checkMetrics(expected: Expectations, state: LiveState): CheckResult {
  const needed = new Set<string>();
  const missingFor = new Map<string, string[]>();
  const alertState: string[] = [];
  for (const c of consumersOf(expected, state.rateInterval)) {
    const alternatives = inputAlternatives(c.expr, expected.recordings, 'metric');
    for (const metric of alternatives.flat()) needed.add(metric);
    for (const metric of missingInputs(alternatives, hasSeries(state))) missingFor.set(metric, [...(missingFor.get(metric) ?? []), c.label]);
    if (alternatives.flat().some((m) => ALERT_STATE_SERIES.has(m) && !(state.metricSeries[m] ?? 0))) alertState.push(c.label);
  }
  const problems: string[] = [];
  const notes: string[] = [];
  for (const [metric, consumers] of [...missingFor].sort(([a], [b]) => a.localeCompare(b))) {
    if (declared(state, metric)) notes.push(`${metric}: declared by a scraped target but no samples yet (a labelled series appears with its first event); read by ${listed(consumers)}`);
    else problems.push(`${metric}: not in Prometheus; exported by ${exporterOf(metric)}; needed by ${listed(consumers)}`);
  }
  if (alertState.length > 0) notes.push(`ALERTS: written by Prometheus only while an alert is pending or firing; none is (read by ${listed(alertState)})`);
  const present = [...needed].filter((m) => (state.metricSeries[m] ?? 0) > 0).length;
  return result(
    'metrics',
    problems,
    notes,
    `${present} of ${needed.size} metrics that alerts and panels read are in Prometheus`,
    'start what exports each missing metric and add its scrape job to prometheus.yml',
  );
}

export function checkPanels(expected: Expectations, state: LiveState): CheckResult {
  const promql = expected.panels.filter((t) => t.language === 'promql');
  const problems: string[] = [];
  const notes: string[] = [];
  let withData = 0;
  for (const target of promql) {
    const expr = substitute(target.expr, state.rateInterval);
    const outcome = state.panelQueries[expr];
    const where = `${panelLabel(target)} (${target.refId})`;
    if (outcome === undefined) continue;
    if ('error' in outcome) problems.push(`${where}: the query fails: ${outcome.error}`);
    else if (outcome.series > 0) withData++;
    else {
      const missing = missingMetrics(expr, expected, state);
      const [declaredOnly, absent] = [missing.filter((m) => declared(state, m)), missing.filter((m) => !declared(state, m))];
      const alertState = parsePromQL(expr).selectors.some((s) => s.metric !== undefined && ALERT_STATE_SERIES.has(s.metric));
      const why =
        absent.length > 0
          ? `metric missing: ${listed(absent)} (see metrics)`
          : declaredOnly.length > 0
            ? `no samples yet of ${listed(declaredOnly)} (declared, no event yet)`
            : alertState
              ? 'no alert pending or firing'
              : 'its metrics have series but none this query selects (its label matchers, or no such event yet)';
      notes.push(`${where}: no data, ${why}`);
    }
  }
  const logql = expected.panels.length - promql.length;
  if (logql > 0) notes.push(`${logql} LogQL targets not checked (they query Loki, not Prometheus)`);
  return result(
    'panels',
    problems,
    notes,
    `${withData} of ${promql.length} dashboard PromQL targets return data`,
    'a failing panel query is a bug of the generated dashboard: report it',
  );
}
