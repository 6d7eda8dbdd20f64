/**
 * The live stack of `obs dev` on 127.0.0.1, without Docker: the bundle (generated into a temporary
 * directory, or one given), the example service (or a service already running), the exporters the
 * config enables, Alertmanager delivering to a local webhook, Prometheus scraping all of it, and load.
 * Reusable by the end-to-end tests: `startLocalStack(options)` → `{ urls, faults(preset), stop() }`.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Server as TlsServer } from 'node:tls';
import { Document, parse as parseYaml } from 'yaml';
import type { AlertmanagerConfig } from '../generate/alertmanager/types.js';
import type { PrometheusConfig } from '../generate/compose/types.js';
import { ConfigError } from '../spec/errors.js';
import { startBlackbox, startNginx, startNodeExporter, startPostgres, startRedis, startTlsServer } from './dependencies.js';
import { type LocalAddresses, localiseAlertmanager, localisePrometheus, probesCertificates, scrapedServices, serviceJobs } from './localise.js';
import { startAlertmanager, startPrometheus } from './monitoring.js';
import { MissingBinaryError, ProcessGroup } from './processes.js';
import { freePort } from './dependencies.js';
import { type Notification, notificationLine, startWebhookSink, type WebhookSink } from './webhook-sink.js';

/** Where the example service lives in a checkout of obs (it is not shipped in the npm package). */
const EXAMPLE_DIR = fileURLToPath(new URL('../../examples/ai-service/', import.meta.url));
export const EXAMPLE_MAIN = join(EXAMPLE_DIR, 'main.ts');
export const EXAMPLE_LOAD = join(EXAMPLE_DIR, 'load.ts');

/** The bundle paths obs dev reads. */
const PROMETHEUS_YML = 'compose/prometheus/prometheus.yml';
const ALERTMANAGER_DIR = 'compose/alertmanager';

/** The example's fault presets, and the key that switches to each in `obs dev`. */
export const FAULT_PRESETS = {
  h: 'healthy',
  o: 'outage',
  s: 'slow-burn',
  l: 'slow-llm',
  r: 'llm-rate-limited',
  p: 'primary-down',
  c: 'cost-spike',
  a: 'auth-attack',
} as const;

export interface LocalStackOptions {
  /** The obs config (relative to `cwd`): generated into the work directory unless `bundleDir` is given. */
  readonly config?: string;
  /** An already generated bundle (e.g. a time-scaled one) to run instead of generating one. */
  readonly bundleDir?: string;
  readonly cwd?: string;
  /** `[JOB=]HOST:PORT` of services already running: scraped instead of starting the example service. */
  readonly targets?: readonly string[];
  /** Requests per second of the example's load generator; 0 for none. Default 5. */
  readonly rps?: number;
  /** Deliver every notification to this URL instead of the built-in sink. */
  readonly webhook?: string;
  /** Overrides of the bundle's global scrape and rule evaluation intervals (e.g. `2s`). */
  readonly scrapeInterval?: string;
  readonly evaluationInterval?: string;
  /** What the stack has to say (notes on what does not run, each notification the sink receives). */
  readonly log?: (line: string) => void;
  readonly onNotification?: (notification: Notification) => void;
  /** For tests: every process runs under `timeout <seconds>`, and readiness is awaited this long. */
  readonly limitSeconds?: number;
  readonly readyWithinMs?: number;
  /** Aborting it while starting stops what started and rejects with DevStackAborted (Ctrl-C during start-up). */
  readonly signal?: AbortSignal;
}

export interface LocalStackUrls {
  readonly prometheus: string;
  readonly alerts: string;
  readonly alertmanager: string;
  /** The example service (absent when `targets` name running services). */
  readonly service?: string;
  /** Where Alertmanager delivers (the built-in sink, or `webhook`). */
  readonly webhook: string;
}

export interface LocalStack {
  readonly urls: LocalStackUrls;
  /** The bundle the stack runs (the temporary one, or `bundleDir`). */
  readonly bundleDir: string;
  /** Scrape jobs Prometheus runs, with their local targets. */
  readonly jobs: readonly { readonly job: string; readonly targets: readonly string[] }[];
  /** What the bundle wants and does not run here, and why (dropped jobs, missing binaries). */
  readonly skipped: readonly string[];
  /** Notifications the built-in sink received (empty with `webhook`). */
  readonly notifications: readonly Notification[];
  /** Process ids of everything started (each the leader of its process group). */
  pids(): number[];
  /** Switches the example service to a fault preset (`outage`, `slow-burn`, `healthy`, …). */
  faults(preset: string): Promise<void>;
  /** Stops every process and server, removes the temporary files; resolves when all have exited. */
  stop(): Promise<void>;
}

/** Starts the stack; on any failure stops what it started and rethrows. */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const cwd = options.cwd ?? process.cwd();
  const log = options.log ?? (() => undefined);
  const work = mkdtempSync(join(tmpdir(), 'obs-dev-'));
  const readyWithinMs = options.readyWithinMs ?? 120_000;
  const group = new ProcessGroup({ ...(options.limitSeconds !== undefined && { limitSeconds: options.limitSeconds }), readyWithinMs });
  const cleanups: (() => Promise<void> | void)[] = [];
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      await group.stopAll(10_000);
      for (const cleanup of cleanups.reverse()) await cleanup();
      rmSync(work, { recursive: true, force: true });
    })());

  try {
    // The config the example service instruments itself from: the one the bundle was generated from.
    const configPath = options.bundleDir ? (options.config !== undefined ? resolve(cwd, options.config) : undefined) : await generateInto(join(work, 'bundle'), cwd, options.config);
    const bundleDir = options.bundleDir ? resolve(cwd, options.bundleDir) : join(work, 'bundle');
    const prometheusYml = readBundleYaml<PrometheusConfig>(bundleDir, PROMETHEUS_YML);
    if (!prometheusYml) {
      throw new ConfigError(bundleDir, [{ path: [], message: `has no ${PROMETHEUS_YML} (bundles of imported Sloth/OpenSLO specs have no stack); obs dev needs an obs config` }]);
    }
    const alertmanagerYml = readBundleYaml<AlertmanagerConfig>(bundleDir, `${ALERTMANAGER_DIR}/alertmanager.yml`);
    const skipped: string[] = [];
    const note = (line: string) => {
      skipped.push(line);
      log(`note: ${line}`);
    };

    // Services already running (--target), checked before anything starts.
    const jobs = serviceJobs(prometheusYml);
    const services: Record<string, string> = {};
    for (const target of options.targets ?? []) {
      const [job, address] = target.includes('=') ? (target.split('=', 2) as [string, string]) : [jobs[0], target];
      if (job === undefined || !jobs.includes(job)) throw new ConfigError('--target', [{ path: [], message: `no scrape job "${job ?? ''}" in the bundle; its service jobs: ${jobs.join(', ') || 'none'}` }]);
      services[job] = address;
    }
    if (!options.targets?.length && jobs.length > 0 && !existsSync(EXAMPLE_MAIN)) {
      throw new ConfigError('obs dev', [{ path: [], message: `the example service (${EXAMPLE_MAIN}) is not in this install; pass --target HOST:PORT of your running service` }]);
    }

    // The exporters (and their servers) the bundle scrapes, in parallel: PostgreSQL's initdb is slow.
    const wanted = scrapedServices(prometheusYml);
    const exporters: Record<string, string> = {};
    const env: Record<string, string> = {};
    let pgDir: string | undefined;
    const starters: Record<string, () => Promise<void>> = {
      'node-exporter': async () => {
        exporters['node-exporter'] = `127.0.0.1:${(await startNodeExporter(group)).exporterPort}`;
      },
      'postgres-exporter': async () => {
        // Its own directory under /tmp: as root, PostgreSQL runs as `postgres`, who cannot enter `work`.
        pgDir = mkdtempSync(join(tmpdir(), 'obs-dev-postgres-'));
        const pg = await startPostgres(group, pgDir);
        exporters['postgres-exporter'] = `127.0.0.1:${pg.exporterPort}`;
        env['PG_URL'] = pg.url;
      },
      'redis-exporter': async () => {
        const redis = await startRedis(group);
        exporters['redis-exporter'] = `127.0.0.1:${redis.exporterPort}`;
        env['REDIS_URL'] = redis.url;
      },
      'nginx-exporter': async () => {
        exporters['nginx-exporter'] = `127.0.0.1:${(await startNginx(group, mkdir(work, 'nginx'))).exporterPort}`;
      },
    };
    cleanups.push(() => {
      if (pgDir) rmSync(pgDir, { recursive: true, force: true });
    });
    await Promise.all(wanted.filter((s) => s in starters).map((s) => starters[s]!().catch((error: unknown) => note(`${s} is not running: ${firstLines(error)}`))));

    checkAborted(options.signal);
    // The service: one already running (--target), else the example.
    let serviceUrl: string | undefined;
    if (!options.targets?.length && jobs.length > 0) {
      serviceUrl = await startExample(group, env, configPath, readyWithinMs);
      services[jobs[0]!] = new URL(serviceUrl).host;
    }

    checkAborted(options.signal);
    // blackbox_exporter probes the local service's endpoints and a local TLS server, not the public hosts.
    let blackbox: LocalAddresses['blackbox'];
    if (wanted.includes('blackbox-exporter')) {
      try {
        const exporter = await startBlackbox(group, mkdir(work, 'blackbox'));
        const first = Object.values(services)[0];
        const origin = serviceUrl ?? (first !== undefined ? `http://${first}` : undefined);
        let tlsAddress: string | undefined;
        if (probesCertificates(prometheusYml)) {
          try {
            const tls = await startTlsServer(mkdir(work, 'tls'));
            cleanups.push(() => closeTls(tls.server));
            tlsAddress = `127.0.0.1:${tls.port}`;
          } catch (error) {
            note(`no local TLS server for the certificate probes: ${firstLines(error)}`);
          }
        }
        blackbox = { address: `127.0.0.1:${exporter.exporterPort}`, ...(origin && { endpointOrigin: origin }), ...(tlsAddress && { tlsAddress }) };
      } catch (error) {
        note(`blackbox-exporter is not running: ${firstLines(error)}`);
      }
    }

    checkAborted(options.signal);
    // Alertmanager, delivering to the local sink (or --webhook).
    let sink: WebhookSink | undefined;
    if (!options.webhook) {
      sink = await startWebhookSink((n) => {
        log(`alert → ${notificationLine(n)}`);
        options.onNotification?.(n);
      });
      cleanups.push(() => sink!.close());
    }
    const webhook = options.webhook ?? sink!.url;
    const am = localiseAlertmanager(alertmanagerYml, { webhookUrl: webhook, configDir: join(bundleDir, ALERTMANAGER_DIR), secretsDir: mkdir(work, 'secrets') });
    if (am.redirected.length > 0) log(`Alertmanager: receivers ${am.redirected.join(', ')} deliver to ${webhook} (real receivers are not reached from obs dev)`);
    for (const path of Object.keys(am.placeholders)) writeFileSync(path, 'obs-dev-placeholder\n', { mode: 0o600 });
    const alertmanagerConfig = join(work, 'alertmanager.yml');
    writeFileSync(alertmanagerConfig, toYaml(am.config));
    const alertmanager = await startAlertmanager(group, mkdir(work, 'alertmanager'), alertmanagerConfig).catch(explained);

    checkAborted(options.signal);
    // Prometheus, on a port chosen first: its own scrape job names it.
    const prometheusPort = await freePort();
    const localised = localisePrometheus(
      prometheusYml,
      { prometheus: `127.0.0.1:${prometheusPort}`, alertmanager: `127.0.0.1:${alertmanager.port}`, exporters, services, ...(blackbox && { blackbox }) },
      {
        rulesDir: join(bundleDir, 'rules'),
        ...(options.scrapeInterval !== undefined && { scrapeInterval: options.scrapeInterval }),
        ...((options.evaluationInterval ?? options.scrapeInterval) !== undefined && { evaluationInterval: options.evaluationInterval ?? options.scrapeInterval! }),
      },
    );
    for (const dropped of localised.dropped) note(`scrape job ${dropped.job} dropped: ${dropped.reason}`);
    const prometheusConfig = join(work, 'prometheus.yml');
    writeFileSync(prometheusConfig, toYaml(localised.config));
    const prometheus = await startPrometheus(group, mkdir(work, 'prometheus'), prometheusConfig, { port: prometheusPort }).catch(explained);

    checkAborted(options.signal);
    // Load, against the example only (its routes are what the generator knows).
    const rps = options.rps ?? 5;
    if (serviceUrl && rps > 0) {
      if (existsSync(EXAMPLE_LOAD)) group.start('load', process.execPath, [...typeStripping(), EXAMPLE_LOAD, '--url', serviceUrl, '--rps', String(rps)]);
      else note(`no load generator (${EXAMPLE_LOAD} is missing)`);
    }

    return {
      urls: {
        prometheus: prometheus.url,
        alerts: `${prometheus.url}/alerts`,
        alertmanager: alertmanager.url,
        ...(serviceUrl && { service: serviceUrl }),
        webhook,
      },
      bundleDir,
      jobs: localised.jobs,
      skipped,
      notifications: sink?.received ?? [],
      pids: () => group.pids(),
      faults: async (preset) => {
        if (!serviceUrl) throw new Error('fault presets switch the example service; obs dev is scraping a service of yours (--target)');
        const response = await fetch(`${serviceUrl}/admin/faults/preset/${encodeURIComponent(preset)}`, { method: 'PUT', signal: AbortSignal.timeout(10_000) });
        if (!response.ok) throw new Error(`the example service refused the fault preset "${preset}": ${response.status} ${(await response.text()).slice(0, 200)}`);
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The config's bundle, written into `dir` as `obs generate --out dir` would; returns the config's path. */
async function generateInto(dir: string, cwd: string, config: string | undefined): Promise<string> {
  const [{ findConfigFile, loadConfig }, { resolveModel }, { generateBundle }, { renderBundle }, { writeBundle }] = await Promise.all([
    import('../spec/load.js'),
    import('../model/resolve.js'),
    import('../generate/index.js'),
    import('../write/render.js'),
    import('../write/write.js'),
  ]);
  const path = findConfigFile(cwd, config);
  const loaded = await loadConfig(path, cwd);
  const model = resolveModel(loaded.source, loaded.documents, loaded.locate);
  writeBundle(dir, renderBundle(generateBundle(model), model.source), model.source);
  return resolve(cwd, path);
}

/** A failure of the stack to start that is the machine's or the example's, not a bug: reported as it is. */
export class DevStackError extends Error {}

/** Start-up was aborted (options.signal); everything started was stopped. */
export class DevStackAborted extends Error {}

function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new DevStackAborted('obs dev: stopped while starting');
}

/** Starts the example service on a free port; resolves with its URL once it said it is listening. */
async function startExample(group: ProcessGroup, env: Record<string, string>, config: string | undefined, readyWithinMs: number): Promise<string> {
  const child = group.start('example service', process.execPath, [...typeStripping(), EXAMPLE_MAIN], { ...env, PORT: '0', ...(config && { OBS_CONFIG: config }) });
  return waitForListening(group, child, readyWithinMs);
}

/** The example is TypeScript run by Node itself: type stripping is on by default from Node 22.18, behind a flag from 22.6. */
export function typeStripping(version = process.versions.node): string[] {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  if (major > 22 || (major === 22 && minor >= 18)) return [];
  if (major === 22 && minor >= 6) return ['--experimental-strip-types'];
  throw new DevStackError(`the example service is TypeScript run by Node itself, which needs Node >= 22.6 (this is ${version}); run obs dev with a newer node, or pass --target HOST:PORT of your own service`);
}

function waitForListening(group: ProcessGroup, child: ChildProcess, withinMs: number): Promise<string> {
  return new Promise((resolveUrl, reject) => {
    let buffered = '';
    const done = () => {
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.off('exit', onExit);
    };
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      const url = lines.map(listeningUrl).find((u) => u !== undefined);
      if (url) {
        done();
        resolveUrl(url);
      }
    };
    const onExit = (code: number | null, signal: string | null) => {
      done();
      reject(new DevStackError(`the example service exited (${code ?? signal}) before listening; its output:\n${group.output(child)}`));
    };
    const timer = setTimeout(() => {
      done();
      reject(new DevStackError(`the example service did not say it was listening within ${withinMs / 1000} s; its output:\n${group.output(child)}`));
    }, withinMs);
    child.stdout!.on('data', onData);
    child.once('exit', onExit);
  });
}

/** The `url` of the example's `"msg":"listening"` JSON log line, if `line` is it. */
export function listeningUrl(line: string): string | undefined {
  if (!line.includes('"listening"')) return undefined;
  try {
    const record = JSON.parse(line) as { msg?: unknown; url?: unknown };
    return record.msg === 'listening' && typeof record.url === 'string' ? record.url : undefined;
  } catch {
    return undefined;
  }
}

function readBundleYaml<T>(bundleDir: string, path: string): T | undefined {
  const file = join(bundleDir, path);
  return existsSync(file) ? (parseYaml(readFileSync(file, 'utf8')) as T) : undefined;
}

function toYaml(value: unknown): string {
  return new Document(value, { aliasDuplicateObjects: false }).toString({ lineWidth: 0 });
}

/** Prometheus or Alertmanager refusing its config is reported with its output, not as our bug. */
function explained(error: unknown): never {
  if (error instanceof MissingBinaryError) throw error;
  throw new DevStackError(error instanceof Error ? error.message : String(error));
}

function mkdir(parent: string, name: string): string {
  const dir = join(parent, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

function firstLines(error: unknown, lines = 3): string {
  return (error instanceof Error ? error.message : String(error)).split('\n').slice(0, lines).join(' | ');
}

function closeTls(server: TlsServer): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}
