import { execFile } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { isKnownSeries, lookupMetric } from '../src/catalog/index.js';
import { dependencyAlerts } from '../src/generate/prometheus/ops/dependencies.js';
import { opsFiles } from '../src/generate/prometheus/ops/index.js';
import { infrastructureAlerts } from '../src/generate/prometheus/ops/infrastructure.js';
import { stackAlerts } from '../src/generate/prometheus/ops/stack.js';
import type { AlertDomain, OpsAlert } from '../src/generate/prometheus/ops/types.js';
import { resolveModel } from '../src/model/resolve.js';
import type { Service } from '../src/model/types.js';
import { parsePromQL } from '../src/promql/parse.js';
import type { ObsConfig } from '../src/spec/schema.js';
import { validateConfig } from '../src/spec/validate.js';
import { renderBundle } from '../src/write/render.js';
import { tempDir, promtoolAsync } from './helpers.js';

/**
 * The dependency, infrastructure and monitoring-stack alerts, judged by promtool: every rule file
 * passes `promtool check rules`, and every alert's cases (fires / healthy / just under its threshold)
 * pass `promtool test rules`, for the default thresholds and for overridden ones.
 */
const exec = promisify(execFile);

const promtool = promtoolAsync;

const slos: ObsConfig['slos'] = { availability: { objective: 99.9, sli: { http: {} } } };

const EVERYTHING: ObsConfig['dependencies'] = {
  postgres: {},
  redis: {},
  nginx: {},
  host: {},
  containers: {},
  queues: {},
  certificates: ['api.example.com:443'],
  endpoints: ['https://api.example.com/health', 'http://10.0.0.5:8080/health'],
  backups: { rpo: '1h', names: ['postgres', 'uploads'] },
};

function serviceOf(dependencies: ObsConfig['dependencies'], thresholds?: ObsConfig['thresholds']): Service {
  const config: ObsConfig = { service: { name: 'chat-api', team: 'ai-platform' }, slos, dependencies, ...(thresholds && { thresholds }) };
  return resolveModel('obs.config.ts', [{ config: validateConfig(config), native: true }]).services[0]!;
}

const domainsOf = (service: Service): [AlertDomain, OpsAlert[]][] => [
  ['dependencies', dependencyAlerts(service)],
  ['infrastructure', infrastructureAlerts(service)],
  ['stack', stackAlerts()],
];

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Writes each domain's rule and test file, as the bundle does, and returns their paths. */
function writeRules(service: Service): { rules: string[]; tests: string[] } {
  const dir = tempDir('obs-infra-alerts-');
  dirs.push(dir);
  const files = domainsOf(service).flatMap(([domain, alerts]) => opsFiles({ service, domain, alerts }, {}));
  for (const file of renderBundle(files, 'obs.config.ts')) writeFileSync(join(dir, file.path.replace(/^rules\//, '')), file.text);
  const paths = files.map((f) => join(dir, f.path.replace(/^rules\//, '')));
  return { rules: paths.filter((p) => p.endsWith('.rules.yml')), tests: paths.filter((p) => p.endsWith('.test.yml')) };
}

const metricOf = (series: string) => /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(series)![0];
const labelsOf = (series: string) => [...series.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)=/g)].map((m) => m[1]!);

describe('dependency, infrastructure and stack alerts', () => {
  const service = serviceOf(EVERYTHING);
  const all = domainsOf(service).flatMap(([, alerts]) => alerts);

  it('covers every dependency with about 20 or more distinct alert names', () => {
    const names = new Set(all.map((a) => a.name));
    expect(names.size).toBeGreaterThanOrEqual(20);
    for (const component of ['postgres', 'redis', 'nginx', 'endpoint', 'certificate', 'queue', 'backup', 'host', 'container', 'prometheus', 'alertmanager']) {
      expect(all.some((a) => a.component === component), component).toBe(true);
    }
    // Certificates: a warning and a critical of the same alert.
    expect(all.filter((a) => a.name === 'TLSCertificateExpiringSoon').map((a) => a.severity).sort()).toEqual(['critical', 'warning']);
  });

  it('emits a group only when the config names what it watches', () => {
    const onlyPostgres = serviceOf({ postgres: {} });
    expect(new Set(dependencyAlerts(onlyPostgres).map((a) => a.component))).toEqual(new Set(['postgres']));
    expect(infrastructureAlerts(onlyPostgres)).toEqual([]);
    expect(dependencyAlerts(serviceOf({}))).toEqual([]);
    // Backups without names: no BackupNotReported (there is nothing to miss).
    expect(dependencyAlerts(serviceOf({ backups: { rpo: '1h' } })).map((a) => a.name).sort()).toEqual(['BackupFailed', 'BackupTooOld']);
  });

  it.each(all.map((a) => [`${a.name} (${a.severity})`, a] as const))('%s is complete and queries only catalogued series', (_, alert) => {
    expect(alert.name).toMatch(/^[A-Z][A-Za-z0-9]+$/);
    expect(alert.summary).toMatch(/^[A-Z].*\.$/);
    expect(alert.summary).not.toContain('{{');
    expect(alert.description).toContain('{{');
    for (const kind of ['fires', 'healthy'] as const) expect(alert.cases.some((c) => c.kind === kind), kind).toBe(true);
    if (alert.threshold !== undefined) expect(alert.cases.some((c) => c.kind === 'belowThreshold')).toBe(true);
    const r = alert.runbook;
    for (const text of [r.meaning, r.impact, r.escalation]) expect(text.length).toBeGreaterThan(10);
    expect(r.confirm.length).toBeGreaterThan(0);
    expect(r.causes.length).toBeGreaterThan(0);
    expect(r.mitigation.length).toBeGreaterThan(0);

    const parsed = parsePromQL(alert.expr);
    expect(parsed.errorAt).toBeUndefined();
    expect(parsed.selectors.map((s) => s.metric ?? '?').filter((m) => !isKnownSeries(m))).toEqual([]);
    // Matchers name only labels the metric has (the catalog's, proven live for exporters) or scrape labels.
    for (const selector of parsed.selectors) {
      const def = lookupMetric(selector.metric!);
      if (!def) continue;
      const allowed = new Set([...def.labels, 'job', 'instance', ...Object.keys(service.selector)]);
      expect(selector.matchers.map((m) => m.label).filter((l) => !allowed.has(l)), selector.metric).toEqual([]);
    }
    // The runbook's PromQL (not its SQL or shell lines) must query known series too.
    for (const { query } of r.confirm.filter((c) => !/^(SELECT|echo|curl|docker|journalctl|du|promtool|amtool)\b/.test(c.query))) {
      const q = parsePromQL(query);
      expect(q.errorAt, query).toBeUndefined();
      expect(q.selectors.map((s) => s.metric ?? '?').filter((m) => !isKnownSeries(m) && !m.startsWith('prometheus_') && m !== 'scrape_duration_seconds'), query).toEqual([]);
    }
    // Test inputs use the catalog's names and labels (plus the scrape's job/instance and `le`).
    for (const c of alert.cases) {
      for (const input of c.input) {
        const metric = metricOf(input.series);
        if (metric === 'up') continue;
        const def = lookupMetric(metric);
        expect(def, input.series).toBeDefined();
        const allowed = new Set([...def!.labels, 'job', 'instance', 'le', 'id', ...Object.keys(service.selector)]);
        expect(labelsOf(input.series).filter((l) => !allowed.has(l)), input.series).toEqual([]);
      }
    }
  });

  it('passes promtool check rules and its unit tests with the default thresholds', async () => {
    const { rules, tests } = writeRules(service);
    expect(await promtool('check', 'rules', ...rules)).toMatch(/SUCCESS/);
    const output = await promtool('test', 'rules', ...tests);
    expect(output).toMatch(/SUCCESS/);
    expect(output).not.toMatch(/FAILED/);
  }, 300_000);

  it('passes its unit tests with overridden thresholds (cases follow the thresholds)', async () => {
    const custom = serviceOf(
      { ...EVERYTHING, queues: { names: ['emails'] }, backups: { rpo: '1d', names: ['postgres'], job: 'pushgateway' }, blackboxJob: 'probes' },
      {
        database: { latencyP95: '250ms', connectionsRatio: '90%', replicationLag: '2m', longTransaction: '10m' },
        redis: { memoryRatio: '70%' },
        host: { cpuRatio: '95%', memoryRatio: '60%', diskRatio: '85%', clockSkew: '100ms' },
        containers: { cpuThrottledRatio: '50%', memoryRatio: '80%' },
        certificates: { warning: '30d', critical: '7d' },
        queues: { backlogGrowingFor: '30m' },
      },
    );
    const alerts = dependencyAlerts(custom);
    expect(alerts.find((a) => a.name === 'BackupTooOld')!.expr).toContain('> 86400');
    expect(alerts.find((a) => a.name === 'QueueBacklogGrowing')!.for).toBe('30m');
    const { tests } = writeRules(custom);
    const output = await promtool('test', 'rules', ...tests);
    expect(output).not.toMatch(/FAILED/);
  }, 300_000);

  it('fails the unit tests when an alert is wrong (the cases can fail)', async () => {
    // The threshold moved under the just-under case: promtool must report that case.
    const alert = all.find((a) => a.name === 'HostHighCpuUsage')!;
    const broken: OpsAlert = { ...alert, expr: alert.expr.replace(/> [0-9.]+$/, '> 0.5') };
    const dir = tempDir('obs-infra-broken-');
    dirs.push(dir);
    const files = renderBundle(opsFiles({ service, domain: 'infrastructure', alerts: [broken] }, {}), 'obs.config.ts');
    for (const file of files) writeFileSync(join(dir, file.path.replace(/^rules\//, '')), file.text);
    const test = join(dir, files.find((f) => f.path.endsWith('.test.yml'))!.path.replace(/^rules\//, ''));
    await expect(promtool('test', 'rules', test)).rejects.toThrow(/exp: nil\s+got: \{__name__="ALERTS", alertname="HostHighCpuUsage"/);
  }, 120_000);
});
