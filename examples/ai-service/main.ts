/**
 * The example AI service: `node examples/ai-service/main.ts` (Node ≥ 22.18 strips the types).
 *
 *   PORT        port on 127.0.0.1 (default 3000; 0 picks a free one)
 *   OBS_CONFIG  the obs config (default: this repository's obs.config.ts, service chat-api)
 *   PG_URL      postgres://… — documents in PostgreSQL when the `pg` package is installed
 *   REDIS_URL   redis://…    — caches in Redis when the `ioredis` package is installed
 *   OBS_FAULTS  initial faults: a JSON object ({"errorRate":0.5}) or a preset name (outage)
 *
 * Prints one JSON log line with "msg":"listening" and "url"; SIGTERM/SIGINT stop it gracefully (exit 0).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig, type ObsConfig } from 'obs';
import { type RunningObs, startObs } from 'obs/sdk';
import { type Faults, FaultError, FaultSwitch, faultsFrom, HEALTHY, preset } from './faults.ts';
import { EMBEDDING_MODEL, EXTRA_PRICES } from './llm.ts';

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const HOST = '127.0.0.1';
/** Bound on a graceful stop: in-flight requests (a slow model call) get this long, then the rest is cut. */
const SHUTDOWN_GRACE_MS = 8000;

class StartupError extends Error {}

function portFromEnv(value = process.env.PORT): number {
  if (value === undefined || value.trim() === '') return 3000;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new StartupError(`PORT: must be an integer from 0 to 65535, got ${JSON.stringify(value)}`);
  return port;
}

function faultsFromEnv(value = process.env.OBS_FAULTS): Faults {
  if (value === undefined || value.trim() === '') return HEALTHY;
  const text = value.trim();
  if (!text.startsWith('{')) {
    const named = preset(text);
    if (!named) throw new StartupError(`OBS_FAULTS: unknown preset ${JSON.stringify(text)}; give a preset name or a JSON object`);
    return named;
  }
  try {
    return faultsFrom(JSON.parse(text));
  } catch (error) {
    if (error instanceof SyntaxError) throw new StartupError(`OBS_FAULTS: not valid JSON (${error.message})`);
    if (error instanceof FaultError) throw new StartupError(`OBS_FAULTS: ${error.message}`);
    throw error;
  }
}

/** The config as the SDK would find it: $OBS_CONFIG (relative to the working directory), else the repository's. */
async function serviceConfig(): Promise<{ config: ObsConfig; source: string }> {
  const given = process.env.OBS_CONFIG?.trim();
  const path = given ? resolve(process.cwd(), given) : join(REPO_ROOT, 'obs.config.ts');
  const loaded = await loadConfig(path, given ? process.cwd() : REPO_ROOT);
  const [first, ...rest] = loaded.documents;
  if (loaded.format !== 'obs' || !first || rest.length > 0) throw new StartupError(`${loaded.source}: the example needs an obs config for one service`);
  return { config: first.config as ObsConfig, source: loaded.source };
}

async function main(): Promise<void> {
  const port = portFromEnv();
  const initialFaults = faultsFromEnv();
  const { config, source } = await serviceConfig();
  // Started before the app's modules load, as OpenTelemetry requires. The embedding model is not in the
  // config's price table: priced and allow-listed here so its calls are costed and not `other`.
  const prices = { ...config.genai?.prices, ...EXTRA_PRICES };
  const obs = await startObs({ config, source, handleSignals: false, prices, models: [...Object.keys(prices), EMBEDDING_MODEL] });

  const { FakeProviders, Llm } = await import('./llm.ts');
  const { DocumentStore } = await import('./store.ts');
  const { Caches } = await import('./cache.ts');
  const { JobQueues } = await import('./jobs.ts');
  const { createApp } = await import('./app.ts');

  const faults = new FaultSwitch(initialFaults);
  const store = await DocumentStore.open(obs, faults, process.env.PG_URL || undefined);
  const caches = await Caches.open(obs, faults, process.env.REDIS_URL || undefined);
  const llm = new Llm(obs, new FakeProviders(faults));
  const jobs = new JobQueues(obs, faults, llm, store);
  jobs.start();

  obs.health.register('documents', () => store.ping(), { critical: true, timeoutMs: 1000 });
  obs.health.register('cache', () => caches.ping(), { critical: false, timeoutMs: 1000 });
  obs.health.register('llm-primary', () => !faults.current.primaryDown, { critical: false });
  obs.health.register('workers', () => !faults.current.workersStopped, { critical: false });

  const app = createApp({ obs, faults, store, caches, llm, jobs });
  const server = createServer(app);
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(port, HOST, () => {
      server.off('error', fail);
      done();
    });
  });
  const actual = (server.address() as AddressInfo).port;
  obs.logger.info(
    { url: `http://${HOST}:${actual}`, port: actual, store: store.system, cache: caches.system, faults: initialFaults === HEALTHY ? 'healthy' : initialFaults },
    'listening',
  );
  onSignals(obs, server, async () => {
    await jobs.stop();
    await Promise.allSettled([store.close(), caches.close()]);
  });
}

function onSignals(obs: RunningObs, server: Server, closeParts: () => Promise<void>): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    obs.logger.info({ signal }, 'shutting down');
    const cut = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
    server.close(() => {
      clearTimeout(cut);
      void closeParts()
        .catch((error: unknown) => obs.logger.error({ err: error }, 'shutdown failed'))
        .then(() => obs.shutdown())
        .finally(() => process.exit(0));
    });
    server.closeIdleConnections();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  if (error instanceof StartupError || error instanceof ConfigError) {
    process.stderr.write(`ai-service: ${error.message}\n`);
    process.exit(1);
  }
  throw error;
});
