/**
 * The generated dashboards, judged by grafana/dashboard-linter's rules (ported: the Go linter is not
 * installable here), by Prometheus' and Loki's own parsers, and by the metric catalog.
 */
import type { Dashboard, VariableModel } from '@grafana/grafana-foundation-sdk/dashboard';
import { parser as logqlParser } from '@grafana/lezer-logql';
import { parser as promqlParser } from '@prometheus-io/lezer-promql';
import type { SyntaxNode } from '@lezer/common';
import { beforeAll, describe, expect, it } from 'vitest';
import { isKnownSeries, lookupMetric } from '../src/catalog/index.js';
import { buildDashboards, DATASOURCE_UIDS, generateGrafana } from '../src/generate/grafana/index.js';
import { dashboardUid, type DashboardKind } from '../src/model/ops-types.js';
import type { Model } from '../src/model/types.js';
import { parsePromQL } from '../src/promql/parse.js';
import { resolveModel } from '../src/model/resolve.js';
import { validateConfig } from '../src/spec/validate.js';
import { exampleModel, modelOf, panelsOf, substitute, type Target, targetsOf } from './grafana-targets.js';

let model: Model;
let dashboards: Dashboard[];
let targets: Target[];

beforeAll(async () => {
  model = await exampleModel();
  dashboards = buildDashboards(model);
  targets = targetsOf(dashboards);
});

const promql = () => targets.filter((t) => t.language === 'promql');
const logql = () => targets.filter((t) => t.language === 'logql');
const where = (t: Target) => `${t.dashboard} / ${t.panel} / ${t.refId}: ${t.expr}`;

/** Exclusions from the linter's rules, each with its reason (the test fails on any other violation). */
const EXCLUDED = {
  /** template-job-rule, template-instance-rule, target-job-rule, target-instance-rule. */
  jobInstance: new Map<DashboardKind, string>([
    ['slo', 'reads only the SLO recording rules, which aggregate job and instance away (one series per service and SLO)'],
  ]),
};

function variables(dashboard: Dashboard): VariableModel[] {
  return dashboard.templating?.list ?? [];
}

function kindOf(dashboard: Dashboard): DashboardKind {
  return dashboard.uid!.replace(/^obs-chat-api-/, '') as DashboardKind;
}

function logqlErrorAt(expr: string): number | undefined {
  let at: number | undefined;
  logqlParser.parse(expr).iterate({
    enter(node) {
      if (node.type.isError && at === undefined) at = node.from;
    },
  });
  return at;
}

/** Names of counter series: catalog counters, histogram series, and `_total` names of any producer. */
function isCounter(series: string): boolean {
  const metric = lookupMetric(series);
  if (metric) return metric.type === 'counter' || metric.type === 'histogram';
  return series.endsWith('_total');
}

/** The function a VectorSelector is the range argument of (`rate` in rate(x[5m])), if any. */
function rangeFunctionOf(node: SyntaxNode, expr: string): string | undefined {
  const matrix = node.parent;
  if (matrix?.name !== 'MatrixSelector') return undefined;
  const call = matrix.parent?.parent;
  const id = call?.name === 'FunctionCall' ? call.getChild('FunctionIdentifier') : null;
  return id ? expr.slice(id.from, id.to) : undefined;
}

describe('the example config gets every dashboard kind', () => {
  it('emits the six dashboards with stable uids from dashboardUid(service, kind)', () => {
    const kinds: DashboardKind[] = ['service', 'slo', 'genai', 'dependencies', 'infrastructure', 'logs'];
    expect(dashboards.map((d) => d.uid).sort()).toEqual(kinds.map((k) => dashboardUid('chat-api', k)).sort());
    const files = generateGrafana(model);
    for (const d of dashboards) expect(files.map((f) => f.path)).toContain(`dashboards/${d.uid}.json`);
    // Pure: a second generation is identical, ids and refIds included; plain data (nothing JSON would drop).
    expect(buildDashboards(model)).toEqual(dashboards);
    for (const d of dashboards) expect(JSON.parse(JSON.stringify(d)), d.uid).toEqual(d);
  });

  it('emits classic dashboard JSON (schemaVersion 42), read-only, with tags, refresh, time range and links', () => {
    for (const d of dashboards) {
      expect(d.schemaVersion, d.uid).toBe(42);
      expect(d.editable, d.uid).toBe(false);
      expect(d.tags, d.uid).toEqual(expect.arrayContaining(['obs', 'obs-service:chat-api']));
      expect(d.refresh).toBe('1m');
      expect(d.time?.from).toMatch(/^now-/);
      expect(d.links?.[0]).toMatchObject({ type: 'dashboards', tags: ['obs-service:chat-api'], keepTime: true });
      expect(d.description, d.uid).toBeTruthy();
    }
  });

  it('fills panel ids (unique, from 1) and query refIds (A, B, … per panel)', () => {
    for (const d of dashboards) {
      const ids = panelsOf(d).map((p) => p.id);
      expect(ids.every((id) => typeof id === 'number' && id > 0), d.uid).toBe(true);
      expect(new Set(ids).size, d.uid).toBe(ids.length);
      for (const panel of panelsOf(d)) {
        const refIds = (panel.targets ?? []).map((t) => t.refId);
        expect(refIds, `${d.uid} / ${panel.title}`).toEqual(refIds.map((_, i) => String.fromCharCode(65 + i)));
      }
    }
  });
});

describe('queries parse and name only catalogued metrics', () => {
  it('every PromQL target parses with Prometheus’ grammar, variables substituted', () => {
    expect(promql().length).toBeGreaterThan(100);
    for (const t of promql()) expect(parsePromQL(substitute(t.expr)).errorAt, where(t)).toBeUndefined();
  });

  it('every LogQL target parses with Loki’s grammar, variables substituted', () => {
    expect(logql().length).toBeGreaterThanOrEqual(4);
    for (const t of logql()) expect(logqlErrorAt(substitute(t.expr)), where(t)).toBeUndefined();
  });

  it('the parsers do fail on broken queries (the two checks above can fail)', () => {
    expect(parsePromQL('sum(rate(x[1m])').errorAt).toBeDefined();
    expect(logqlErrorAt('sum(rate({a="b"} | json [1m)')).toBeDefined();
  });

  it('every metric a PromQL target or variable names is in the catalog', () => {
    const unknown = new Set<string>();
    const exprs = [...promql().map((t) => t.expr), ...dashboards.flatMap(variables).flatMap((v) => labelValuesSeries(v) ?? [])];
    for (const expr of exprs) {
      for (const s of parsePromQL(substitute(expr)).selectors) if (s.metric && !isKnownSeries(s.metric)) unknown.add(s.metric);
    }
    expect([...unknown].sort()).toEqual([]);
  });
});

/** The series argument of `label_values(<series>, <label>)`. */
function labelValuesSeries(v: VariableModel): string | undefined {
  if (v.type !== 'query' || typeof v.query !== 'string') return undefined;
  return /^label_values\((.+), *\w+\)$/.exec(v.query)?.[1];
}

describe('grafana/dashboard-linter rules', () => {
  it('template-datasource-rule: one datasource variable per datasource kind the dashboard uses', () => {
    for (const d of dashboards) {
      const kinds = new Set(panelsOf(d).flatMap((p) => (p.datasource?.type ? [p.datasource.type] : [])));
      for (const kind of kinds) {
        const variable = variables(d).find((v) => v.name === `${kind}_datasource`);
        expect(variable, `${d.uid}: ${kind}_datasource`).toMatchObject({ type: 'datasource', query: kind });
      }
    }
  });

  it('template-job-rule, template-instance-rule: job and instance variables, multi, All = ".+", reloaded on time change', () => {
    for (const d of dashboards) {
      if (EXCLUDED.jobInstance.has(kindOf(d))) continue;
      for (const name of ['job', 'instance']) {
        const v = variables(d).find((x) => x.name === name);
        expect(v, `${d.uid}: ${name}`).toMatchObject({
          type: 'query',
          multi: true,
          includeAll: true,
          allValue: '.+',
          refresh: 2,
          datasource: { type: 'prometheus', uid: '${prometheus_datasource}' },
        });
      }
    }
  });

  it('template-label-promql-rule: label_values() variables query valid PromQL', () => {
    const queries = dashboards.flatMap(variables).filter((v) => v.type === 'query');
    expect(queries.length).toBeGreaterThan(0);
    for (const v of queries) {
      const series = labelValuesSeries(v);
      expect(series, `${v.name}: ${String(v.query)}`).toBeDefined();
      expect(parsePromQL(substitute(series!)).errorAt, String(v.query)).toBeUndefined();
    }
  });

  it('panel-datasource-rule: panels and their queries name the datasource through its variable', () => {
    for (const d of dashboards) {
      for (const p of panelsOf(d).filter((x) => x.type !== 'row')) {
        const uid = p.datasource?.uid;
        expect(uid, `${d.uid} / ${p.title}`).toMatch(/^\$\{(prometheus|loki)_datasource\}$/);
        for (const t of p.targets ?? []) expect(t.datasource, `${d.uid} / ${p.title}`).toEqual(p.datasource);
      }
    }
  });

  it('panel-title-description-rule, panel-units-rule, panel-no-targets-rule', () => {
    for (const d of dashboards) {
      for (const p of panelsOf(d).filter((x) => x.type !== 'row')) {
        const at = `${d.uid} / ${p.title}`;
        expect(p.title, at).toBeTruthy();
        expect(p.description?.length ?? 0, at).toBeGreaterThan(20);
        if (p.type !== 'logs') expect(p.fieldConfig?.defaults?.unit, at).toMatch(/^(s|bytes|percentunit|reqps|ops|short|none|bool|x|currencyUSD)$/);
        expect(p.targets?.length ?? 0, at).toBeGreaterThan(0);
      }
    }
  });

  it('descriptions say what good looks like', () => {
    for (const d of dashboards) {
      for (const p of panelsOf(d).filter((x) => x.type !== 'row' && x.type !== 'logs' && !/objective/.test(x.title ?? ''))) {
        expect(p.description, `${d.uid} / ${p.title}`).toMatch(/Good:/);
      }
    }
  });

  it('target-rate-interval-rule: rate() and irate() range over $__rate_interval', () => {
    let checked = 0;
    for (const t of promql()) {
      for (const [, , range] of t.expr.matchAll(/\b(i?rate)\([^[()]*\[([^\]]+)\]/g)) {
        expect(range, where(t)).toBe('$__rate_interval');
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(50);
  });

  it('target-counter-agg-rule: counters only under rate, irate or increase', () => {
    let counters = 0;
    for (const t of promql()) {
      const expr = substitute(t.expr);
      promqlParser.parse(expr).iterate({
        enter(ref) {
          if (ref.name !== 'VectorSelector') return;
          const id = ref.node.getChild('Identifier');
          const series = id ? expr.slice(id.from, id.to) : '';
          if (!isCounter(series)) return;
          counters++;
          expect(['rate', 'irate', 'increase'], `${where(t)}: ${series}`).toContain(rangeFunctionOf(ref.node, expr));
        },
      });
    }
    expect(counters).toBeGreaterThan(50);
  });

  it('target-job-rule, target-instance-rule: every PromQL selector is narrowed by $job and $instance', () => {
    for (const t of promql()) {
      const kind = t.dashboard.replace(/^obs-chat-api-/, '') as DashboardKind;
      if (EXCLUDED.jobInstance.has(kind)) continue;
      for (const s of parsePromQL(t.expr).selectors) {
        expect(s.matchers, `${where(t)}: ${s.metric}`).toEqual(expect.arrayContaining([
          { label: 'job', op: '=~', value: '$job' },
          { label: 'instance', op: '=~', value: '$instance' },
        ]));
      }
    }
  });

  it('target-logql-auto-rule: Loki metric ranges are $__auto', () => {
    for (const t of logql()) {
      for (const [, range] of t.expr.matchAll(/\[([^\]]+)\]/g)) expect(range, where(t)).toBe('$__auto');
    }
  });

  it('uneditable-dashboard-rule: read-only', () => {
    for (const d of dashboards) expect(d.editable).toBe(false);
  });
});

describe('panel conventions', () => {
  it('latency panels carry exemplars', () => {
    const latency = panelsOf(dashboards.find((d) => d.uid === dashboardUid('chat-api', 'service'))!).filter((p) => /latency by route/.test(p.title ?? ''));
    expect(latency).toHaveLength(3);
    for (const p of latency) expect(p.targets?.every((t) => t.exemplar === true), p.title).toBe(true);
  });

  it('draws the configured thresholds: alert thresholds and the SLO thresholds that percentile promises', () => {
    type Styled = { fieldConfig: { defaults: { thresholds: { steps: { value: number | null }[] }; custom: { thresholdsStyle: { mode: string } } } } };
    const service = panelsOf(dashboards.find((d) => d.uid === dashboardUid('chat-api', 'service'))!);
    const lines = (title: string) => (service.find((p) => p.title === title) as unknown as Styled).fieldConfig.defaults.thresholds.steps.map((s) => s.value);
    const t = model.services[0]!.ops!.thresholds;
    // latency: 95% within 500ms; latency-p99: 99% within 1s; availability: 99.9% (budget 0.1%).
    expect(lines('p95 latency by route')).toEqual([null, 0.5, t.http.latencyP95]);
    expect(lines('p99 latency by route')).toEqual([null, 1, t.http.latencyP99]);
    expect(lines('Error ratio by route (5xx)')).toEqual([null, 0.001, t.http.errorRatio]);
    const p95 = service.find((p) => p.title === 'p95 latency by route') as unknown as Styled;
    expect(p95.fieldConfig.defaults.custom.thresholdsStyle.mode).toBe('dashed');
  });

  it('the SLO dashboard has one row per SLO and one burn-rate query per alert window of that SLO', () => {
    const d = dashboards.find((x) => x.uid === dashboardUid('chat-api', 'slo'))!;
    const rows = panelsOf(d).filter((p) => p.type === 'row');
    expect(rows).toHaveLength(model.slos.length);
    for (const slo of model.slos) {
      const burn = panelsOf(d).find((p) => p.title === `${slo.name}: burn rate by alert window`)!;
      const windows = new Set(slo.windows.flatMap((w) => [w.long, w.short]));
      expect(burn.targets, slo.name).toHaveLength(windows.size);
    }
  });
});

describe('which dashboards a config gets', () => {
  const base = { service: { name: 'plain' }, slos: { availability: { objective: 99, sli: { http: {} } } } };

  it('a native service without genai, dependencies or infrastructure gets service, SLO and logs only', () => {
    const uids = buildDashboards(modelOf(base)).map((d) => d.uid);
    expect(uids).toEqual(['service', 'slo', 'logs'].map((k) => dashboardUid('plain', k as DashboardKind)));
  });

  it('an imported spec (no ops) gets its SLO dashboard alone', () => {
    const uids = buildDashboards(modelOf(base, false)).map((d) => d.uid);
    expect(uids).toEqual([dashboardUid('plain', 'slo')]);
  });

  it('several services: each gets its own dashboards, querying only its own series; long names keep uids within 40 characters', () => {
    const long = 'a-service-name-that-is-far-too-long-for-a-grafana-uid';
    const two = resolveModel('obs.config.ts', [
      { config: validateConfig(base, 'obs.config.ts'), native: true },
      { config: validateConfig({ ...base, service: { name: long } }, 'obs.config.ts'), native: true },
    ]);
    const all = buildDashboards(two);
    expect(all).toHaveLength(6);
    expect(new Set(all.map((d) => d.uid)).size).toBe(6);
    for (const d of all) {
      expect(d.uid!.length, d.uid).toBeLessThanOrEqual(40);
      const own = d.tags!.includes(`obs-service:${long}`) ? long : 'plain';
      for (const t of targetsOf([d]).filter((x) => x.language === 'promql')) {
        for (const sel of parsePromQL(t.expr).selectors) {
          const service = sel.matchers.find((m) => (m.label === 'job' || m.label === 'service') && m.op === '=');
          expect(service?.value, where(t)).toBe(own);
        }
      }
    }
  });

  it('infrastructure follows what is configured: only certificates → only the blackbox row', () => {
    const d = buildDashboards(modelOf({ ...base, dependencies: { certificates: ['example.com:443'] } })).find((x) => x.uid === dashboardUid('plain', 'infrastructure'))!;
    expect(panelsOf(d).filter((p) => p.type === 'row').map((p) => p.title)).toEqual(['Certificates and endpoints (blackbox_exporter)']);
    expect(buildDashboards(modelOf({ ...base, dependencies: { certificates: ['example.com:443'] } })).map((x) => x.uid)).not.toContain(dashboardUid('plain', 'dependencies'));
  });
});

describe('provisioning', () => {
  it('provisions Prometheus, Loki and Tempo with fixed uids, exemplars and log lines linked to traces', () => {
    const files = generateGrafana(model);
    const ds = files.find((f) => f.path === 'compose/grafana/provisioning/datasources/obs.yml')!.content as {
      datasources: { uid: string; type: string; jsonData: Record<string, unknown> }[];
    };
    const byType = Object.fromEntries(ds.datasources.map((d) => [d.type, d]));
    expect(byType['prometheus']!.uid).toBe(DATASOURCE_UIDS.prometheus);
    expect(byType['loki']!.uid).toBe(DATASOURCE_UIDS.loki);
    expect(byType['tempo']!.uid).toBe(DATASOURCE_UIDS.tempo);
    expect(byType['prometheus']!.jsonData['exemplarTraceIdDestinations']).toEqual([{ name: 'trace_id', datasourceUid: DATASOURCE_UIDS.tempo }]);
    const [derived] = byType['loki']!.jsonData['derivedFields'] as { matcherRegex: string; datasourceUid: string; url: string }[];
    expect(derived!.datasourceUid).toBe(DATASOURCE_UIDS.tempo);
    expect(derived!.url).toBe('$${__value.raw}');
    // The regex finds the trace id in a line shaped as the SDK's pino logger writes it.
    const line = '{"level":"error","time":"2026-12-02T04:37:13.123Z","service":"chat-api","trace_id":"0af7651916cd43dd8448eb211c80319c","span_id":"b7ad6b7169203331","msg":"boom"}';
    expect(new RegExp(derived!.matcherRegex).exec(line)?.[1]).toBe('0af7651916cd43dd8448eb211c80319c');
    // Dashboards select their datasource through variables whose default is the provisioned uid.
    for (const d of dashboards) {
      const prom = variables(d).find((v) => v.name === 'prometheus_datasource');
      expect(prom?.current?.value, d.uid).toBe(DATASOURCE_UIDS.prometheus);
    }
    const provider = files.find((f) => f.path === 'compose/grafana/provisioning/dashboards/obs.yml')!.content as { providers: { type: string; options: { path: string } }[] };
    expect(provider.providers[0]).toMatchObject({ type: 'file', allowUiUpdates: false });
  });

  it('emits nothing for a model without services', () => {
    expect(generateGrafana({ ...model, services: [], slos: [] })).toEqual([]);
  });
});
