import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isKnownSeries, lookupMetric, SDK_METRICS } from '../src/catalog/index.js';
import { sloRuleGroups } from '../src/generate/prometheus/index.js';
import { resolveModel } from '../src/model/resolve.js';
import type { Slo } from '../src/model/types.js';
import { parsePromQL } from '../src/promql/parse.js';
import { loadConfig } from '../src/spec/load.js';
import { GOLDEN_CASES } from './cases.js';
import { ROOT } from './helpers.js';

/** SLI kinds whose base recordings embed the user's own PromQL: exempt from the catalog check. */
const USER_PROMQL = new Set(['ratio', 'errorRatio', 'threshold']);

/** Metric names an expression queries that neither the SDK, an exporter, Prometheus nor our rules make. */
function unknownMetrics(expr: string): string[] {
  const parsed = parsePromQL(expr);
  if (parsed.errorAt !== undefined) return [`<syntax error at ${parsed.errorAt}>`];
  return parsed.selectors.map((s) => s.metric ?? '<no metric name>').filter((name) => !isKnownSeries(name));
}

async function slosOf(config: string): Promise<Slo[]> {
  const loaded = await loadConfig(join(ROOT, config), ROOT);
  return [...resolveModel(loaded.source, loaded.documents, loaded.locate).slos];
}

const INPUTS = ['obs.config.ts', ...GOLDEN_CASES.map((c) => c.config)];

describe('the metric catalog closes the loop', () => {
  it.each(INPUTS)('every expression generated from %s parses and queries only catalogued series', async (config) => {
    const problems: string[] = [];
    for (const slo of await slosOf(config)) {
      for (const rule of sloRuleGroups(slo).flatMap((g) => g.rules)) {
        const name = 'record' in rule ? rule.record : rule.alert;
        const exempt = 'record' in rule && USER_PROMQL.has(slo.sli.kind) && /^slo:sli_(errors|total):(step_)?rate\d/.test(rule.record);
        const unknown = unknownMetrics(rule.expr).filter((m) => !exempt || m.startsWith('<'));
        if (unknown.length > 0) problems.push(`${slo.name}/${name}: ${unknown.join(', ')}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('flags a metric that nothing exports (the check can fail)', () => {
    expect(unknownMetrics('sum(rate(http_requests_total[5m]))')).toEqual(['http_requests_total']);
    expect(unknownMetrics('sum(rate(http_server_request_duration_seconds_count[5m]))')).toEqual([]);
    expect(unknownMetrics('sum(rate(x[5m])')).toEqual(['<syntax error at 15>']);
  });

  it('resolves histogram series to their catalog entry', () => {
    expect(lookupMetric('http_server_request_duration_seconds_bucket')?.type).toBe('histogram');
    expect(lookupMetric('gen_ai_client_token_usage_count')?.labels).toContain('gen_ai_token_type');
    expect(lookupMetric('http_server_request_duration_seconds')).toBeUndefined();
  });

  it.each(SDK_METRICS.map((m) => [m.name, m] as const))('%s follows Prometheus naming', (_, metric) => {
    expect(metric.name).toMatch(/^[a-z_][a-z0-9_]*$/);
    if (metric.type === 'counter') expect(metric.name).toMatch(/_total$/);
    if (metric.unit === 'seconds') expect(metric.name).toMatch(/_seconds(_total)?$/);
    for (const label of metric.labels) expect(label).toMatch(/^[a-z_][a-z0-9_]*$/);
    if (metric.buckets) expect([...metric.buckets]).toEqual([...metric.buckets].sort((a, b) => a - b));
  });
});
