import type { ChildProcess } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Server as TlsServer } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPORTER_METRICS, lookupMetric, STACK_METRICS } from '../src/catalog/index.js';
import type { MetricDefinition, MetricSource } from '../src/catalog/types.js';
import { dependencyAlerts } from '../src/generate/prometheus/ops/dependencies.js';
import { infrastructureAlerts } from '../src/generate/prometheus/ops/infrastructure.js';
import { stackAlerts } from '../src/generate/prometheus/ops/stack.js';
import { resolveModel } from '../src/model/resolve.js';
import { selector } from '../src/promql/build.js';
import { parsePromQL } from '../src/promql/parse.js';
import { startBlackbox, startNginx, startNodeExporter, startPostgres, startRedis, startTlsServer } from '../src/dev/dependencies.js';
import { startAlertmanager, startPrometheus } from '../src/dev/monitoring.js';
import { ProcessGroup } from '../src/dev/processes.js';
import { validateConfig } from '../src/spec/validate.js';
import { tempDir, freePort } from './helpers.js';

/**
 * The catalog proven against the real exporters (Debian packages, see .ci/install-tools): each server
 * and its exporter run on 127.0.0.1 free ports, the exporter is scraped, and every catalog metric of
 * that exporter must be in the scrape with the catalog's labels and type. Names that cannot be proven
 * here are listed in NOT_LIVE with the reason; nothing else is skipped. A real Prometheus and
 * Alertmanager are scraped the same way, and that Prometheus, scraping every exporter under the job
 * names the config defaults to, evaluates every dependency, host and stack alert expression: each must
 * evaluate, and each exporter series it reads must match live series.
 */

/** Catalog metrics this test cannot see exported, and why. */
const NOT_LIVE: Readonly<Record<string, string>> = {
  pg_replication_lag_seconds: 'built in only from postgres_exporter 0.13; Debian 12 ships 0.11.1, which exports pg_replication_lag from its queries.yaml instead (proven below)',
  ...Object.fromEntries(
    EXPORTER_METRICS.filter((m) => m.source === 'cadvisor').map((m) => [m.name, 'cAdvisor has no Debian package: names taken from its documentation (docs/storage/prometheus.md)']),
  ),
  ...Object.fromEntries(
    STACK_METRICS.filter((m) => m.source === 'backup_job').map((m) => [m.name, 'the backup contract: the user\'s backup job exports it (README "Backups"); proven by the alert unit tests']),
  ),
};

/** Every process runs under `timeout`, so none outlives a crashed test run. */
const group = new ProcessGroup({ limitSeconds: 1200, readyWithinMs: 120_000 });

interface Scraped {
  readonly types: Map<string, string>;
  readonly labels: Map<string, Set<string>>;
}

/** Metric names of a Prometheus text exposition, with their declared type and every label name seen. */
function parseExposition(text: string): Scraped {
  const types = new Map<string, string>();
  const labels = new Map<string, Set<string>>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)/.exec(line);
    if (type) types.set(type[1]!, type[2]!);
    if (line === '' || line.startsWith('#')) continue;
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s/.exec(line);
    if (!sample) continue;
    const names = labels.get(sample[1]!) ?? new Set<string>();
    for (const m of (sample[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="/g)) names.add(m[1]!);
    labels.set(sample[1]!, names);
  }
  return { types, labels };
}

const scraped = new Map<MetricSource, Scraped>();
const dirs: string[] = [];
let certificateExpiry = 0;
let tlsServer: TlsServer | undefined;

/** What differs between a catalog entry and the scrape: absent, a missing label, another type. */
function mismatch(def: MetricDefinition, found: Scraped): string | undefined {
  const seen = found.labels.get(def.name);
  if (!seen) return `${def.name} is not exported`;
  const missing = def.labels.filter((l) => !seen.has(l));
  if (missing.length > 0) return `${def.name} has no label ${missing.join(', ')} (exported: ${[...seen].join(', ') || 'none'})`;
  const type = found.types.get(def.name);
  if (type && type !== 'untyped' && type !== def.type) return `${def.name} is a ${type}, the catalog says ${def.type}`;
  return undefined;
}

async function startDependencies(dir: string, pgDir: string): Promise<void> {
  // One after the other: the machine running the suite is shared and small.
  const postgres = await startPostgres(group, pgDir);
  scraped.set('postgres_exporter', parseExposition(postgres.scrape));
  jobs.set('postgres', [{ targets: [`127.0.0.1:${postgres.exporterPort}`] }]);
  const redis = await startRedis(group);
  redisServer = redis.server;
  scraped.set('redis_exporter', parseExposition(redis.scrape));
  jobs.set('redis', [{ targets: [`127.0.0.1:${redis.exporterPort}`] }]);
  const nginx = await startNginx(group, dir);
  scraped.set('nginx_exporter', parseExposition(nginx.scrape));
  jobs.set('nginx', [{ targets: [`127.0.0.1:${nginx.exporterPort}`] }]);
  const tls = await startTlsServer(dir);
  tlsServer = tls.server;
  certificateExpiry = tls.notAfter;
  await startBlackboxProbes(dir, nginx.port!, tls.port);
  const node = await startNodeExporter(group);
  scraped.set('node_exporter', parseExposition(node.scrape));
  jobs.set('node', [{ targets: [`127.0.0.1:${node.exporterPort}`] }]);
}

/** blackbox_exporter probing nginx (http_2xx) and the TLS server (tls_connect), scraped as the bundle does. */
async function startBlackboxProbes(dir: string, httpPort: number, tlsPort: number): Promise<void> {
  const blackbox = await startBlackbox(group, dir);
  const base = `http://127.0.0.1:${blackbox.exporterPort}/probe`;
  const probe = (query: string) => fetch(`${base}?${query}`).then((r) => r.text());
  const http = await probe(`module=http_2xx&target=${encodeURIComponent(`http://127.0.0.1:${httpPort}/`)}`);
  const tls = await probe(`module=tls_connect&target=127.0.0.1:${tlsPort}`);
  expect(http).toMatch(/^probe_success 1$/m);
  expect(tls).toMatch(/^probe_success 1$/m);
  scraped.set('blackbox_exporter', parseExposition(`${http}\n${tls}`));
  blackboxTls = tls;
  // Probes as the bundle scrapes them: instance = the probe target, the module per target.
  endpoints.push(`http://127.0.0.1:${httpPort}/`);
  certificates.push(`127.0.0.1:${tlsPort}`);
  blackboxAddress = `127.0.0.1:${blackbox.exporterPort}`;
  jobs.set('blackbox', [
    { targets: endpoints, labels: { __param_module: 'http_2xx' } },
    { targets: certificates, labels: { __param_module: 'tls_connect' } },
  ]);
}
let blackboxTls = '';
let blackboxAddress = '';
const endpoints: string[] = [];
const certificates: string[] = [];
/** Scrape jobs for the live Prometheus, named as the config's defaults name them. */
const jobs = new Map<string, { targets: string[]; labels?: Record<string, string> }[]>();
let prometheusUrl = '';
let prometheusProcess: ChildProcess | undefined;
let redisServer: ChildProcess | undefined;

/** Prometheus with one rule group and the Alertmanager as its target, so the notifier and rule metrics exist. */
async function startPrometheusAndAlertmanager(dir: string): Promise<void> {
  const amConfig = join(dir, 'alertmanager.yml');
  writeFileSync(amConfig, 'route: { receiver: "null" }\nreceivers: [ { name: "null" } ]\n');
  const alertmanager = await startAlertmanager(group, dir, amConfig);
  const amText = await group.waitFor(`${alertmanager.url}/metrics`, (t) => /^alertmanager_config_last_reload_successful 1$/m.test(t), alertmanager.process);
  scraped.set('alertmanager', parseExposition(amText));

  // Prometheus scrapes itself on the port it is about to get: reserve it first.
  const port = await freePort();
  writeFileSync(join(dir, 'rules.yml'), 'groups: [ { name: live, rules: [ { record: "live:up", expr: "up" } ] } ]\n');
  const scrapeJobs = [
    { job_name: 'prometheus', static_configs: [{ targets: [`127.0.0.1:${port}`] }] },
    { job_name: 'alertmanager', static_configs: [{ targets: [`127.0.0.1:${alertmanager.port}`] }] },
    ...[...jobs].map(([job, static_configs]) => ({
      job_name: job,
      static_configs,
      ...(job === 'blackbox' && {
        metrics_path: '/probe',
        relabel_configs: [
          { source_labels: ['__address__'], target_label: '__param_target' },
          { source_labels: ['__param_target'], target_label: 'instance' },
          { target_label: '__address__', replacement: blackboxAddress },
        ],
      }),
    })),
  ];
  writeFileSync(
    join(dir, 'prometheus.yml'),
    JSON.stringify({
      global: { scrape_interval: '1s', evaluation_interval: '1s' },
      rule_files: [join(dir, 'rules.yml')],
      alerting: { alertmanagers: [{ static_configs: [{ targets: [`127.0.0.1:${alertmanager.port}`] }] }] },
      scrape_configs: scrapeJobs,
    }),
  );
  const prometheus = await startPrometheus(group, dir, join(dir, 'prometheus.yml'), { port });
  const text = await group.waitFor(
    `${prometheus.url}/metrics`,
    (t) => /^prometheus_notifications_errors_total\{/m.test(t) && /^prometheus_rule_evaluation_failures_total\{/m.test(t),
    prometheus.process,
  );
  scraped.set('prometheus', parseExposition(text));
  prometheusUrl = prometheus.url;
  prometheusProcess = prometheus.process;
  // Enough samples of every job for rate() over the alerts' windows.
  await group.waitFor(
    `${prometheusUrl}/api/v1/query?query=${encodeURIComponent('min(count_over_time(up[5m])) >= 5 and count(up == 1) == count(up)')}`,
    (t) => JSON.parse(t).data?.result?.length === 1,
    prometheus.process,
  );
}

const LIVE_SOURCES: readonly MetricSource[] = ['postgres_exporter', 'redis_exporter', 'nginx_exporter', 'blackbox_exporter', 'node_exporter', 'prometheus', 'alertmanager'];
const CATALOG = [...EXPORTER_METRICS, ...STACK_METRICS];

describe('the exporter catalog against the real exporters', () => {
  beforeAll(async () => {
    const dir = tempDir('obs-exporters-');
    const pgDir = tempDir('obs-postgres-');
    dirs.push(dir, pgDir);
    try {
      await startDependencies(dir, pgDir);
      await startPrometheusAndAlertmanager(dir);
    } catch (error) {
      await group.stopAll();
      throw error;
    }
  }, 300_000);

  afterAll(async () => {
    await group.stopAll();
    tlsServer?.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }, 300_000);

  it.each(LIVE_SOURCES)('%s exports every catalog metric of it, with its labels and type', (source) => {
    const found = scraped.get(source);
    expect(found, `${source} was not scraped`).toBeDefined();
    const problems = CATALOG.filter((m) => m.source === source && !(m.name in NOT_LIVE))
      .map((m) => mismatch(m, found!))
      .filter((p): p is string => p !== undefined);
    expect(problems).toEqual([]);
  });

  it('accounts for every catalog metric: proven live or listed with its reason', () => {
    const unaccounted = CATALOG.filter((m) => !LIVE_SOURCES.includes(m.source) && !(m.name in NOT_LIVE)).map((m) => `${m.name} (${m.source})`);
    expect(unaccounted).toEqual([]);
    // No stale exception: each names a catalog metric.
    expect(Object.keys(NOT_LIVE).filter((name) => !CATALOG.some((m) => m.name === name))).toEqual([]);
  });

  it('can tell a missing name, label or type (the check can fail)', () => {
    const found = scraped.get('redis_exporter')!;
    const redisUp = CATALOG.find((m) => m.name === 'redis_up')!;
    expect(mismatch({ ...redisUp, name: 'redis_up_total' }, found)).toMatch(/not exported/);
    expect(mismatch({ ...redisUp, labels: ['shard'] }, found)).toMatch(/no label shard/);
    expect(mismatch({ ...redisUp, type: 'counter' }, found)).toMatch(/is a gauge/);
  });

  it('reads certificate expiry as Unix seconds, as TLSCertificateExpiringSoon assumes (probe_ssl_earliest_cert_expiry - time())', () => {
    const line = /^probe_ssl_earliest_cert_expiry (\S+)$/m.exec(blackboxTls);
    expect(line, blackboxTls.slice(0, 2000)).not.toBeNull();
    expect(Number(line![1])).toBe(certificateExpiry);
  });
  it('evaluates every alert on a live Prometheus scraping them, and every exporter series an alert reads is there', async () => {
    const config = {
      service: { name: 'live' },
      slos: { availability: { objective: 99.9, sli: { http: {} } } },
      dependencies: { postgres: {}, redis: {}, nginx: {}, host: {}, endpoints, certificates },
    };
    const service = resolveModel('obs.config.ts', [{ config: validateConfig(config), native: true }]).services[0]!;
    const alerts = [...dependencyAlerts(service), ...infrastructureAlerts(service), ...stackAlerts()];
    expect(alerts.length).toBeGreaterThan(30);
    const problems: string[] = [];
    let checked = 0;
    for (const alert of alerts) {
      const evaluated = await query(alert.expr);
      if (evaluated.status !== 'success') problems.push(`${alert.name}: ${evaluated.error}`);
      for (const s of parsePromQL(alert.expr).selectors) {
        const def = s.metric === undefined ? undefined : lookupMetric(s.metric);
        if (!def || !LIVE_SOURCES.includes(def.source) || def.name in NOT_LIVE) continue;
        const text = selector(s.metric!, s.matchers);
        checked++;
        if ((await query(`count(${text})`)).data?.result.length !== 1) problems.push(`${alert.name}: ${text} matches no live series`);
      }
    }
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThan(40);
    // The selector check can fail: a matcher no live series has.
    expect((await query('count(pg_up{job="postgres",datname="no-such-db"})')).data?.result).toEqual([]);
  }, 300_000);

  it('fires RedisDown on the live Prometheus once Redis stops', async () => {
    const config = { service: { name: 'live' }, slos: { availability: { objective: 99.9, sli: { http: {} } } }, dependencies: { redis: {} } };
    const service = resolveModel('obs.config.ts', [{ config: validateConfig(config), native: true }]).services[0]!;
    const redisDown = dependencyAlerts(service).find((a) => a.name === 'RedisDown')!;
    expect((await query(redisDown.expr)).data?.result).toEqual([]);
    process.kill(-redisServer!.pid!, 'SIGTERM');
    const url = `${prometheusUrl}/api/v1/query?query=${encodeURIComponent(redisDown.expr)}`;
    const answer = await group.waitFor(url, (t) => JSON.parse(t).data?.result?.length === 1, prometheusProcess!);
    expect(JSON.parse(answer).data.result[0].metric).toMatchObject({ job: 'redis' });
  }, 300_000);
});

interface QueryAnswer {
  readonly status: string;
  readonly error?: string;
  readonly data?: { readonly result: readonly { readonly metric: Record<string, string> }[] };
}

async function query(promql: string): Promise<QueryAnswer> {
  const response = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(promql)}`, { signal: AbortSignal.timeout(10_000) });
  return (await response.json()) as QueryAnswer;
}
