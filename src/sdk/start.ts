import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { traceSpansDropped } from '../catalog/sdk-metrics.js';
import { ConfigError } from '../spec/errors.js';
import { DEFAULT_CONFIG_FILES, loadConfig } from '../spec/load.js';
import type { ObsConfig } from '../spec/schema.js';
import { createObs, type Obs, type ObsOptions } from './index.js';
import { CatalogCounter } from './metrics/instruments.js';
import { GuardFactory } from './metrics/labels.js';
import type { Telemetry, TelemetryOptions } from './telemetry.js';

export interface StartObsOptions extends ObsOptions {
  /** The config object; default: loaded from $OBS_CONFIG, else ./obs.config.ts (then .yaml). */
  readonly config?: ObsConfig;
  readonly cwd?: string;
  /** Tracing, Sentry and logging options; the service identity comes from the config. */
  readonly telemetry?: Omit<TelemetryOptions, 'service'>;
  /** Default: $OBS_SERVICE_VERSION or $npm_package_version, and $OBS_ENVIRONMENT or $NODE_ENV. */
  readonly version?: string;
  readonly environment?: string;
  /** Flush everything on SIGTERM/SIGINT, then let the signal take its course. Default true. */
  readonly handleSignals?: boolean;
}

/** Metrics, traces, errors and logs of one service, started together. */
export interface RunningObs extends Obs {
  readonly telemetry: Telemetry;
  readonly logger: Telemetry['logger'];
  readonly audit: Telemetry['audit'];
  /** Flushes spans, Sentry events and logs, and closes metrics servers. Idempotent; never rejects. */
  shutdown(): Promise<void>;
}

const INSTANCE = Symbol.for('obs.sdk.instance');
type Holder = { [INSTANCE]?: RunningObs };

/** The instance started by `node --import obs/register` or startObs(). */
export function getObs(): RunningObs {
  const running = (globalThis as Holder)[INSTANCE];
  if (!running) throw new Error('obs is not started: run `node --import obs/register app.js`, or await startObs() first');
  return running;
}

/**
 * Starts traces (OTel), errors (Sentry) and logs first, so the instrumentations patch http, express,
 * pg… before the app loads them; then the metrics. Throws ConfigError on an invalid config.
 */
export async function startObs(options: StartObsOptions = {}): Promise<RunningObs> {
  const existing = (globalThis as Holder)[INSTANCE];
  if (existing) return existing;
  const { config, source } = options.config
    ? { config: options.config, source: options.source ?? 'obs.config.ts' }
    : await loadServiceConfig(options.cwd ?? process.cwd());

  const version = options.version ?? process.env.OBS_SERVICE_VERSION ?? process.env.npm_package_version;
  const environment = options.environment ?? process.env.OBS_ENVIRONMENT ?? process.env.NODE_ENV;
  // Loaded here, not at import: metrics-only users of 'obs/sdk' do not pay for OTel and Sentry.
  const { startTelemetry } = await import('./telemetry.js');
  const telemetry = startTelemetry({
    ...options.telemetry,
    // obs's adapters make the server span, named after the route: one span per request, at a fraction of
    // instrumentation-http's incoming cost (its outgoing side stays) and without Express's second span.
    tracing: { routeSpans: false, incomingSpans: false, ...options.telemetry?.tracing },
    service: { name: config.service.name, ...(version && { version }), ...(environment && { environment }) },
  });
  const ownSpans = options.telemetry?.tracing?.incomingSpans !== true;
  const obs = createObs(config, { serverSpans: ownSpans, ...options, source });
  countDroppedSpans(obs, telemetry);
  obs.security.countAuditEvents(() => telemetry.auditEvents());

  let stopping: Promise<void> | undefined;
  const running: RunningObs = {
    ...obs,
    telemetry,
    logger: telemetry.logger,
    audit: telemetry.audit,
    shutdown: () =>
      (stopping ??= Promise.allSettled([obs.shutdown(), telemetry.shutdown()]).then(() => {
        delete (globalThis as Holder)[INSTANCE];
      })),
  };
  (globalThis as Holder)[INSTANCE] = running;
  if (options.handleSignals ?? true) flushOnSignals(running);
  return running;
}

/**
 * The service's config file: $OBS_CONFIG, else the first default name present in `cwd`. Errors speak to a
 * service owner (the directory searched, OBS_CONFIG), not to a CLI user (--config).
 */
export function serviceConfigFile(cwd: string, given = process.env.OBS_CONFIG): string {
  if (given !== undefined && given.trim() !== '') {
    const path = resolve(cwd, given);
    if (existsSync(path)) return path;
    throw new ConfigError(given, [{ path: [], message: `file not found (OBS_CONFIG, resolved against ${cwd}); set OBS_CONFIG to the config's path` }]);
  }
  const found = DEFAULT_CONFIG_FILES.map((f) => resolve(cwd, f)).find((f) => existsSync(f));
  if (found) return found;
  throw new ConfigError(cwd, [
    {
      path: [],
      message: `no obs config in this directory (looked for ${DEFAULT_CONFIG_FILES.join(', ')}); set OBS_CONFIG to the config's path, or pass startObs({ config })`,
    },
  ]);
}

async function loadServiceConfig(cwd: string): Promise<{ config: ObsConfig; source: string }> {
  const loaded = await loadConfig(serviceConfigFile(cwd), cwd);
  const [first, ...rest] = loaded.documents;
  if (loaded.format !== 'obs' || !first || rest.length > 0) {
    throw new ConfigError(loaded.source, [
      { path: [], message: `the SDK needs an obs config for one service, not a ${loaded.format} spec; set OBS_CONFIG to it` },
    ]);
  }
  return { config: first.config as ObsConfig, source: loaded.source };
}

/** obs_trace_spans_dropped_total{reason}: the tracer's loss counts, brought up to date at each scrape. */
function countDroppedSpans(obs: Obs, telemetry: Telemetry): void {
  const seen = { queue_full: 0, export_failed: 0 };
  const counter: CatalogCounter = new CatalogCounter(traceSpansDropped, obs.registry, new GuardFactory({ reason: 10 }, () => {}), {}, () => {
    const stats = telemetry.spanStats();
    const now = { queue_full: stats.queueFull, export_failed: stats.exportFailed };
    for (const reason of ['queue_full', 'export_failed'] as const) {
      counter.inc([reason], now[reason] - seen[reason]);
      seen[reason] = now[reason];
    }
  });
  counter.inc(['queue_full'], 0);
  counter.inc(['export_failed'], 0);
}

/** On SIGTERM/SIGINT: flush, then re-raise the signal when the app has no handler of its own. */
function flushOnSignals(running: RunningObs): void {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      void running.shutdown().finally(() => {
        if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
      });
    });
  }
}
