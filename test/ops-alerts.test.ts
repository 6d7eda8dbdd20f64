import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { isKnownSeries } from '../src/catalog/index.js';
import { TARGET_DOWN_ALERT } from '../src/generate/alertmanager/inhibit.js';
import { generateBundle, type GeneratedFile } from '../src/generate/index.js';
import { buildDashboards } from '../src/generate/grafana/index.js';
import { DOMAIN_BUILDERS, type OpsAlertSet, opsAlertSets, opsFiles, ruleFileBase } from '../src/generate/prometheus/ops/index.js';
import { stackAlerts } from '../src/generate/prometheus/ops/stack.js';
import type { OpsAlert } from '../src/generate/prometheus/ops/types.js';
import type { AlertingRule } from '../src/generate/prometheus/rule-types.js';
import type { PromtoolTestFile } from '../src/generate/prometheus/slo-tests.js';
import { generateRunbooks, queryLanguage, renderRunbook } from '../src/generate/runbooks/index.js';
import { resolveModel } from '../src/model/resolve.js';
import type { Model } from '../src/model/types.js';
import { labelMatchers, type Matcher } from '../src/promql/build.js';
import { parsePromQL } from '../src/promql/parse.js';
import { httpErrorRatio, httpLatencyQuantile, httpRateLimitedRatio } from '../src/generate/queries/http.js';
import { genaiCacheHitRatio, genaiCostOver, genaiLatencyQuantile } from '../src/generate/queries/genai.js';

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
import { loadConfig } from '../src/spec/load.js';
import { renderBundle } from '../src/write/render.js';
import { ROOT, tempDir, ruleFileOf } from './helpers.js';
import { targetsOf } from './grafana-targets.js';

/**
 * Which shared query builder (src/generate/queries/) made each string, with its arguments, while alerts
 * or panels are built: every exported function of the domain modules is wrapped, so the test below can
 * tell builder-made PromQL from hand-written PromQL. The wrappers return what the builders return.
 */
const recorder = vi.hoisted(() => {
  type Phase = 'alerts' | 'panels';
  type Call = { readonly name: string; readonly args: readonly unknown[]; readonly out: string };
  const state: { phase: Phase | undefined; calls: Call[] } = { phase: undefined, calls: [] };
  const wrap = (module: Record<string, unknown>): Record<string, unknown> =>
    Object.fromEntries(
      Object.entries(module).map(([name, value]) => {
        if (typeof value !== 'function') return [name, value];
        const builder = value as (...args: unknown[]) => unknown;
        const recorded = (...args: unknown[]) => {
          const out = builder(...args);
          if (state.phase && typeof out === 'string') state.calls.push({ name, args, out });
          return out;
        };
        return [name, recorded];
      }),
    );
  /** Runs `build` with every builder call recorded; returns its result and the calls. */
  const during = <T>(phase: Phase, build: () => T): { result: T; calls: Call[] } => {
    state.calls = [];
    state.phase = phase;
    try {
      return { result: build(), calls: state.calls };
    } finally {
      state.phase = undefined;
    }
  };
  return { wrap, during };
});
vi.mock('../src/generate/queries/http.js', async (original) => recorder.wrap(await original()));
vi.mock('../src/generate/queries/runtime.js', async (original) => recorder.wrap(await original()));
vi.mock('../src/generate/queries/genai.js', async (original) => recorder.wrap(await original()));
vi.mock('../src/generate/queries/dependencies.js', async (original) => recorder.wrap(await original()));
vi.mock('../src/generate/queries/infrastructure.js', async (original) => recorder.wrap(await original()));
vi.mock('../src/generate/queries/security.js', async (original) => recorder.wrap(await original()));

/**
 * The operational alerts of a model with every group enabled (the example obs.config.ts): every alert is
 * well-formed, catalogued, unit-tested for each case kind it needs, has a runbook, and promtool agrees.
 * Each checker is also fed a broken alert, to show it can fail.
 */
const exec = promisify(execFile);
const SEVERITIES = new Set(['critical', 'warning', 'info']);
const RUNBOOK_SECTIONS = ['## What it means', '## User impact', '## How to confirm', '## Likely causes', '## Mitigation', '## Escalation'];

let model: Model;
let sets: OpsAlertSet[];
let bundle: GeneratedFile[];

beforeAll(async () => {
  const loaded = await loadConfig(join(ROOT, 'obs.config.ts'), ROOT);
  model = resolveModel(loaded.source, loaded.documents, loaded.locate);
  sets = opsAlertSets(model);
  bundle = generateBundle(model);
});

const isRuleFile = (f: GeneratedFile) => f.path.endsWith('.rules.yml');
const isTestFile = (f: GeneratedFile) => f.path.endsWith('.test.yml');
const alertingRules = (files: readonly GeneratedFile[]) =>
  files.filter(isRuleFile).flatMap((f) => ruleFileOf(f).groups.flatMap((g) => g.rules)).filter((r): r is AlertingRule => 'alert' in r);


/** Labels and annotations every operational rule must carry, by the mixin conventions. */
function ruleProblems(set: OpsAlertSet, rules: readonly AlertingRule[], links: Model['alerting']): string[] {
  const problems: string[] = [];
  set.alerts.forEach((alert, i) => {
    const rule = rules[i]!;
    const where = `${ruleFileBase(set)}/${rule.alert}(${rule.labels['severity']})`;
    if (!/^[A-Z][A-Za-z0-9]*[a-z][A-Za-z0-9]*$/.test(rule.alert)) problems.push(`${where}: name is not CamelCase`);
    if (!SEVERITIES.has(rule.labels['severity'] ?? '')) problems.push(`${where}: severity ${rule.labels['severity']}`);
    for (const label of ['domain', 'component', ...(set.service ? ['service'] : [])]) if (!rule.labels[label]) problems.push(`${where}: no ${label} label`);
    const a = rule.annotations;
    if (!a['summary']?.endsWith('.') || a['summary'].includes('{{')) problems.push(`${where}: summary must be a static sentence ending with a period`);
    if (!a['description']) problems.push(`${where}: no description`);
    if (!a['runbook_url']?.endsWith(`/${rule.alert}`) && a['runbook_url'] !== `runbooks/${rule.alert}.md`) problems.push(`${where}: runbook_url ${a['runbook_url']}`);
    if (set.service && links?.links.grafanaUrl && !a['dashboard_url']?.startsWith(links.links.grafanaUrl)) problems.push(`${where}: no dashboard_url`);
    if (set.service && alert.sentry && links?.links.sentry && !a['sentry_url']) problems.push(`${where}: no sentry_url`);
    if (!rule.for) problems.push(`${where}: no for`);
    if (alert.cases.length === 0) problems.push(`${where}: no test cases`);
  });
  return problems;
}

/** Every alert × severity has a promtool test per required case kind, that checks that very alert. */
function coverageProblems(set: OpsAlertSet, files: readonly GeneratedFile[]): string[] {
  const tests = files.filter(isTestFile).flatMap((f) => (f.content as PromtoolTestFile).tests);
  const problems: string[] = [];
  for (const alert of set.alerts) {
    const kinds = ['fires', 'healthy', ...(alert.threshold !== undefined ? ['belowThreshold'] : [])];
    for (const kind of kinds) {
      const found = tests.filter(
        (t) =>
          t.name.startsWith(`${alert.name} (${alert.severity}) ${kind}:`) &&
          t.promql_expr_test.some(
            (c) =>
              c.expr.includes(`alertname="${alert.name}"`) &&
              c.expr.includes(`severity="${alert.severity}"`) &&
              (kind === 'fires' ? c.exp_samples.length === 1 : c.exp_samples.length === 0),
          ),
      );
      if (found.length === 0) problems.push(`${ruleFileBase(set)}/${alert.name}(${alert.severity}): no ${kind} test`);
    }
  }
  return problems;
}

/** Every alert name has runbooks/<Name>.md with every section and at least one query to paste. */
function runbookProblems(names: readonly string[], files: readonly GeneratedFile[]): string[] {
  const byPath = new Map(files.map((f) => [f.path, f.content]));
  return names.flatMap((name) => {
    const text = byPath.get(`runbooks/${name}.md`);
    if (typeof text !== 'string') return [`${name}: no runbook`];
    const missing = RUNBOOK_SECTIONS.filter((s) => !text.includes(`\n${s}\n`));
    const confirm = text.slice(text.indexOf('## How to confirm'), text.indexOf('## Likely causes'));
    if (!/```(promql|logql)\n/.test(confirm)) missing.push('a query to paste');
    return missing.map((m) => `${name}: runbook lacks ${m}`);
  });
}

function unknownSeries(expr: string): string[] {
  const parsed = parsePromQL(expr);
  if (parsed.errorAt !== undefined) return [`<syntax error at ${parsed.errorAt}>`];
  return parsed.selectors.map((s) => s.metric ?? '<no metric name>').filter((name) => !isKnownSeries(name));
}

/** A copy of the first service alert with one thing broken. */
function broken(change: (alert: OpsAlert) => OpsAlert): OpsAlertSet {
  const set = sets.find((s) => s.domain === 'service')!;
  return { ...set, alerts: [change(set.alerts[0]!)] };
}

describe('operational alerts of a config with every group enabled', () => {
  it('bring 40+ distinct alert names besides the SLO alerts, in one rule file per domain', () => {
    const names = new Set(sets.flatMap((s) => s.alerts.map((a) => a.name)));
    expect(names.size).toBeGreaterThanOrEqual(40);
    // the Alertmanager inhibition keys on it
    expect(names).toContain(TARGET_DOWN_ALERT);
    expect(sets.map((s) => s.domain)).toEqual(['service', 'genai', 'security', 'dependencies', 'infrastructure', 'stack']);
    for (const set of sets) {
      expect(bundle.map((f) => f.path)).toContain(`rules/${ruleFileBase(set)}.rules.yml`);
      expect(bundle.map((f) => f.path)).toContain(`rules/${ruleFileBase(set)}.test.yml`);
    }
  });

  it('judge HTTP errors, latency, GenAI latency, cost and cache with the query builders the dashboards plot', () => {
    const alerts = new Map(sets.find((s) => s.domain === 'service')!.alerts.map((a) => [a.name, a.expr]));
    const sel = labelMatchers({ job: 'chat-api' });
    expect(alerts.get('HttpHighErrorRate')).toBe(`${httpErrorRatio(sel, '5m')} > 0.01`);
    expect(alerts.get('HttpRateLimitedRatioHigh')).toBe(`${httpRateLimitedRatio(sel, '5m')} > 0.05`);
    expect(alerts.get('HttpHighLatencyP95')).toBe(`${httpLatencyQuantile(0.95, sel, '5m')} > 2`);
    const genai = sets.find((s) => s.domain === 'genai')!.alerts;
    const genaiExpr = (name: string) => genai.find((a) => a.name === name)!.expr;
    expect(genaiExpr('GenAiHighLatency')).toBe(`${genaiLatencyQuantile(0.95, sel, '5m')} > 30`);
    expect(genaiExpr('GenAiDailyBudgetBurn')).toMatch(new RegExp(`^${escape(genaiCostOver(sel, '1d'))} / 10 > `));
    expect(genaiExpr('GenAiCacheHitRatioLow')).toBe(`${genaiCacheHitRatio(sel, '30m')} < 0.5`);
  });

  it('carry the labels and annotations of the conventions', () => {
    const problems = sets.flatMap((set) => {
      const rules = alertingRules(bundle.filter((f) => f.path === `rules/${ruleFileBase(set)}.rules.yml`));
      return ruleProblems(set, rules, model.alerting);
    });
    expect(problems).toEqual([]);
    const rule = alertingRules(bundle).find((r) => r.alert === 'HttpHighErrorRate')!;
    expect(rule.annotations['runbook_url']).toBe('https://runbooks.example.com/HttpHighErrorRate');
    expect(rule.annotations['dashboard_url']).toBe('https://grafana.example.com/d/obs-chat-api-service');
    expect(rule.annotations['sentry_url']).toMatch(/^https:\/\/sentry\.io\/organizations\/example\/issues\/\?environment=.*service%3Achat-api/);
  });

  it('flag a rule without an annotation, a bad name or a bad severity', () => {
    const set = broken((a) => ({ ...a, name: 'http_errors', summary: 'No period', severity: 'page' as never }));
    const rules = alertingRules(opsFiles(set, model.alerting!.links)).map((r) => ({ ...r, annotations: { ...r.annotations, description: '' } }));
    const problems = ruleProblems(set, rules, model.alerting);
    expect(problems).toEqual([
      expect.stringContaining('name is not CamelCase'),
      expect.stringContaining('severity page'),
      expect.stringContaining('summary must be'),
      expect.stringContaining('no description'),
    ]);
  });

  it('have a promtool test for every case kind each alert needs', () => {
    expect(sets.flatMap((set) => coverageProblems(set, opsFiles(set, model.alerting!.links)))).toEqual([]);
    const thresholdAlerts = sets.flatMap((s) => s.alerts).filter((a) => a.threshold !== undefined);
    expect(thresholdAlerts.length).toBeGreaterThan(20);
  });

  it('flag an alert without its firing, healthy or just-under-threshold test', () => {
    const noBelow = broken((a) => ({ ...a, cases: a.cases.filter((c) => c.kind !== 'belowThreshold') }));
    expect(coverageProblems(noBelow, opsFiles(noBelow, {}))).toEqual([expect.stringMatching(/no belowThreshold test$/)]);
    const none = broken((a) => ({ ...a, cases: [] }));
    expect(coverageProblems(none, opsFiles(none, {}))).toHaveLength(3);
  });

  it('have a runbook with every section for every alert, SLO alerts included', () => {
    const names = [...new Set(alertingRules(bundle).map((r) => r.alert))];
    expect(names).toEqual(expect.arrayContaining(['ChatApiAvailabilityBudgetBurn', 'ChatApiAvailabilitySLIDataMissing', 'HttpHighErrorRate', 'PrometheusRuleFailures']));
    expect(runbookProblems(names, bundle)).toEqual([]);
    const slo = bundle.find((f) => f.path === 'runbooks/ChatApiAvailabilityBudgetBurn.md')!.content as string;
    expect(slo).toContain('slo:sli_error:ratio_rate1h{service="chat-api",slo="availability"} / 0.001');
    expect(slo).toContain('99.9% over 30d');
  });

  it('flag an alert without a runbook, or with a runbook section or its queries missing', () => {
    const good = bundle.find((f) => f.path === 'runbooks/HttpHighErrorRate.md')!;
    expect(runbookProblems(['NoSuchAlert', 'HttpHighErrorRate'], [good])).toEqual(['NoSuchAlert: no runbook']);
    const renamed = { path: good.path, content: (good.content as string).replace('## Escalation', '## Escalate') };
    expect(runbookProblems(['HttpHighErrorRate'], [renamed])).toEqual(['HttpHighErrorRate: runbook lacks ## Escalation']);
    const alert = broken((a) => ({ ...a, runbook: { ...a.runbook, confirm: [] } })).alerts[0]!;
    const text = renderRunbook(alert.name, [{ name: alert.name, summary: alert.summary, runbook: alert.runbook, rules: [{ who: 'chat-api', severity: alert.severity, expr: alert.expr }] }]);
    expect(runbookProblems([alert.name], [{ path: good.path, content: text }])).toEqual(['HttpHighErrorRate: runbook lacks a query to paste']);
  });

  it('parse and query only catalogued series, in the rules and in the runbooks of the service, GenAI and security alerts', () => {
    const problems: string[] = [];
    for (const set of sets) {
      for (const alert of set.alerts) {
        const unknown = unknownSeries(alert.expr);
        if (unknown.length) problems.push(`${alert.name}: ${unknown.join(', ')}`);
        if (!['service', 'genai', 'security'].includes(set.domain)) continue;
        for (const { query } of alert.runbook.confirm.filter((c) => queryLanguage(c.query) !== 'logql')) {
          const inRunbook = unknownSeries(query);
          if (inRunbook.length) problems.push(`${alert.name} runbook: ${inRunbook.join(', ')}`);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(unknownSeries('rate(nodejs_heap_size_limit_bytes[5m])')).toEqual(['nodejs_heap_size_limit_bytes']);
  });

  it('are absent for services without ops (imported Sloth/OpenSLO specs)', () => {
    const services = model.services.map(({ ops: _ops, ...rest }) => rest);
    const imported: Model = { ...model, services, slos: model.slos.map((slo) => ({ ...slo, service: services[0]! })) };
    expect(opsAlertSets(imported)).toEqual([]);
    expect(generateRunbooks(imported)).toEqual([]);
  });
});

/**
 * Operational alerts that keep their own PromQL, each with the reason. Every other alert's expression
 * must be made of shared query builders only (see sharingProblems).
 */
const EXCEPTIONS: Readonly<Record<string, string>> = {
  PostgresExporterDown: 'absence: `up == 0` of the exporter scrape; no number to plot (the exporter rows go empty)',
  RedisExporterDown: 'absence: `up == 0` of the exporter scrape; no number to plot (the exporter rows go empty)',
  NginxExporterDown: 'absence: `up == 0` of the exporter scrape; no number to plot (the exporter rows go empty)',
  BlackboxExporterDown: 'absence: `up == 0` of the exporter scrape; no number to plot (the probe panels go empty)',
  NodeExporterDown: 'absence: `up == 0` of the exporter scrape; no number to plot (the host panels go empty)',
  CadvisorDown: 'absence: `up == 0` of the exporter scrape; no number to plot (the container panels go empty)',
  PostgresDown: 'absence: the exporter\'s own `pg_up == 0` (it cannot reach the server); the PostgreSQL panels go empty',
  RedisDown: 'absence: the exporter\'s own `redis_up == 0`; the Redis panels go empty',
  NginxDown: 'absence: the exporter\'s own `nginx_up == 0` (stub_status unreadable); the Nginx panels go empty',
  BackupNotReported: 'absence: `absent()` of each named backup\'s series; there is nothing to plot',
  PrometheusRuleFailures: 'monitoring-stack self-monitoring: one rule file for all services, no obs dashboard (the upstream Prometheus mixin dashboards show it)',
  PrometheusErrorSendingAlerts: 'monitoring-stack self-monitoring (see PrometheusRuleFailures)',
  PrometheusNotificationsDropped: 'monitoring-stack self-monitoring (see PrometheusRuleFailures)',
  PrometheusNotConnectedToAlertmanagers: 'monitoring-stack self-monitoring (see PrometheusRuleFailures)',
  PrometheusConfigReloadFailed: 'monitoring-stack self-monitoring (see PrometheusRuleFailures)',
  PrometheusTSDBCompactionsFailing: 'monitoring-stack self-monitoring (see PrometheusRuleFailures)',
  PrometheusTargetsDown: 'monitoring-stack self-monitoring (see PrometheusRuleFailures)',
  AlertmanagerFailedToSendAlerts: 'monitoring-stack self-monitoring: no obs dashboard (the upstream Alertmanager mixin dashboards show it)',
  AlertmanagerConfigReloadFailed: 'monitoring-stack self-monitoring (see AlertmanagerFailedToSendAlerts)',
};

/** Builders that alerts use and no panel plots, each with the reason. */
const NO_PANEL: Readonly<Record<string, string>> = {
  queueBacklogChange: 'QueueBacklogGrowing: the 5m change of the backlog, which the Queue backlog panel shows as its slope',
  hostWritableFilesystems: 'a filter, not a number: the disk alerts skip read-only filesystems',
  hostDiskAvailablePredicted: 'HostFilesystemFillingUp: a 24h forecast of the Disk space used panel\'s trend',
  hostClockDrift: 'HostClockSkew: whether the Clock offset panel\'s line is converging (its slope)',
  containerRestarts: 'ContainerRestarting: no panel yet; cAdvisor has no Debian package, so the live dashboard test could not prove it',
  backupAge: 'BackupTooOld: no backup panel yet; the backup job is outside the example stack, so no live test can prove one',
  backupLastRunSucceeded: 'BackupFailed: no backup panel yet (see backupAge)',
};

/** `[5m] offset 1h` → `[5m]`: earlier() shifts a builder's query in time, which is still that builder's. */
const SHIFT = / offset [0-9a-z]+/g;

type BuilderCall = ReturnType<typeof recorder.during>['calls'][number];

/** The builder calls an expression is made of, and the series it names outside of them (hand-written). */
function madeOf(expr: string, made: ReadonlyMap<string, BuilderCall>): { calls: BuilderCall[]; handWritten: string[] } {
  let rest = expr.replace(SHIFT, '');
  const calls: BuilderCall[] = [];
  // Longest first: a builder's output may contain a shorter one's (a selector under deriv()).
  [...made.keys()]
    .sort((a, b) => b.length - a.length)
    .forEach((out, i) => {
      if (!rest.includes(out)) return;
      calls.push(made.get(out)!);
      rest = rest.replaceAll(out, `shared_query_${i}`);
    });
  const parsed = parsePromQL(rest);
  if (parsed.errorAt !== undefined) return { calls, handWritten: [`<syntax error in ${rest}>`] };
  const handWritten = parsed.selectors.map((s) => s.metric ?? '<no metric name>').filter((metric) => !metric.startsWith('shared_query_'));
  return { calls, handWritten };
}

const isMatchers = (arg: unknown): arg is Matcher[] => Array.isArray(arg) && arg.length > 0 && arg.every((m) => typeof m === 'object' && m !== null && 'op' in m);
/** A window ('5m', '1h') or Grafana's interval: alerts and panels may differ there. */
const isRange = (arg: unknown) => typeof arg === 'string' && /^(\d+[smhdwy]|\$__\w+)$/.test(arg);

/**
 * Does the panel's call plot the series the alert's call judges? Its matchers, the dashboard's variables
 * aside ($job, $instance, $route), are among the alert's; windows and `by` labels may differ; any other
 * argument (quantile, event, trouble kind…) is the same, or left out by the panel (all of them).
 */
function sameSeries(alert: BuilderCall, panel: BuilderCall): boolean {
  if (alert.name !== panel.name) return false;
  return alert.args.every((a, i) => {
    const p = panel.args[i];
    if (isMatchers(a) || isMatchers(p)) {
      const mine = new Set(((a ?? []) as Matcher[]).map((m) => JSON.stringify(m)));
      return ((p ?? []) as Matcher[]).filter((m) => !m.value.includes('$')).every((m) => mine.has(JSON.stringify(m)));
    }
    if (isRange(a) || isRange(p) || Array.isArray(a) || Array.isArray(p)) return true;
    return p === undefined || p === a;
  });
}

/** The builder calls on the panels of each dashboard kind (the last tag of an obs dashboard). */
type PanelCalls = ReadonlyMap<string, readonly BuilderCall[]>;

/**
 * Every alert not in EXCEPTIONS is made of shared builder calls only; a panel plots each of them over the
 * same series (or the builder is in NO_PANEL), and one of them is on the dashboard the alert's
 * dashboard_url opens.
 */
function sharingProblems(alerts: readonly OpsAlert[], made: ReadonlyMap<string, BuilderCall>, panels: PanelCalls): string[] {
  const everywhere = [...panels.values()].flat();
  const problems: string[] = [];
  for (const alert of alerts) {
    const { calls, handWritten } = madeOf(alert.expr, made);
    const where = `${alert.name}(${alert.severity})`;
    if (alert.name in EXCEPTIONS) {
      if (handWritten.length === 0) problems.push(`${where}: made of builders only, remove it from EXCEPTIONS`);
      continue;
    }
    if (handWritten.length > 0) problems.push(`${where}: hand-written PromQL for ${[...new Set(handWritten)].join(', ')}; use (or add) a builder in src/generate/queries/`);
    if (calls.length === 0) problems.push(`${where}: no shared builder`);
    const drawn = calls.filter((c) => !(c.name in NO_PANEL));
    for (const call of drawn) if (!everywhere.some((p) => sameSeries(call, p))) problems.push(`${where}: no panel plots ${call.name} over the series it judges`);
    const home = panels.get(alert.dashboard) ?? [];
    if (drawn.length > 0 && !drawn.some((call) => home.some((p) => sameSeries(call, p)))) {
      problems.push(`${where}: none of ${drawn.map((c) => c.name).join(', ')} is on the ${alert.dashboard} dashboard its dashboard_url opens`);
    }
  }
  return problems;
}

describe('operational alerts and dashboard panels share one query builder per number', () => {
  let alerts: OpsAlert[];
  let made: Map<string, BuilderCall>;
  let panels: Map<string, BuilderCall[]>;

  beforeAll(async () => {
    // Fresh models (alert sets and dashboards are built once per model): the example, and the example
    // with named backups, which adds BackupNotReported.
    const loaded = await loadConfig(join(ROOT, 'obs.config.ts'), ROOT);
    const example = resolveModel(loaded.source, loaded.documents, loaded.locate);
    const documents = loaded.documents.map((d) => {
      const config = structuredClone(d.config);
      config.dependencies = { ...config.dependencies, backups: { rpo: '1h', names: ['postgres', 'uploads'] } };
      return { ...d, config };
    });
    const named = resolveModel(loaded.source, documents, loaded.locate);
    const built = recorder.during('alerts', () => [
      ...[example, named].flatMap((m) => m.services.flatMap((service) => DOMAIN_BUILDERS.flatMap(([, build]) => build(service)))),
      ...stackAlerts(),
    ]);
    alerts = built.result;
    made = new Map(built.calls.map((call) => [call.out, call]));
    const drawn = recorder.during('panels', () => buildDashboards(example));
    panels = new Map();
    for (const dashboard of drawn.result) {
      const exprs = targetsOf([dashboard]).map((t) => t.expr);
      panels.set(dashboard.tags!.at(-1)!, drawn.calls.filter((call) => exprs.some((expr) => expr.includes(call.out))));
    }
  });

  it('every operational alert is made of builders a panel plots over the same series, or is a listed exception', () => {
    expect(new Set(alerts.map((a) => a.name)).size).toBeGreaterThanOrEqual(70);
    expect(sharingProblems(alerts, made, panels)).toEqual([]);
    // Each exception and each builder without a panel names something that exists.
    const names = new Set(alerts.map((a) => a.name));
    expect(Object.keys(EXCEPTIONS).filter((name) => !names.has(name))).toEqual([]);
    const used = new Set(alerts.flatMap((a) => madeOf(a.expr, made).calls.map((c) => c.name)));
    expect(Object.keys(NO_PANEL).filter((b) => !used.has(b))).toEqual([]);
    const plotted = new Set([...panels.values()].flat().map((c) => c.name));
    expect(Object.keys(NO_PANEL).filter((b) => plotted.has(b)), 'plotted after all: remove from NO_PANEL').toEqual([]);
  });

  it('flag a hand-written query, a number no panel plots and a dashboard_url without the number', () => {
    const errors = alerts.find((a) => a.name === 'HttpHighErrorRate')!;
    const count = 'http_server_request_duration_seconds_count{job="chat-api"';
    const handWritten = { ...errors, expr: `sum(rate(${count},http_response_status_code=~"5.."}[5m])) / sum(rate(${count}}[5m])) > 0.01` };
    expect(sharingProblems([handWritten], made, panels)).toEqual([
      'HttpHighErrorRate(critical): hand-written PromQL for http_server_request_duration_seconds_count; use (or add) a builder in src/generate/queries/',
      'HttpHighErrorRate(critical): no shared builder',
    ]);
    // Half hand-written: the builder's part is recognised, the rest is not.
    const half = { ...errors, expr: `${errors.expr}\nand\nsum(rate(${count}}[5m])) > 1` };
    expect(sharingProblems([half], made, panels)).toEqual([expect.stringContaining('hand-written PromQL for http_server_request_duration_seconds_count')]);
    const without = (name: string, narrow?: Matcher) =>
      new Map([...panels].map(([kind, calls]) => [kind, calls.flatMap((c) => (c.name !== name ? [c] : narrow ? [{ ...c, args: [[...(c.args[0] as Matcher[]), narrow], ...c.args.slice(1)] }] : []))]));
    expect(sharingProblems([errors], made, without('httpErrorRatio'))).toEqual([
      'HttpHighErrorRate(critical): no panel plots httpErrorRatio over the series it judges',
      'HttpHighErrorRate(critical): none of httpErrorRatio is on the service dashboard its dashboard_url opens',
    ]);
    // A panel over other series (here one route only) does not show the number the alert judges.
    expect(sharingProblems([errors], made, without('httpErrorRatio', { label: 'http_route', op: '=', value: '/v1/chat' }))).toEqual([
      expect.stringContaining('no panel plots httpErrorRatio over the series it judges'),
      expect.stringContaining('is on the service dashboard its dashboard_url opens'),
    ]);
    const auth = alerts.find((a) => a.name === 'AuthFailureSpike')!;
    expect(sharingProblems([{ ...auth, dashboard: 'service' }], made, panels)).toEqual([expect.stringContaining('is on the service dashboard its dashboard_url opens')]);
    // An exception that became builder-made is stale.
    expect(sharingProblems([{ ...errors, name: 'NodeExporterDown' }], made, panels)).toEqual(['NodeExporterDown(critical): made of builders only, remove it from EXCEPTIONS']);
  });
});

async function promtool(...args: string[]): Promise<{ ok: boolean; output: string }> {
  try {
    const { stdout, stderr } = await exec('promtool', args, { maxBuffer: 64 * 1024 * 1024 });
    return { ok: true, output: stdout + stderr };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? e.message}` };
  }
}

function writeFiles(dir: string, files: readonly GeneratedFile[]): string[] {
  return renderBundle(files, 'obs.config.ts').map((file) => {
    const path = join(dir, file.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, file.text);
    return path;
  });
}

describe('promtool on the operational rule files', () => {
  it('accepts every rule file and passes every generated unit test', async () => {
    const dir = tempDir('obs-ops-');
    const files = writeFiles(dir, sets.flatMap((set) => opsFiles(set, model.alerting!.links)));
    const check = await promtool('check', 'rules', ...files.filter((f) => f.endsWith('.rules.yml')));
    expect(check.output).not.toMatch(/FAILED/);
    expect(check.ok).toBe(true);
    const results = await Promise.all(files.filter((f) => f.endsWith('.test.yml')).map((f) => promtool('test', 'rules', f)));
    for (const result of results) {
      expect(result.output).not.toMatch(/FAILED/);
      expect(result.ok).toBe(true);
    }
  }, 600_000);

  /**
   * The tests judge the rules: with every expression always true, each no-alert case fails; with every
   * expression never true, each firing case fails. promtool prints one `expr:` block per failed check.
   */
  it.each([
    ['always true', 'vector(1)', (kind: string) => kind !== 'fires'],
    ['never true', 'vector(1) < 0', (kind: string) => kind === 'fires'],
  ])('fail where they should when every expression is %s', async (_, expr, failing) => {
    const dir = tempDir('obs-ops-mutant-');
    const mine = sets.filter((s) => ['service', 'security'].includes(s.domain));
    const mutants = mine.flatMap((set) =>
      opsFiles({ ...set, alerts: set.alerts.map((a) => ({ ...a, expr })) }, {}).filter((f) => !f.path.endsWith('.long.test.yml')),
    );
    const files = writeFiles(dir, mutants);
    const results = await Promise.all(files.filter((f) => f.endsWith('.test.yml')).map((f) => promtool('test', 'rules', f)));
    const failures = results.map((r) => (r.output.match(/^\s+expr: "/gm) ?? []).length).reduce((a, b) => a + b, 0);
    const expected = mine.flatMap((s) => s.alerts.flatMap((a) => a.cases)).filter((c) => failing(c.kind)).length;
    expect(results.every((r) => !r.ok)).toBe(true);
    expect(failures).toBe(expected);
  }, 600_000);
});
