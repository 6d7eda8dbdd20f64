import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPORTER_METRICS, lookupMetric, STACK_METRICS } from '../src/catalog/index.js';
import type { MetricDefinition, MetricSource } from '../src/catalog/types.js';
import { dependencyAlerts } from '../src/generate/prometheus/ops/dependencies.js';
import { infrastructureAlerts } from '../src/generate/prometheus/ops/infrastructure.js';
import { stackAlerts } from '../src/generate/prometheus/ops/stack.js';
import { resolveModel } from '../src/model/resolve.js';
import { selector } from '../src/promql/build.js';
import { parsePromQL } from '../src/promql/parse.js';
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
const PROCESS_LIMIT_SECONDS = '900';
/** How long a server or exporter may take to answer before the suite gives up (a bound, not an assertion). */
const READY_WITHIN_MS = 60_000;

const processes: ChildProcess[] = [];
const logs = new Map<ChildProcess, string>();
const root = process.getuid?.() === 0;

function start(name: string, command: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  const child = spawn('timeout', ['-k', '5', PROCESS_LIMIT_SECONDS, command, ...args], {
    detached: true, // its own process group: afterAll ends the server and anything it forked
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  logs.set(child, '');
  const keep = (chunk: Buffer) => logs.set(child, (logs.get(child)! + chunk.toString()).slice(-4000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  child.on('error', (error) => logs.set(child, `${logs.get(child)}\n${name}: ${error.message}`));
  processes.push(child);
  return child;
}

/** SIGTERM to each process group, SIGKILL to any still there after 10 s; resolves when all have exited. */
async function stopAll(): Promise<void> {
  const signal = (child: ChildProcess, name: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, name);
    } catch {
      // already gone
    }
  };
  const running = processes.filter((c) => c.pid !== undefined && c.exitCode === null && c.signalCode === null);
  await Promise.all(
    running.map(
      (child) =>
        new Promise<void>((resolve) => {
          const kill = setTimeout(() => signal(child, 'SIGKILL'), 10_000);
          child.once('exit', () => {
            clearTimeout(kill);
            resolve();
          });
          signal(child, 'SIGTERM');
        }),
    ),
  );
}


/** Scrapes `url` until `ready(text)` holds; fails with the process's output when it never does. */
async function scrapeUntil(url: string, ready: (text: string) => boolean, child: ChildProcess): Promise<string> {
  const deadline = Date.now() + READY_WITHIN_MS;
  let last = '';
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
      last = await response.text();
      if (response.ok && ready(last)) return last;
    } catch (error) {
      last = String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${url} never became ready; last answer:\n${last.slice(0, 1000)}\nprocess output:\n${logs.get(child)}`);
}

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

async function startPostgres(dir: string): Promise<void> {
  const versions = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a));
  const bin = join('/usr/lib/postgresql', versions[0]!, 'bin');
  // PostgreSQL refuses to run as root: in CI (root) it runs as the postgres user in a directory it owns.
  const as = root ? ['runuser', '-u', 'postgres', '--'] : [];
  if (root) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, -1);
  }
  const data = join(dir, 'data');
  const run = (cmd: string, args: string[]) => (as.length ? execFileSync(as[0]!, [...as.slice(1), cmd, ...args], { stdio: 'pipe', timeout: 120_000 }) : execFileSync(cmd, args, { stdio: 'pipe', timeout: 120_000 }));
  run(join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres']);
  const port = await freePort();
  const postgres = [join(bin, 'postgres'), '-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1'];
  start('postgres', as[0] ?? postgres[0]!, [...as.slice(1), ...(as.length ? postgres : postgres.slice(1))]);

  // The pg_replication query Debian's example queries.yaml carries: pg_replication_lag on < 0.13.
  const queries = join(dir, 'queries.yaml');
  writeFileSync(
    queries,
    [
      'pg_replication:',
      '  query: "SELECT CASE WHEN NOT pg_is_in_recovery() THEN 0 ELSE GREATEST (0, EXTRACT(EPOCH FROM (now() - pg_last_xact_replay_timestamp()))) END AS lag"',
      '  master: true',
      '  metrics:',
      '    - lag:',
      '        usage: "GAUGE"',
      '        description: "Replication lag behind master in seconds"',
      '',
    ].join('\n'),
  );
  const exporterPort = await freePort();
  const exporter = start('postgres_exporter', 'prometheus-postgres-exporter', [`--web.listen-address=127.0.0.1:${exporterPort}`, `--extend.query-path=${queries}`], {
    DATA_SOURCE_NAME: `postgresql://postgres@127.0.0.1:${port}/postgres?sslmode=disable`,
  });
  const text = await scrapeUntil(`http://127.0.0.1:${exporterPort}/metrics`, (t) => /^pg_up(\{[^}]*\})? 1$/m.test(t) && /^pg_stat_database_deadlocks\{/m.test(t), exporter);
  scraped.set('postgres_exporter', parseExposition(text));
  jobs.set('postgres', [{ targets: [`127.0.0.1:${exporterPort}`] }]);
}

async function startRedis(): Promise<void> {
  const port = await freePort();
  redisServer = start('redis-server', 'redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']);
  const exporterPort = await freePort();
  const exporter = start('redis_exporter', 'prometheus-redis-exporter', ['-redis.addr', `redis://127.0.0.1:${port}`, '-web.listen-address', `127.0.0.1:${exporterPort}`]);
  const text = await scrapeUntil(`http://127.0.0.1:${exporterPort}/metrics`, (t) => /^redis_up 1$/m.test(t), exporter);
  scraped.set('redis_exporter', parseExposition(text));
  jobs.set('redis', [{ targets: [`127.0.0.1:${exporterPort}`] }]);
}

async function startNginx(dir: string): Promise<number> {
  const port = await freePort();
  const conf = join(dir, 'nginx.conf');
  const temp = (name: string) => join(dir, name);
  writeFileSync(
    conf,
    `daemon off;
pid ${temp('nginx.pid')};
error_log stderr;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${temp('body')}; proxy_temp_path ${temp('proxy')}; fastcgi_temp_path ${temp('fastcgi')};
  uwsgi_temp_path ${temp('uwsgi')}; scgi_temp_path ${temp('scgi')};
  server {
    listen 127.0.0.1:${port};
    location = /stub_status { stub_status; }
    location / { return 200 "ok\\n"; }
  }
}
`,
  );
  start('nginx', 'nginx', ['-e', 'stderr', '-p', dir, '-c', conf]);
  const exporterPort = await freePort();
  const exporter = start('nginx_exporter', 'prometheus-nginx-exporter', [
    '-nginx.scrape-uri',
    `http://127.0.0.1:${port}/stub_status`,
    '-nginx.retries',
    '40',
    '-nginx.retry-interval',
    '500ms',
    '-web.listen-address',
    `127.0.0.1:${exporterPort}`,
  ]);
  const text = await scrapeUntil(`http://127.0.0.1:${exporterPort}/metrics`, (t) => /^nginx_up 1$/m.test(t), exporter);
  scraped.set('nginx_exporter', parseExposition(text));
  jobs.set('nginx', [{ targets: [`127.0.0.1:${exporterPort}`] }]);
  return port;
}

/** A TLS server with a fresh self-signed certificate valid for 30 days, for the blackbox TLS probe. */
async function startTls(dir: string): Promise<number> {
  const key = join(dir, 'tls.key');
  const cert = join(dir, 'tls.crt');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '30', '-subj', '/CN=localhost'], { stdio: 'pipe', timeout: 60_000 });
  const enddate = execFileSync('openssl', ['x509', '-in', cert, '-noout', '-enddate'], { encoding: 'utf8' }).trim().replace(/^notAfter=/, '');
  certificateExpiry = Date.parse(enddate) / 1000;
  tlsServer = createTlsServer({ key: readFileSync(key), cert: readFileSync(cert) }, (socket) => socket.end());
  await new Promise<void>((resolve) => tlsServer!.listen(0, '127.0.0.1', resolve));
  return (tlsServer.address() as AddressInfo).port;
}

async function startBlackbox(dir: string, httpPort: number, tlsPort: number): Promise<void> {
  const config = join(dir, 'blackbox.yml');
  writeFileSync(
    config,
    `modules:
  http_2xx: { prober: http, timeout: 5s }
  tls_connect: { prober: tcp, timeout: 5s, tcp: { tls: true, tls_config: { insecure_skip_verify: true } } }
`,
  );
  const port = await freePort();
  const exporter = start('blackbox_exporter', 'prometheus-blackbox-exporter', [`--config.file=${config}`, `--web.listen-address=127.0.0.1:${port}`]);
  const base = `http://127.0.0.1:${port}/probe`;
  const http = await scrapeUntil(`${base}?module=http_2xx&target=${encodeURIComponent(`http://127.0.0.1:${httpPort}/`)}`, (t) => /^probe_success 1$/m.test(t), exporter);
  const tls = await scrapeUntil(`${base}?module=tls_connect&target=127.0.0.1:${tlsPort}`, (t) => /^probe_success 1$/m.test(t), exporter);
  const merged = parseExposition(`${http}\n${tls}`);
  scraped.set('blackbox_exporter', merged);
  blackboxTls = tls;
  // Probes as the bundle scrapes them: instance = the probe target, the module per target.
  endpoints.push(`http://127.0.0.1:${httpPort}/`);
  certificates.push(`127.0.0.1:${tlsPort}`);
  blackboxAddress = `127.0.0.1:${port}`;
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
let redisServer: ChildProcess | undefined;
let prometheusProcess: ChildProcess | undefined;

async function startNodeExporter(): Promise<void> {
  const port = await freePort();
  const exporter = start('node_exporter', 'prometheus-node-exporter', [`--web.listen-address=127.0.0.1:${port}`]);
  const text = await scrapeUntil(`http://127.0.0.1:${port}/metrics`, (t) => /^node_cpu_seconds_total\{/m.test(t), exporter);
  scraped.set('node_exporter', parseExposition(text));
  jobs.set('node', [{ targets: [`127.0.0.1:${port}`] }]);
}

/** Prometheus with one rule group and the Alertmanager as its target, so the notifier and rule metrics exist. */
async function startPrometheusAndAlertmanager(dir: string): Promise<void> {
  const amPort = await freePort();
  const amConfig = join(dir, 'alertmanager.yml');
  writeFileSync(amConfig, 'route: { receiver: "null" }\nreceivers: [ { name: "null" } ]\n');
  const alertmanager = start('alertmanager', 'prometheus-alertmanager', [
    `--config.file=${amConfig}`,
    `--web.listen-address=127.0.0.1:${amPort}`,
    '--cluster.listen-address=',
    `--storage.path=${join(dir, 'alertmanager-data')}`,
  ]);
  const amText = await scrapeUntil(`http://127.0.0.1:${amPort}/metrics`, (t) => /^alertmanager_config_last_reload_successful 1$/m.test(t), alertmanager);
  scraped.set('alertmanager', parseExposition(amText));

  const port = await freePort();
  writeFileSync(join(dir, 'rules.yml'), 'groups: [ { name: live, rules: [ { record: "live:up", expr: "up" } ] } ]\n');
  const scrapeJobs = [
    { job_name: 'prometheus', static_configs: [{ targets: [`127.0.0.1:${port}`] }] },
    { job_name: 'alertmanager', static_configs: [{ targets: [`127.0.0.1:${amPort}`] }] },
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
      alerting: { alertmanagers: [{ static_configs: [{ targets: [`127.0.0.1:${amPort}`] }] }] },
      scrape_configs: scrapeJobs,
    }),
  );
  const prometheus = start('prometheus', 'prometheus', [
    `--config.file=${join(dir, 'prometheus.yml')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    `--storage.tsdb.path=${join(dir, 'prometheus-data')}`,
  ]);
  const text = await scrapeUntil(
    `http://127.0.0.1:${port}/metrics`,
    (t) => /^prometheus_notifications_errors_total\{/m.test(t) && /^prometheus_rule_evaluation_failures_total\{/m.test(t),
    prometheus,
  );
  scraped.set('prometheus', parseExposition(text));
  prometheusUrl = `http://127.0.0.1:${port}`;
  prometheusProcess = prometheus;
  // Enough samples of every job for rate() over the alerts' windows.
  await scrapeUntil(
    `${prometheusUrl}/api/v1/query?query=${encodeURIComponent('min(count_over_time(up[5m])) >= 5 and count(up == 1) == count(up)')}`,
    (t) => JSON.parse(t).data?.result?.length === 1,
    prometheus,
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
      // One after the other: the machine running the suite is shared and small.
      await startPostgres(pgDir);
      await startRedis();
      const httpPort = await startNginx(dir);
      await startBlackbox(dir, httpPort, await startTls(dir));
      await startNodeExporter();
      await startPrometheusAndAlertmanager(dir);
    } catch (error) {
      await stopAll();
      throw error;
    }
  }, 300_000);

  afterAll(async () => {
    await stopAll();
    tlsServer?.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

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
  }, 120_000);

  it('fires RedisDown on the live Prometheus once Redis stops', async () => {
    const config = { service: { name: 'live' }, slos: { availability: { objective: 99.9, sli: { http: {} } } }, dependencies: { redis: {} } };
    const service = resolveModel('obs.config.ts', [{ config: validateConfig(config), native: true }]).services[0]!;
    const redisDown = dependencyAlerts(service).find((a) => a.name === 'RedisDown')!;
    expect((await query(redisDown.expr)).data?.result).toEqual([]);
    process.kill(-redisServer!.pid!, 'SIGTERM');
    const url = `${prometheusUrl}/api/v1/query?query=${encodeURIComponent(redisDown.expr)}`;
    const answer = await scrapeUntil(url, (t) => JSON.parse(t).data?.result?.length === 1, prometheusProcess!);
    expect(JSON.parse(answer).data.result[0].metric).toMatchObject({ job: 'redis' });
  }, 120_000);
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
