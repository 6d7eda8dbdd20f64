import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { isKnownSeries } from '../src/catalog/index.js';
import { TARGET_DOWN_ALERT } from '../src/generate/alertmanager/inhibit.js';
import { generateBundle, type GeneratedFile } from '../src/generate/index.js';
import { type OpsAlertSet, opsAlertSets, opsFiles, ruleFileBase } from '../src/generate/prometheus/ops/index.js';
import type { OpsAlert } from '../src/generate/prometheus/ops/types.js';
import type { AlertingRule } from '../src/generate/prometheus/rule-types.js';
import type { PromtoolTestFile } from '../src/generate/prometheus/slo-tests.js';
import { generateRunbooks, queryLanguage, renderRunbook } from '../src/generate/runbooks/index.js';
import { resolveModel } from '../src/model/resolve.js';
import type { Model } from '../src/model/types.js';
import { labelMatchers } from '../src/promql/build.js';
import { parsePromQL } from '../src/promql/parse.js';
import { httpErrorRatio, httpLatencyQuantile, httpRateLimitedRatio } from '../src/generate/queries/http.js';
import { genaiCacheHitRatio, genaiCostOver, genaiLatencyQuantile } from '../src/generate/queries/genai.js';

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
import { loadConfig } from '../src/spec/load.js';
import { renderBundle } from '../src/write/render.js';
import { ROOT, tempDir, ruleFileOf } from './helpers.js';

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
