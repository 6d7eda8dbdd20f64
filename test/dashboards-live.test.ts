/**
 * Every dashboard panel has data: a REAL Prometheus (Debian 2.42) on 127.0.0.1 loads the SLO rules
 * generated from the example config and scrapes an app instrumented with the obs SDK (HTTP, GenAI,
 * dependency, cache and security metrics all exercised under load) and a real node_exporter. Once the
 * recording rules have samples, every PromQL target of every generated dashboard runs through
 * /api/v1/query (variables substituted as Grafana would) and must return series.
 *
 * Panels whose data needs something this test does not run are listed below by name with the reason.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import type { Server as TlsServer } from 'node:tls';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Exported, startBlackbox, startNginx, startNodeExporter, startPostgres, startRedis, startTlsServer } from '../src/dev/dependencies.js';
import { startPrometheus } from '../src/dev/monitoring.js';
import { ProcessGroup } from '../src/dev/processes.js';
import { buildDashboards } from '../src/generate/grafana/index.js';
import { generatePrometheusSlo } from '../src/generate/prometheus/index.js';
import type { Model } from '../src/model/types.js';
import { resolveModel } from '../src/model/resolve.js';
import { loadConfig } from '../src/spec/load.js';
import type { ObsConfig } from '../src/spec/schema.js';
import { createObs, type Obs } from '../src/sdk/index.js';
import { renderBundle } from '../src/write/render.js';
import { substitute, type Target, targetsOf } from './grafana-targets.js';
import { httpLoad, sdkLoad, stopLiveTest, traffic } from './sdk-traffic.js';
import { ROOT, tempDir, ruleFileOf } from './helpers.js';

/** Bounds on every wait (the machine is shared and busy; these are limits, not expectations). */
const READY_TIMEOUT_MS = 120_000;
const DATA_TIMEOUT_MS = 240_000;
/** Scrapes every second, so Grafana's $__rate_interval (≥ 4 scrapes) becomes 10s here. */
const RATE_INTERVAL = '10s';

/**
 * Panels that cannot have data in this test, by dashboard kind and title, with the reason. Anything not
 * listed must return series.
 */
const NOT_PROVEN: Readonly<Record<string, string>> = {
  'service/SDK internal errors': 'obs_sdk_errors_total has series only once the SDK catches an error of its own; none happens here',
  'service/Trace spans dropped': 'obs_trace_spans_dropped_total needs tracing (startObs) and a failing exporter; the test runs metrics only',
  'logs/Audit lines written': 'obs_audit_events_total counts lines of the audit logger (startObs telemetry); the test runs metrics only',
  'dependencies/Queue backlog': 'the SDK has no queue API yet (obs_queue_* are catalogued for the queue alerts)',
  'dependencies/Queue workers': 'the SDK has no queue API yet',
  'dependencies/Job failure ratio': 'the SDK has no queue API yet',
  'dependencies/Job duration p95': 'the SDK has no queue API yet',
  'infrastructure/Container CPU throttling': 'cAdvisor has no Debian package',
  'infrastructure/Container memory / limit': 'cAdvisor has no Debian package',
  'logs/Error logs': 'LogQL: Loki has no Debian or npm package',
  'logs/Audit events': 'LogQL: Loki has no Debian or npm package',
  'logs/Warnings and errors': 'LogQL: Loki has no Debian or npm package',
  'logs/Audit trail': 'LogQL: Loki has no Debian or npm package',
};

/** The NOT_PROVEN entry of a target: `<kind>/<title>`, or `<kind>/*: <rest>` for the per-SLO panels. */
function exclusionKey(t: Target): string | undefined {
  const kind = t.dashboard.replace(/^obs-chat-api-/, '');
  return [`${kind}/${t.panel}`, `${kind}/${t.panel.replace(/^[^:]+: /, '*: ')}`].find((key) => key in NOT_PROVEN);
}

function exclusionOf(t: Target): string | undefined {
  const key = exclusionKey(t);
  return key === undefined ? undefined : NOT_PROVEN[key];
}


const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every process runs under `timeout` in its own process group, so none outlives a crashed run. */
const group = new ProcessGroup({ limitSeconds: 1200, readyWithinMs: READY_TIMEOUT_MS });

describe('every dashboard PromQL panel has data in a real Prometheus', () => {
  let model: Model;
  let obs: Obs;
  let app: Server | undefined;
  let prometheus: ChildProcess | undefined;
  let tls: TlsServer | undefined;
  let promUrl = '';
  /** PostgreSQL's own directory: it must be able to reach it when it runs as the postgres user. */
  let pgDir = '';
  let dir = '';
  const load = traffic();

  async function series(expr: string): Promise<number> {
    const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
    const body = (await res.json()) as { status: string; error?: string; data?: { result: unknown[] } };
    if (body.status !== 'success') throw new Error(`query failed (${body.error}): ${expr}`);
    return body.data!.result.length;
  }

  beforeAll(async () => {
    const loaded = await loadConfig(join(ROOT, 'obs.config.ts'), ROOT);
    const config = loaded.documents[0]!.config;
    // A cap of 2 caches, so the third cache name below overflows (the SDK-health overflow panel has data).
    obs = createObs(config as ObsConfig, { defaultMetrics: true, limits: { cache: 2 } });

    // The app: the routes of the example's SLOs, each failing or slow in a fixed rotation, far above every
    // SLO's budget, so that the burn-rate alerts fire and the SLO dashboard's ALERTS panels have data too.
    let n = 0;
    const server = express();
    server.use(obs.http.express());
    const answer = (res: express.Response, status: number, ms: number) => setTimeout(() => res.status(status).send('x'), ms);
    server.get('/v1/chat', (_req, res) => {
      const slot = n++ % 20;
      answer(res, slot === 0 ? 500 : 200, slot === 1 ? 1100 : slot === 2 ? 600 : 5);
    });
    server.get('/v1/search', (_req, res) => {
      const slot = n++ % 10;
      answer(res, slot === 0 ? 429 : slot === 1 ? 500 : 200, slot === 2 ? 600 : 5);
    });
    server.post('/login', (_req, res) => answer(res, n++ % 3 === 0 ? 401 : 200, 2));
    server.get('/admin', (_req, res) => answer(res, 403, 2));
    app = createServer(server);
    await new Promise<void>((r) => app!.listen(0, '127.0.0.1', r));
    const appAddress = `127.0.0.1:${(app.address() as AddressInfo).port}`;
    const appUrl = `http://${appAddress}`;

    // The real exporters, and loopback probe targets in place of the example's public hosts.
    dir = tempDir('obs-dashboards-live-');
    const tlsServer = await startTlsServer(dir);
    tls = tlsServer.server;
    const certificate = `127.0.0.1:${tlsServer.port}`;
    const endpoint = `${appUrl}/health`;
    const nodePort = (await startNodeExporter(group)).exporterPort;
    // allSettled: every start has spawned its processes before a failure reaches afterAll's cleanup.
    const started = await Promise.allSettled([startPostgres(group, (pgDir = tempDir('obs-dashboards-pg-'))), startRedis(group), startNginx(group, dir), startBlackbox(group, dir)]);
    const failed = started.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    const [postgresPort, redisPort, nginxPort, blackboxPort] = started.map((r) => (r as PromiseFulfilledResult<Exported>).value.exporterPort);
    const probing = { ...config, dependencies: { ...config.dependencies, certificates: [certificate], endpoints: [endpoint] } };
    model = resolveModel(loaded.source, [{ ...loaded.documents[0]!, config: probing }]);
    const d = model.services[0]!.ops!.dependencies;

    // Prometheus loads the SLO rules generated from the same config (a temp generation, rendered as on disk).
    const ruleFiles: string[] = [];
    for (const file of generatePrometheusSlo(model).filter((f) => f.path.endsWith('.rules.yml'))) {
      // The period group runs every 5m in production; here every second, so it has samples in time.
      const content = ruleFileOf(file);
      const fast = { groups: content.groups.map((g) => (g.interval ? { ...g, interval: '1s' } : g)) };
      const [rendered] = renderBundle([{ path: file.path, content: fast }], 'obs.config.ts');
      const path = join(dir, file.path);
      mkdirSync(join(path, '..'), { recursive: true });
      writeFileSync(path, rendered!.text);
      ruleFiles.push(path);
    }
    expect(ruleFiles.length).toBeGreaterThan(0);

    const job = (name: string, target: string) => [`  - job_name: ${name}`, '    static_configs:', `      - targets: ["${target}"]`];
    writeFileSync(
      join(dir, 'prometheus.yml'),
      [
        'global:',
        '  scrape_interval: 1s',
        '  evaluation_interval: 1s',
        'rule_files:',
        ...ruleFiles.map((f) => `  - ${JSON.stringify(f)}`),
        'scrape_configs:',
        ...job(model.services[0]!.name, appAddress),
        ...job(d.host!.job, `127.0.0.1:${nodePort}`),
        ...job(d.postgres!.job, `127.0.0.1:${postgresPort}`),
        ...job(d.redis!.job, `127.0.0.1:${redisPort}`),
        ...job(d.nginx!.job, `127.0.0.1:${nginxPort}`),
        // The usual blackbox relabelling: the probed target becomes `instance`, the module comes from a label.
        `  - job_name: ${d.blackboxJob}`,
        '    metrics_path: /probe',
        '    static_configs:',
        `      - targets: ["${certificate}"]`,
        '        labels: { module: tls_connect }',
        `      - targets: ["${endpoint}"]`,
        '        labels: { module: http_2xx }',
        '    relabel_configs:',
        '      - { source_labels: [__address__], target_label: __param_target }',
        '      - { source_labels: [module], target_label: __param_module }',
        '      - { source_labels: [__param_target], target_label: instance }',
        `      - { target_label: __address__, replacement: "127.0.0.1:${blackboxPort}" }`,
        '',
      ].join('\n'),
    );
    const prom = await startPrometheus(group, dir, join(dir, 'prometheus.yml'));
    promUrl = prom.url;
    prometheus = prom.process;

    // Load until afterAll: HTTP, GenAI, dependency calls, caches, security events. Mostly embeddings: the
    // llm-latency SLO (chat only) then burns on the slow chat calls below, so its alerts fire too.
    httpLoad(load, appUrl, 20);
    sdkLoad(load, obs, { chatEvery: 30, pauseMs: 25 });
    // Chat calls slower than the llm-latency SLO's 5s threshold, three at a time.
    for (let i = 0; i < 3; i++) load.loop(() => obs.genai.track({ provider: 'openai', model: 'gpt-4o', operation: 'chat', module: 'triage' }, () => sleep(5200)), 0);
  }, 300_000);

  afterAll(() => stopLiveTest({ load, group, servers: [tls, app], obs, dirs: [dir, pgDir] }), 300_000);

  it('runs every PromQL target of every dashboard and gets series back', async () => {
    const dashboards = buildDashboards(model);
    const all = targetsOf(dashboards);
    const excluded = all.filter((t) => exclusionOf(t) !== undefined);
    const promql = all.filter((t) => t.language === 'promql' && exclusionOf(t) === undefined);
    expect(all.filter((t) => t.language === 'logql' && exclusionOf(t) === undefined), 'every LogQL panel is listed (no Loki here)').toEqual([]);
    // Every exclusion names a panel that exists (a renamed panel must not hide behind a stale entry).
    const used = new Set(all.map(exclusionKey));
    expect(Object.keys(NOT_PROVEN).filter((key) => !used.has(key))).toEqual([]);

    // The recording rules need a few evaluations of load before the SLO panels can show anything.
    let pending = promql;
    const deadline = Date.now() + DATA_TIMEOUT_MS;
    while (pending.length > 0 && Date.now() < deadline) {
      const still: Target[] = [];
      for (const t of pending) if ((await series(substitute(t.expr, RATE_INTERVAL))) === 0) still.push(t);
      pending = still;
      if (pending.length > 0) await sleep(2000);
    }
    expect(group.output(prometheus!)).not.toMatch(/level=error/);
    expect(
      pending.map((t) => `${t.dashboard} / ${t.panel} / ${t.refId}: ${substitute(t.expr, RATE_INTERVAL)}`),
      'panels without data',
    ).toEqual([]);

    // An exclusion whose panel has data after all is stale: say so (the SDK may have started exporting it).
    const stale: string[] = [];
    for (const t of excluded.filter((x) => x.language === 'promql')) if ((await series(substitute(t.expr, RATE_INTERVAL))) > 0) stale.push(`${t.dashboard} / ${t.panel}`);
    if (stale.length > 0) console.log(`dashboards-live: listed as not provable but has data now (remove from NOT_PROVEN):\n  ${[...new Set(stale)].join('\n  ')}`);

    const panels = (ts: readonly Target[]) => new Set(ts.map((t) => `${t.dashboard}/${t.panel}`)).size;
    console.log(
      `dashboards-live: ${promql.length} PromQL targets of ${panels(promql)} panels proven to return series; ` +
        `${panels(excluded)} panels listed as not provable here:\n` +
        [...new Set(excluded.map((t) => `  ${t.dashboard} / ${t.panel}: ${exclusionOf(t)}`))].join('\n'),
    );
    expect(panels(promql)).toBeGreaterThan(60);
  }, DATA_TIMEOUT_MS + 30_000);
});
