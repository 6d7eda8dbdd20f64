/**
 * `obs dev` for real: the root obs.config.ts's bundle run on 127.0.0.1 by startLocalStack (the example
 * service, PostgreSQL, Redis, nginx and their exporters, node_exporter, blackbox, Alertmanager,
 * Prometheus, load), then the CLI itself as a child process stopped by SIGINT. Every wait is a bound,
 * never an assertion; every process is stopped even when a test fails.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { findBinary } from '../src/dev/processes.js';
import { generateBundle } from '../src/generate/index.js';
import { resolveModel } from '../src/model/resolve.js';
import { loadConfig } from '../src/spec/load.js';
import { expectationsOf, fetchLiveState, verify } from '../src/verify/index.js';
import { DevStackError, type LocalStack, startLocalStack } from '../src/dev/stack.js';
import type { Notification } from '../src/dev/webhook-sink.js';
import { ROOT, runCli, tempDir } from './helpers.js';

/** Bound on each wait for Prometheus to see something (busy CI machines: generous, never asserted). */
const WITHIN_MS = 180_000;
const STARTUP_MS = 300_000;
const TEST_MS = 2 * WITHIN_MS + 30_000;

/** Polls `probe` until it returns a value (not undefined); fails after `withinMs` with the last answer. */
async function eventually<T>(what: string, probe: () => Promise<T | undefined>, withinMs = WITHIN_MS): Promise<T> {
  const deadline = Date.now() + withinMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  throw new Error(`${what}: not seen within ${withinMs / 1000} s${last ? ` (last error: ${String(last)})` : ''}`);
}

async function api<T>(url: string): Promise<T> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`${url}: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { data: T }).data;
}

async function scalar(prometheus: string, query: string): Promise<number | undefined> {
  const data = await api<{ result: { value: [number, string] }[] }>(`${prometheus}/api/v1/query?query=${encodeURIComponent(query)}`);
  const value = data.result[0] ? Number(data.result[0].value[1]) : undefined;
  return value === undefined || Number.isNaN(value) ? undefined : value;
}

/** A process is gone when /proc no longer has it, or has only its zombie (exited, not yet reaped). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** `roots` and every process below them (Linux /proc), for "no process left behind". */
function processTree(roots: readonly number[]): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
    } catch {
      // exited meanwhile
    }
  }
  const out = new Set<number>();
  const visit = (pid: number) => {
    if (out.has(pid)) return;
    out.add(pid);
    for (const child of children.get(pid) ?? []) visit(child);
  };
  roots.forEach(visit);
  return [...out];
}

function killTree(pids: readonly number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
}

/** Every rule group name of the bundle's Prometheus rule files. */
function bundleGroups(bundleDir: string): string[] {
  const dir = join(bundleDir, 'rules');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.rules.yml'))
    .flatMap((f) => (parseYaml(readFileSync(join(dir, f), 'utf8')) as { groups: { name: string }[] }).groups.map((g) => g.name));
}

interface Target {
  labels: Record<string, string>;
  health: string;
  lastError: string;
}
interface Rule {
  name: string;
  health: string;
  lastError?: string;
}

/** A bundle of our own: Prometheus scraping one service job, one always-firing alert, a quick Alertmanager. */
const bundles: string[] = [];
afterAll(() => bundles.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function smallBundle(rules: string): string {
  const dir = tempDir('obs-dev-bundle-');
  bundles.push(dir);
  mkdirSync(join(dir, 'compose/prometheus'), { recursive: true });
  mkdirSync(join(dir, 'compose/alertmanager'), { recursive: true });
  mkdirSync(join(dir, 'rules'));
  writeFileSync(
    join(dir, 'compose/prometheus/prometheus.yml'),
    `global: { scrape_interval: 15s, evaluation_interval: 15s }
rule_files: [/etc/prometheus/rules/*.rules.yml]
alerting: { alertmanagers: [{ static_configs: [{ targets: ['alertmanager:9093'] }] }] }
remote_write: [{ url: 'https://mimir.example.com/api/v1/push' }]
scrape_configs:
  - { job_name: prometheus, static_configs: [{ targets: ['localhost:9090'] }] }
  - { job_name: my-api, static_configs: [{ targets: ['my-api:9464'] }] }
  - { job_name: loki, static_configs: [{ targets: ['loki:3100'] }] }
`,
  );
  writeFileSync(
    join(dir, 'compose/alertmanager/alertmanager.yml'),
    `global: { slack_api_url_file: /etc/alertmanager/secrets/slack-api-url }
route:
  receiver: quiet
  group_wait: 1s
  group_interval: 1s
  routes: [{ matchers: ['severity="critical"'], receiver: pager }]
receivers:
  - { name: pager, pagerduty_configs: [{ routing_key_file: /etc/alertmanager/secrets/pagerduty }] }
  - { name: quiet }
`,
  );
  writeFileSync(join(dir, 'rules/my-api.rules.yml'), rules);
  return dir;
}

const ALWAYS_FIRING = `groups:
  - name: my-api
    rules:
      - alert: MyApiAlwaysFiring
        expr: up{job="my-api"} == 1
        labels: { severity: critical }
        annotations: { summary: The test service is up. }
`;

describe('startLocalStack with a bundle and a service of your own (--target)', () => {
  let service: Server;
  let address: string;
  beforeAll(async () => {
    service = createServer((_, response) => response.writeHead(200, { 'content-type': 'text/plain' }).end('my_api_requests_total 1\n'));
    await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', resolve));
    address = `127.0.0.1:${(service.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => service.close(() => resolve())));

  it('scrapes the target, evaluates the bundle rules and delivers the alert through Alertmanager to the local webhook', async () => {
    const bundle = smallBundle(ALWAYS_FIRING);
    const lines: string[] = [];
    const seen: Notification[] = [];
    const stack = await startLocalStack({ bundleDir: bundle, targets: [`my-api=${address}`], scrapeInterval: '1s', limitSeconds: 300, readyWithinMs: WITHIN_MS, log: (l) => lines.push(l), onNotification: (n) => seen.push(n) });
    try {
      expect(stack.urls.service).toBeUndefined();
      expect(stack.jobs).toEqual([
        { job: 'prometheus', targets: [new URL(stack.urls.prometheus).host] },
        { job: 'my-api', targets: [address] },
      ]);
      expect(lines.filter((l) => !l.startsWith('alert → '))).toEqual([
        `Alertmanager: receivers pager deliver to ${stack.urls.webhook} (real receivers are not reached from obs dev)`,
        'note: scrape job loki dropped: loki is not running (no Loki binary is packaged for this machine)',
      ]);
      const notification = await eventually('the alert at the webhook', async () => seen.find((n) => n.status === 'firing'));
      expect(notification.receiver).toBe('pager');
      expect(notification.alerts[0]!.labels).toMatchObject({ alertname: 'MyApiAlwaysFiring', job: 'my-api', instance: address });
      expect(stack.notifications).toContain(notification);
      expect(lines).toContain('alert → pager: FIRING MyApiAlwaysFiring (1 alert): The test service is up.');
      await expect(stack.faults('outage')).rejects.toThrow(/--target/);
    } finally {
      await stack.stop();
    }
    // The bundle given is the caller's: left in place.
    expect(existsSync(join(bundle, 'rules/my-api.rules.yml'))).toBe(true);
  }, TEST_MS);

  it('stops what it started when Prometheus refuses the bundle, and says why', async () => {
    const before = new Set(processTree([process.pid]));
    const broken = smallBundle('groups:\n  - name: broken\n    rules:\n      - record: x\n        expr: sum(\n');
    const failure = startLocalStack({ bundleDir: broken, targets: [address], limitSeconds: 300, readyWithinMs: WITHIN_MS });
    await expect(failure).rejects.toThrow(DevStackError);
    await expect(failure).rejects.toThrow(/prometheus exited[\s\S]*my-api\.rules\.yml/);
    expect(processTree([process.pid]).filter((pid) => !before.has(pid) && alive(pid))).toEqual([]);
  }, TEST_MS);

  it('goes on without a missing exporter, naming its Debian package; stops without Alertmanager', async () => {
    const bundle = smallBundle(ALWAYS_FIRING);
    const prometheusYml = join(bundle, 'compose/prometheus/prometheus.yml');
    writeFileSync(prometheusYml, `${readFileSync(prometheusYml, 'utf8')}  - { job_name: node, static_configs: [{ targets: ['node-exporter:9100'] }] }\n`);
    // A PATH with Prometheus and Alertmanager (and `timeout`) but no node_exporter.
    const bin = tempDir('obs-dev-bin-');
    bundles.push(bin);
    for (const name of ['prometheus', 'prometheus-alertmanager', 'timeout']) symlinkSync(findBinary(name)!, join(bin, name));
    const path = process.env.PATH;
    process.env.PATH = bin;
    try {
      const lines: string[] = [];
      const stack = await startLocalStack({ bundleDir: bundle, targets: [address], limitSeconds: 300, readyWithinMs: WITHIN_MS, log: (l) => lines.push(l) });
      await stack.stop();
      expect(stack.skipped).toEqual([
        'node-exporter is not running: prometheus-node-exporter is not installed: install the Debian package prometheus-node-exporter (apt-get install prometheus-node-exporter)',
        'scrape job loki dropped: loki is not running (no Loki binary is packaged for this machine)',
        'scrape job node dropped: node-exporter is not running',
      ]);
      rmSync(join(bin, 'prometheus-alertmanager'));
      const result = await runCli(['dev', '--bundle', bundle, '--target', address], ROOT);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe('obs dev: prometheus-alertmanager is not installed: install the Debian package prometheus-alertmanager (apt-get install prometheus-alertmanager)');
    } finally {
      process.env.PATH = path;
    }
  }, TEST_MS);

  it('rejects flags it cannot use, with the usage', async () => {
    for (const [argv, message] of [
      [['dev', '--rps', 'many'], /--rps takes a number/],
      [['dev', '--target', 'my-api'], /--target takes \[JOB=\]HOST:PORT/],
      [['dev', '--scrape-interval', 'soon'], /--scrape-interval takes a Prometheus duration/],
      [['dev', '--webhook', 'slack'], /--webhook takes an http/],
    ] as const) {
      const result = await runCli([...argv], ROOT);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).toContain('Usage: obs dev');
    }
    const wrongJob = await runCli(['dev', '--bundle', smallBundle(ALWAYS_FIRING), '--target', 'other=127.0.0.1:1'], ROOT);
    expect(wrongJob.code).toBe(1);
    expect(wrongJob.stderr).toContain('no scrape job "other" in the bundle; its service jobs: my-api');
  });
});

describe('startLocalStack: the root config live on 127.0.0.1', () => {
  let stack: LocalStack | undefined;
  let tree: number[] = [];

  beforeAll(async () => {
    stack = await startLocalStack({ cwd: ROOT, config: 'obs.config.ts', rps: 20, scrapeInterval: '2s', limitSeconds: 900, readyWithinMs: WITHIN_MS });
  }, STARTUP_MS);
  afterAll(async () => {
    await stack?.stop();
    killTree(tree.filter(alive));
  }, 300_000);

  it('runs everything the config enables that this machine can run, and says what it drops', () => {
    expect(stack!.jobs.map((j) => j.job).sort()).toEqual(['alertmanager', 'blackbox-certificates', 'blackbox-endpoints', 'chat-api', 'nginx', 'node', 'postgres', 'prometheus', 'redis']);
    expect(stack!.skipped.map((line) => line.replace(/:.*/, '')).sort()).toEqual([
      'scrape job alloy dropped',
      'scrape job cadvisor dropped',
      'scrape job loki dropped',
      'scrape job pushgateway dropped',
      'scrape job tempo dropped',
    ]);
    for (const url of Object.values(stack!.urls)) expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+/);
  });

  it('has Prometheus scrape every started target successfully', async () => {
    const targets = await eventually('every target up', async () => {
      const data = await api<{ activeTargets: Target[] }>(`${stack!.urls.prometheus}/api/v1/targets`);
      return data.activeTargets.length > 0 && data.activeTargets.every((t) => t.health === 'up') ? data.activeTargets : undefined;
    });
    const jobs = [...new Set(targets.map((t) => t.labels['job']))].sort();
    expect(jobs).toEqual(['alertmanager', 'blackbox', 'chat-api', 'nginx', 'node', 'postgres', 'prometheus', 'redis']);
    // Probes hit the local service and TLS server, never the public hosts of the config.
    expect(targets.filter((t) => t.labels['job'] === 'blackbox').map((t) => t.labels['instance'])).toEqual(
      expect.arrayContaining([`${stack!.urls.service}/health`, expect.stringMatching(/^127\.0\.0\.1:\d+$/)]),
    );
    expect(await scalar(stack!.urls.prometheus, 'min(probe_success{job="blackbox"})')).toBe(1);
  }, TEST_MS);

  it('loads every generated rule group and evaluates every rule without error', async () => {
    // Groups on the global evaluation interval (2 s here) must all have run; the SLO period groups run
    // every 5 m (their own `interval`), at an offset Prometheus picks: those may not have run yet.
    const groups = await eventually('every rule of the 2 s groups evaluated', async () => {
      const data = await api<{ groups: { name: string; interval: number; rules: Rule[] }[] }>(`${stack!.urls.prometheus}/api/v1/rules`);
      return data.groups.every((g) => g.interval > 2 || g.rules.every((r) => r.health !== 'unknown')) ? data.groups : undefined;
    });
    expect(groups.map((g) => g.name).sort()).toEqual(bundleGroups(stack!.bundleDir).sort());
    expect(groups.filter((g) => g.interval <= 2).length).toBeGreaterThan(groups.length / 2);
    const failing = groups.flatMap((g) => g.rules.filter((r) => r.health === 'err' || r.lastError).map((r) => `${g.name}/${r.name}: ${r.lastError}`));
    expect(failing).toEqual([]);
  }, TEST_MS);

  it('passes obs verify but for the metrics of what this machine cannot run (cAdvisor, a backup job)', async () => {
    const loaded = await loadConfig(join(ROOT, 'obs.config.ts'), ROOT);
    const expected = expectationsOf(generateBundle(resolveModel(loaded.source, loaded.documents, loaded.locate)));
    // Without --alertmanager: dev rewrites every receiver to its webhook sink on purpose.
    const report = await eventually('obs verify fails on nothing but missing metrics', async () => {
      const r = verify(expected, await fetchLiveState(expected, { prometheus: stack!.urls.prometheus }));
      const failing = r.checks.filter((c) => !c.ok && c.name !== 'metrics');
      // thrown, so that a timeout says which check still failed and why
      if (failing.length > 0) throw new Error(failing.map((c) => `${c.name}: ${c.summary}; ${c.problems.slice(0, 3).join('; ')}`).join(' | '));
      return r;
    });
    const missing = report.checks.find((c) => c.name === 'metrics')!.problems.map((p) => p.replace(/:.*/s, '')).sort();
    expect(missing).toEqual([
      'container_cpu_cfs_periods_total', // cAdvisor: no Debian package
      'container_cpu_cfs_throttled_periods_total',
      'container_memory_working_set_bytes',
      'container_spec_memory_limit_bytes',
      'container_start_time_seconds',
      'obs_backup_last_run_success', // the backup contract: the user's backup job pushes these
      'obs_backup_last_success_timestamp_seconds',
    ]);
  }, TEST_MS);

  it('runs Alertmanager with the bundle routing, every notifying receiver delivering to the local webhook', async () => {
    expect((await fetch(`${stack!.urls.alertmanager}/-/ready`)).ok).toBe(true);
    // The configuration Alertmanager runs (its API v2, not wrapped in {data}).
    const response = await fetch(`${stack!.urls.alertmanager}/api/v2/status`);
    const running = parseYaml(((await response.json()) as { config: { original: string } }).config.original) as {
      route: unknown;
      receivers: { name: string; webhook_configs?: { url: string }[] }[];
    };
    const bundle = parseYaml(readFileSync(join(stack!.bundleDir, 'compose/alertmanager/alertmanager.yml'), 'utf8')) as { route: { receiver: string; routes: unknown[] } };
    expect(running.route).toMatchObject({ receiver: bundle.route.receiver });
    expect((running.route as { routes: unknown[] }).routes).toHaveLength(bundle.route.routes.length);
    const byName = Object.fromEntries(running.receivers.map((r) => [r.name, r.webhook_configs?.map((w) => w.url) ?? []]));
    expect(byName).toEqual({ pagerduty: [stack!.urls.webhook], slack: [stack!.urls.webhook], email: [stack!.urls.webhook], none: [] });
    // Prometheus sends its alerts there.
    const managers = await eventually('Prometheus discovered Alertmanager', async () => {
      const data = await api<{ activeAlertmanagers: { url: string }[] }>(`${stack!.urls.prometheus}/api/v1/alertmanagers`);
      return data.activeAlertmanagers.length > 0 ? data.activeAlertmanagers : undefined;
    });
    expect(managers[0]!.url).toContain(stack!.urls.alertmanager);
  }, TEST_MS);

  it('switches the example to an outage: the 5xx ratio Prometheus sees rises', async () => {
    const ratio = `sum(rate(http_server_request_duration_seconds_count{job="chat-api",http_response_status_code=~"5.."}[20s])) / sum(rate(http_server_request_duration_seconds_count{job="chat-api"}[20s]))`;
    const total = 'sum(rate(http_server_request_duration_seconds_count{job="chat-api"}[20s]))';
    await stack!.faults('healthy');
    // Load is flowing, and healthy it answers without server errors.
    await eventually('load seen by Prometheus', async () => ((await scalar(stack!.urls.prometheus, total)) ?? 0) > 0 || undefined);
    const healthy = await eventually('a healthy 5xx ratio', async () => {
      const value = await scalar(stack!.urls.prometheus, `(${ratio}) or vector(0)`);
      return value !== undefined && value < 0.05 ? value : undefined;
    });
    expect(healthy).toBeLessThan(0.05);
    await stack!.faults('outage');
    const broken = await eventually('the outage in the 5xx ratio', async () => {
      const value = await scalar(stack!.urls.prometheus, ratio);
      return value !== undefined && value > 0.5 ? value : undefined;
    });
    expect(broken).toBeGreaterThan(0.5);
    await expect(stack!.faults('no-such-preset')).rejects.toThrow(/refused the fault preset "no-such-preset"/);
  }, TEST_MS);

  it('stops every process it started, and what they started', async () => {
    tree = processTree(stack!.pids());
    // postgres, redis-server, nginx, five exporters, the example, load, Alertmanager, Prometheus (each under `timeout`).
    expect(stack!.pids().length).toBeGreaterThanOrEqual(12);
    expect(stack!.pids().every(alive)).toBe(true);
    await stack!.stop();
    expect(tree.filter(alive)).toEqual([]);
    expect(existsSync(stack!.bundleDir)).toBe(false);
  });
});

describe('obs dev (the CLI, as a user runs it)', () => {
  let child: ChildProcess | undefined;
  let tree: number[] = [];
  afterAll(() => {
    killTree([...(child?.pid ? [child.pid] : []), ...tree].filter(alive));
  });

  it('prints where to look once ready, and leaves no process behind on SIGINT', async () => {
    const main = join(ROOT, 'dist/cli/main.js');
    if (!existsSync(join(ROOT, 'dist/cli/dev-command.js'))) throw new Error('dist/ is not built: run `npm run build` first');
    child = spawn(process.execPath, [main, 'dev', '--no-load', '--scrape-interval', '2s'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));

    await eventually('obs dev: ready', async () => {
      if (child!.exitCode !== null) throw new Error(`obs dev exited ${child!.exitCode}:\n${stdout}\n${stderr}`);
      return stdout.includes('obs dev: ready') ? true : undefined;
    }, STARTUP_MS);
    const prometheus = stdout.match(/Prometheus +(http:\/\/127\.0\.0\.1:\d+)/)![1]!;
    const service = stdout.match(/Service +(http:\/\/127\.0\.0\.1:\d+)/)![1]!;
    expect(stdout).toMatch(/Alertmanager +http:\/\/127\.0\.0\.1:\d+/);
    expect(stdout).toContain(`curl -X PUT ${service}/admin/faults/preset/outage`);
    expect(stdout).toContain(`(alerts: ${prometheus}/alerts`);
    expect(stdout).toMatch(/^note: scrape job cadvisor dropped: cadvisor is not running \(it needs Docker\)$/m);
    expect((await fetch(`${prometheus}/-/ready`)).ok).toBe(true);

    tree = processTree([child.pid!]).filter((pid) => pid !== child!.pid);
    expect(tree.length).toBeGreaterThanOrEqual(10);
    child.kill('SIGINT');
    const code = await Promise.race([exited, new Promise<'bound'>((resolve) => setTimeout(() => resolve('bound'), 60_000))]);
    expect(code, `obs dev did not exit on SIGINT:\n${stdout}\n${stderr}`).toBe(0);
    expect(stdout).toMatch(/obs dev: stopped\n$/);
    expect(stderr).toBe('');
    expect(tree.filter(alive)).toEqual([]);
  }, STARTUP_MS + 120_000);
});
